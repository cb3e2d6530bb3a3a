import CanonicalJSON
import Foundation
import Testing
import TestDatabase

/// The contract as integrators use it: `openapi-python-client` (PyPI, installed by ops/test) generates
/// a client from `events/openapi.json` with every operation in it, and a smoke run through that
/// client alone works a case against a live server.
@Suite(.needsDatabase) struct GeneratedClientTests {
    static let root = TestDatabase.repositoryRoot

    /// `runProgram` waits without holding a thread of the cooperative pool, which serves the live server too.
    static func run(_ arguments: [String]) async throws -> (Int32, String) {
        try await runProgram(URL(fileURLWithPath: "/usr/bin/env"), arguments)
    }

    @Test func aGeneratedPythonClientHasEveryOperationAndWorksACase() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cliente-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let package = folder.appendingPathComponent("cliente_sintra")
        let (status, output) = try await Self.run(["openapi-python-client", "generate", "--path", Self.root.appendingPathComponent("events/openapi.json").path,
                                                   "--meta", "none", "--output-path", package.path])
        #expect(status == 0, "\(output.suffix(1500))")
        #expect(!output.contains("WARNING") && !output.contains("Unable to"), "el generador omitió algo: \(output.suffix(1500))")

        // Every operation of the document is a module of the generated client.
        let contract = try CanonicalJSON.parse(try Data(contentsOf: Self.root.appendingPathComponent("events/openapi.json")))
        let operations = (contract["paths"]?.objectValue ?? []).flatMap { $0.value.objectValue ?? [] }.count
        let api = package.appendingPathComponent("api")
        var generated = 0
        for tag in try FileManager.default.contentsOfDirectory(atPath: api.path) where !tag.hasSuffix(".py") {
            generated += try FileManager.default.contentsOfDirectory(atPath: api.appendingPathComponent(tag).path)
                .filter { $0.hasSuffix(".py") && $0 != "__init__.py" }.count
        }
        #expect(operations > 80 && generated == operations, "\(generated) de \(operations) operaciones")

        // The smoke run: login, register a person, record an attention, read the case, the list, indicators, statistics.
        let world = try await APIWorld.make()
        try await world.account("capturista.fge", "FGE-07", [.capturista])
        let payloads = folder.appendingPathComponent("datos.json")
        try Data(CanonicalJSON.serialize(["persona": persona(), "atencion": atencion()])).write(to: payloads)
        let smoke = Self.root.appendingPathComponent("ops/smoke-client.py").path
        // The projections follow the log while the client works, as `sintra serve`'s projector does.
        let following = Task {
            while !Task.isCancelled {
                try? await world.catchUp()
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        defer { following.cancel() }
        let answer: (Int32, String) = try await world.test(live: true) { client in
            let port = try #require(client.port)
            return try await Self.run(["python3", smoke, folder.path, "http://127.0.0.1:\(port)", "capturista.fge", APIWorld.password, payloads.path])
        }
        #expect(answer.0 == 0, "\(answer.1.suffix(2000))")
        #expect(answer.1.contains("\"lineaDeTiempo\": 2"), "\(answer.1.suffix(600))")
    }

    /// The Swift client: `ops/swift-client/build` (run by ops/test) has swift-openapi-generator make it
    /// from the contract at build time and compiles a smoke run against it. Every operation of the
    /// document is a method of the generated `Client`, and the smoke run works a case through it.
    @Test func aGeneratedSwiftClientHasEveryOperationAndWorksACase() async throws {
        let scratch = try #require(ProcessInfo.processInfo.environment["SINTRA_SWIFT_CLIENT"].map { URL(fileURLWithPath: $0) },
                                   "ops/test compila el cliente Swift (ops/swift-client/build) y deja su carpeta en SINTRA_SWIFT_CLIENT")
        let generated = scratch.appendingPathComponent("plugins/outputs/swift-client/SintraClienteSmoke/destination/OpenAPIGenerator/GeneratedSources/Client.swift")
        let source = try String(contentsOf: generated, encoding: .utf8)
        let methods = source.split(separator: "\n").filter { $0.hasPrefix("    internal func ") }.count
        let contract = try CanonicalJSON.parse(try Data(contentsOf: Self.root.appendingPathComponent("events/openapi.json")))
        let operations = (contract["paths"]?.objectValue ?? []).flatMap { $0.value.objectValue ?? [] }.count
        #expect(operations > 80 && methods == operations, "\(methods) de \(operations) operaciones")

        let world = try await APIWorld.make()
        try await world.account("capturista.swift", "FGE-07", [.capturista])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cliente-swift-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let payloads = folder.appendingPathComponent("datos.json")
        try Data(CanonicalJSON.serialize(["persona": persona(), "atencion": atencion()])).write(to: payloads)
        let following = Task {
            while !Task.isCancelled {
                try? await world.catchUp()
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        defer { following.cancel() }
        let smoke = scratch.appendingPathComponent("debug/SintraClienteSmoke").path
        let answer: (Int32, String) = try await world.test(live: true) { client in
            let port = try #require(client.port)
            return try await Self.run([smoke, "http://127.0.0.1:\(port)", "capturista.swift", APIWorld.password, payloads.path])
        }
        #expect(answer.0 == 0, "\(answer.1.suffix(2000))")
        #expect(answer.1.contains("\"lineaDeTiempo\":2"), "\(answer.1.suffix(600))")
    }
}
