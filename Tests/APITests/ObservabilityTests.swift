import API
import CanonicalJSON
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import TestDatabase
import Testing

/// Lines written by a `JSONLogHandler`, kept for the test to read.
final class CapturedLines: Sendable {
    let lines = Locked<[String]>([])
    var logger: Logger {
        Logger(label: "pruebas") { label in
            var handler = JSONLogHandler(label: label) { line in self.lines.withLock { $0.append(line) } }
            handler.logLevel = .info
            return handler
        }
    }
    var objects: [JSONValue] { lines.withLock { $0 }.compactMap { try? CanonicalJSON.parse($0) } }
}

/// Issue 20, observability: the request log (JSON, request id, acting account, no secrets) and
/// `/metrics` (behind its token, names and HELP as Prometheus wants them, `promtool` when present).
@Suite struct ObservabilityTests {
    @Test func everyRequestLineIsJSONWithItsIdAndTheAccountButNoToken() async throws {
        let world = try await APIWorld.make()
        let user = try await world.account("cap.a", "FGE-07", [.capturista])
        try await world.catchUp()
        let captured = CapturedLines()
        let app = world.server.application(host: "127.0.0.1", port: 0, logger: captured.logger)
        let (token, answer, anonymous) = try await app.test(.router) { raw in
            let client = Client(client: raw)
            let token = try await client.login("cap.a")
            return (token, try await client.call(.get, "/v1/expedientes", token: token), try await client.call(.get, "/health"))
        }
        let requestLines = captured.objects.filter { $0["mensaje"] == "solicitud" }
        let id = try #require(answer.headers[HTTPField.Name("X-Request-Id")!])
        let line = try #require(requestLines.first { $0["solicitud"]?.stringValue == id }, "\(captured.lines.withLock { $0 })")
        #expect(line["usuario"]?.stringValue == user && line["ruta"] == "/v1/expedientes" && line["estado"] == "200" && line["nivel"] == "info")
        // The anonymous probe is logged as such, under its own id.
        let other = try #require(anonymous.headers[HTTPField.Name("X-Request-Id")!])
        #expect(other != id && requestLines.first { $0["solicitud"]?.stringValue == other }?["usuario"] == "-")
        // Neither the bearer token nor the password reaches the log.
        let all = captured.lines.withLock { $0 }.joined(separator: "\n")
        #expect(!all.contains(token) && !all.contains(APIWorld.password))
    }

    @Test func aRequestIdFromAnUntrustedPeerIsNotTaken() async throws {
        let world = try await APIWorld.make()
        try await world.test { client in
            let answer = try await client.call(.get, "/health", headers: ["X-Request-Id": "id-inventado-por-el-cliente"])
            #expect(answer.headers[HTTPField.Name("X-Request-Id")!] != "id-inventado-por-el-cliente")
            #expect(answer.headers[HTTPField.Name("X-Request-Id")!]?.isEmpty == false)
        }
    }

    @Test func metricsAreOffWithoutATokenAndClosedToOtherTokens() async throws {
        let off = try await APIWorld.make()
        try await off.test { (client: Client) async throws in #expect(try await client.call(.get, "/metrics").status == 404) }
        var configuration = APIServer.Configuration()
        configuration.metricsToken = "token-de-metricas-largo"
        let world = try await APIWorld.make(configuration: configuration)
        try await world.account("cap.a", "FGE-07", [.capturista])
        try await world.test { (client: Client) async throws in
            #expect(try await client.call(.get, "/metrics").status == 401)
            #expect(try await client.call(.get, "/metrics", token: "otro-token").status == 401)
            // An account's own token is not the metrics token either.
            #expect(try await client.call(.get, "/metrics", token: try await client.login("cap.a")).status == 401)
            #expect(try await client.call(.get, "/metrics", token: "token-de-metricas-largo").status == 200)
        }
    }

    @Test func metricsFollowPrometheusNamingAndPassPromtool() async throws {
        var configuration = APIServer.Configuration()
        configuration.metricsToken = "token-de-metricas-largo"
        let world = try await APIWorld.make(configuration: configuration)
        try await world.account("cap.a", "FGE-07", [.capturista])
        try await world.catchUp()
        let text = try await world.test { client in
            let token = try await client.login("cap.a")
            _ = try await client.call(.post, "/v1/sesiones", body: ["usuario": "cap.a", "contrasena": "equivocada"])
            #expect(try await client.command("registrar-persona", persona(), token: token).status == 201)
            _ = try await client.call(.get, "/no-existe")
            return try await client.call(.get, "/metrics", token: "token-de-metricas-largo").text
        }
        let families = Self.families(text)
        for name in ["sintra_solicitudes_total", "sintra_solicitud_duracion_seconds", "sintra_proyeccion_retraso_eventos", "sintra_anexado_duracion_seconds",
                     "sintra_conexiones_saturacion_ratio", "sintra_conexiones_esperando", "sintra_inicios_de_sesion_fallidos_total", "sintra_eventos_anexados_total"] {
            #expect(families[name] != nil, "falta \(name)")
        }
        for (name, family) in families {
            #expect(family.help?.isEmpty == false, "\(name) sin HELP")
            if family.type == "counter" { #expect(name.hasSuffix("_total"), "\(name)") }
            if family.type == "histogram" { #expect(name.hasSuffix("_seconds"), "\(name)") }
        }
        #expect(text.contains("sintra_inicios_de_sesion_fallidos_total 1"), "\(text)")
        // The reference checker, when installed (ops/check-metrics installs it: Debian's prometheus package).
        if let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first(where: FileManager.default.isExecutableFile(atPath:)) {
            let (status, output) = try await Self.run(promtool, ["check", "metrics"], input: text)
            #expect(status == 0 && output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(output)")
        }
    }

    /// `# HELP` and `# TYPE` of each family in an exposition.
    static func families(_ text: String) -> [String: (type: String?, help: String?)] {
        var result: [String: (type: String?, help: String?)] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("# ") {
            let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
            guard parts.count >= 3 else { continue }
            if parts[1] == "TYPE" { result[parts[2], default: (nil, nil)].type = parts.count > 3 ? parts[3] : nil }
            if parts[1] == "HELP" { result[parts[2], default: (nil, nil)].help = parts.count > 3 ? parts[3] : "" }
        }
        return result
    }

    /// `promtool` reads the exposition on its standard input.
    static func run(_ program: String, _ arguments: [String], input: String) async throws -> (Int32, String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("metricas-\(UUID().uuidString).txt")
        try Data(input.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try await runProgram(URL(fileURLWithPath: "/bin/sh"), ["-c", "\"$0\" \"$@\" < \"\(file.path)\"", program] + arguments)
    }
}
