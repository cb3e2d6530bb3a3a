import API
import CanonicalJSON
import Foundation
import TestDatabase
import Testing

/// The contract in the repository is the one the server builds and serves, and the router answers
/// every operation it documents and nothing else.
@Suite(.needsDatabase) struct ContractTests {
    @Test func theRepositoryContractIsCurrent() throws {
        let built = OpenAPIDocument.text(APIServer.contract(definitions: repositoryDefinitions))
        let stored = try String(contentsOf: TestDatabase.repositoryRoot.appendingPathComponent("events/openapi.json"), encoding: .utf8)
        #expect(built == stored, "events/openapi.json está desactualizado: ejecute `sintra definitions openapi --write`")
    }

    @Test func everyDocumentedOperationIsRoutedAndNothingElse() async throws {
        let world = try await APIWorld.make()
        let stored = try CanonicalJSON.parse(try String(contentsOf: TestDatabase.repositoryRoot.appendingPathComponent("events/openapi.json"), encoding: .utf8))
        var operations: [(method: String, path: String, open: Bool)] = []
        for path in stored["paths"]?.objectValue ?? [] {
            for operation in path.value.objectValue ?? [] {
                operations.append((operation.key, path.key, operation.value["security"]?.arrayValue?.isEmpty ?? false))
            }
        }
        #expect(operations.count == world.server.endpoints.count)
        // Every command of every module has its endpoint, and no internal one does.
        for definition in repositoryDefinitions.current {
            let documented = operations.contains { $0.path.hasSuffix("/\(definition.command)") }
            #expect(documented == !definition.isInternal, "\(definition.command)")
        }
        let served = try await world.test { client in try await client.call(.get, "/openapi.json") }
        let servedDocument = try CanonicalJSON.parse(served.text)
        #expect(served.status == 200 && servedDocument == stored)
        let documented = operations
        let misrouted: [String] = try await world.test { client in
            var wrong: [String] = []
            for operation in documented {
                let uri = operation.path.replacingOccurrences(of: "{flujo}", with: "expediente-no-existe")
                    .replacingOccurrences(of: "{expediente}", with: "expediente-no-existe").replacingOccurrences(of: "{posicion}", with: "1")
                    .replacingOccurrences(of: "{usuario}", with: "usuario-no-existe").replacingOccurrences(of: "{archivo}", with: "datapackage.json")
                let answer = try await client.call(.init(operation.method.uppercased())!, uri)
                // Without a token a protected operation must say 401 (so it was routed); an open one must not be the
                // router's 404 or a 405 (its own 404, such as "nothing published yet", is routed).
                let unrouted = answer.status == 405 || (answer.status == 404 && answer.text.contains("La ruta no existe"))
                if operation.open ? unrouted : answer.status != 401 {
                    wrong.append("\(operation.method) \(operation.path): \(answer.status)")
                }
                if answer.status >= 400 && answer.headers[.contentType]?.hasPrefix("application/problem+json") != true {
                    wrong.append("\(operation.method) \(operation.path): error sin problem+json")
                }
            }
            for (method, uri) in [("GET", "/v1/no-documentada"), ("DELETE", "/v1/expedientes"), ("GET", "/v1/comandos/registrar-persona")] {
                let answer = try await client.call(.init(method)!, uri)
                if ![404, 405].contains(answer.status) { wrong.append("\(method) \(uri) no documentada respondió \(answer.status)") }
            }
            return wrong
        }
        #expect(misrouted.isEmpty, "\(misrouted.joined(separator: "\n"))")
    }
}
