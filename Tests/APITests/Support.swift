import Accounts
import AnnualReport
import API
import CanonicalJSON
import CaseFiles
import Catalog
import Commands
import Definitions
import EventLog
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Indicators
import Logging
import NIOCore
import Postgres
import Privacy
import Projections
import Reports
import TestDatabase
import Testing

/// A migrated database, the real services behind the API (accounts with a cheap password hash so
/// tests stay fast), and accounts for every role, in two entidades.
struct APIWorld {
    let database: TestDatabase
    let services: APIServices
    let server: APIServer

    static let password = "contrasena-de-prueba-larga"

    static func make(configuration: APIServer.Configuration = .init(), statisticsThreshold: Int = 10) async throws -> APIWorld {
        let base = try await ProjectionWorld.make()
        var policy = AccountPolicy()
        policy.passwordHashing = .testing
        let accounts = try await AccountService.make(handler: base.handler, policy: policy)
        let root = TestDatabase.repositoryRoot
        var services = APIServices(
            definitions: repositoryDefinitions, handler: base.handler, accounts: accounts, projector: base.projector(),
            cases: CaseFileReader(store: base.store, vault: base.handler.vault, definitions: repositoryDefinitions),
            indicators: try IndicatorDefinition.loadAll(directory: root.appendingPathComponent("projections/indicators")), statisticsThreshold: statisticsThreshold)
        services.annualReportPlan = try AnnualReportPlan.load(eventsDirectory: root.appendingPathComponent("events"),
                                                              catalogue: ReportCatalogue(definitions: repositoryDefinitions))
        var configuration = configuration
        if configuration.perAddress.perSecond == 100 { configuration.perAddress = (10_000, 10_000) }
        if configuration.perAccount.perSecond == 50 { configuration.perAccount = (10_000, 10_000) }
        return APIWorld(database: base.database, services: services, server: APIServer(services: services, configuration: configuration))
    }

    /// Registers the institution if needed, then an account with `roles`; returns its user id.
    @discardableResult
    func account(_ login: String, _ institution: String, _ roles: [Role]) async throws -> String {
        if try await services.accounts.directory.institution(institution) == nil {
            _ = try await services.accounts.registerInstitution(InstitutionRegistration(clave: institution), by: .console)
        }
        return try await services.accounts.registerUser(
            UserRegistration(login: login, name: "Persona \(login)", institution: institution, roles: roles, password: Self.password), by: .console).userId
    }

    /// Runs `body` against the router in process, or (`live`) against a real server on a loopback port.
    func test<T: Sendable>(live: Bool = false, _ body: @Sendable (Client) async throws -> T) async throws -> T {
        let app = server.application(host: "127.0.0.1", port: 0, logger: Logger(label: "pruebas"))
        return try await app.test(live ? .live : .router) { client in try await body(Client(client: client)) }
    }

    func catchUp() async throws { try await services.projector!.start() }

    /// Every projection has applied `position`: the public statistics and the indicators are
    /// eventually consistent, and a test reads them only once they have caught up.
    func waitForProjections(through position: Int64) async throws {
        let projector = try #require(services.projector)
        for projection in projector.projections {
            #expect(try await projector.waitUntil(projection.name, hasApplied: position, timeout: .seconds(30)), "\(projection.name)")
        }
    }
}

/// An HTTP answer with its body parsed when it is JSON.
struct Answer: Sendable {
    let status: Int
    let headers: HTTPFields
    let text: String
    /// The body as sent (a gzip answer is not text).
    let bytes: [UInt8]
    var json: JSONValue { (try? CanonicalJSON.parse(text)) ?? .null }
}

struct Client: Sendable {
    let client: any TestClientProtocol
    /// The loopback port of a live server (nil in process).
    var port: Int? { client.port }

    func call(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, body: JSONValue? = nil, raw: String? = nil,
              headers extra: [String: String] = [:]) async throws -> Answer {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
        let payload = raw ?? body.map { String(decoding: CanonicalJSON.serialize($0), as: UTF8.self) }
        return try await client.execute(uri: uri, method: method, headers: headers, body: payload.map { ByteBuffer(string: $0) }) { response in
            Answer(status: Int(response.status.code), headers: response.headers, text: String(buffer: response.body), bytes: Array(buffer: response.body))
        }
    }

    func login(_ login: String) async throws -> String {
        let answer = try await call(.post, "/v1/sesiones", body: ["usuario": .string(login), "contrasena": .string(APIWorld.password)])
        guard let token = answer.json["tokenDeAcceso"]?.stringValue else { throw TestFailure("login de \(login): \(answer.status) \(answer.text)") }
        return token
    }

    /// A command through its endpoint, with a fresh idempotency key.
    func command(_ name: String, _ data: JSONValue, stream: String? = nil, token: String, key: String = UUID().uuidString,
                 headers: [String: String] = [:]) async throws -> Answer {
        let uri = stream.map { "/v1/flujos/\($0)/\(name)" } ?? "/v1/comandos/\(name)"
        return try await call(.post, uri, token: token, body: data, headers: headers.merging(["Idempotency-Key": key]) { a, _ in a })
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A person as a caseworker of FGE-07 registers them, detected in `entidad`.
func persona(entidad: String = "07", municipio: String = "07101", fecha: String = "2024-03-01") -> JSONValue {
    ["calidad": "victima", "sexo": "mujer", "edad": 23, "nacionalidad": "MEX", "condicionMigratoria": "no-aplica-nacional",
     "fechaDeDeteccion": .string(fecha), "institucionQueDetecta": "FGE-07", "formaDeDeteccion": "operativo-de-rescate",
     "lugarDeDeteccion": ["pais": "MEX", "entidad": .string(entidad), "municipio": .string(municipio)],
     "nombre": "Zenaida", "primerApellido": "Ficticia", "telefono": "961 555 0101"]
}

func atencion(_ fecha: String = "2024-03-05") -> JSONValue {
    ["fecha": .string(fecha), "tipo": "atencion-psicologica", "clasificacion": "asistencia", "institucion": "CEAV", "duracionMinutos": 60,
     "descripcion": "Refiere a su hermana Remedios."]
}
