import Accounts
import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// The Mustache templates and the stylesheet, read once at start from the target's resources.
struct Templates: Sendable {
    let library: MustacheLibrary
    let css: ByteBuffer
    /// A training instance: the layout shows the banner on every page.
    var training = false
    /// Decides which of the Secretaría Técnica's links the layout shows (`ProgramMenu`).
    var authorizer: Authorizer?

    static func load(training: Bool = false) async throws -> Templates {
        guard let folder = Bundle.module.url(forResource: "Templates", withExtension: nil),
              let css = Bundle.module.url(forResource: "Static", withExtension: nil)?.appendingPathComponent("sintra.css") else {
            throw WebStartError("faltan las plantillas de la interfaz web (recursos del módulo Web)")
        }
        let library = try await MustacheLibrary(directory: folder.path)
        for name in ["layout", "error"] where library.getTemplate(named: name) == nil {
            throw WebStartError("falta la plantilla «\(name)»")
        }
        return Templates(library: library, css: ByteBuffer(bytes: try Data(contentsOf: css)), training: training)
    }

    /// `template` inside the layout. `title` never carries personal data (it goes to history and tabs).
    func render(_ template: String, title: String, session: WebSession?, status: HTTPResponse.Status = .ok,
                personal: Bool = true, _ data: [String: Any]) -> Response {
        respond(html(template, title: title, session: session, data), status: status, personal: personal)
    }

    /// The page as text (the public portal keeps it per release: a release never changes).
    func html(_ template: String, title: String, session: WebSession?, _ data: [String: Any]) -> String {
        let body = library.render(Blank.replacingEmptyStrings(data), withTemplate: template) ?? ""
        var layout: [String: Any] = ["titulo": training ? "CAPACITACIÓN — " + title : title, "cuerpo": body]
        if training { layout["capacitacion"] = true }
        if let session {
            layout["sesion"] = ["csrf": session.csrf, "institucion": session.identity.institution,
                                "roles": session.identity.roles.map(\.rawValue).sorted().joined(separator: ", "),
                                "gestion": ManagementMenu.links(session.identity),
                                "programa": ProgramMenu.links(session.identity, authorizer)] as [String: Any]
        }
        return library.render(layout, withTemplate: "layout") ?? body
    }

    func respond(_ html: String, status: HTTPResponse.Status = .ok, personal: Bool = true) -> Response {
        var response = Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: html)))
        SecurityHeaders.apply(to: &response.headers, personal: personal)
        return response
    }

    func stylesheet() -> Response {
        var response = Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
                                body: .init(byteBuffer: css))
        SecurityHeaders.apply(to: &response.headers, personal: false)
        response.headers[.cacheControl] = "public, max-age=3600"
        return response
    }
}

/// An empty text as Mustache should take it: in Mustache a section `{{#error}}` opens for any
/// string, even "", so every empty string of a page's data becomes this falsy blank — a page never
/// shows an empty error box, and a field's missing error never borrows its group's.
struct Blank: MustacheCustomRenderable, CustomStringConvertible {
    var isNull: Bool { true }
    var renderText: String { "" }
    var description: String { "" }

    static func replacingEmptyStrings(_ value: Any) -> Any {
        switch value {
        case let text as String: return text.isEmpty ? Blank() : text
        case let dictionary as [String: Any]: return dictionary.mapValues(replacingEmptyStrings)
        case let dictionaries as [[String: Any]]: return dictionaries.map { $0.mapValues(replacingEmptyStrings) }
        case let strings as [[String: String]]: return strings.map { $0.mapValues(replacingEmptyStrings) }
        case let list as [Any]: return list.map(replacingEmptyStrings)
        default: return value
        }
    }
}

struct WebStartError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Headers every page carries: no inline script or style may run, no sniffing, no referrer
/// outside the site, no framing, and nothing personal kept by a browser or proxy cache.
enum SecurityHeaders {
    static let policy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static func apply(to headers: inout HTTPFields, personal: Bool) {
        headers[.contentSecurityPolicy] = policy
        headers[.xContentTypeOptions] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[.cacheControl] = personal ? "no-store" : "no-cache"
    }
}

/// 303 See Other: after a POST the browser GETs the next page (reload never re-sends the form).
enum Redirect {
    static func to(_ location: String, cookies: [String] = []) -> Response {
        var headers: HTTPFields = [.location: location]
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        var response = Response(status: .seeOther, headers: headers)
        SecurityHeaders.apply(to: &response.headers, personal: false)
        return response
    }
}
