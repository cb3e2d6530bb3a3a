import CanonicalJSON
import Definitions
import Foundation
import TestDatabase
import Testing

/// Our validator against a reference implementation: Python `jsonschema` (Draft 2020-12) judges a
/// corpus of every example and deterministic mutations of it (fields removed, added, retyped,
/// emptied, lengthened, impossible dates…); our verdict must be the same on every case.
@Suite struct CrossCheckTests {
    @Test func ourValidatorAgreesWithPythonJsonschemaOnTheWholeCorpus() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "ops/check-definitions.py", "--corpus"]
        process.currentDirectoryURL = TestDatabase.repositoryRoot
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "ops/check-definitions.py --corpus falló: \(errorText)")

        var cases = 0, valid = 0
        var disagreements: [String] = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let entry = try CanonicalJSON.parse(String(line))
            let name = try #require(entry["definicion"]?.stringValue)
            let parts = name.split(separator: ".v")
            let definition = try #require(repositoryDefinitions.definition(String(parts[0]), version: Int(parts[1])!), "\(name)")
            guard let expected = entry["valido"]?.boolValue else { Issue.record("línea sin veredicto: \(line)"); continue }
            let payload = try #require(entry["datos"])
            let ours = repositoryDefinitions.validateSchemaOnly(payload, definition: definition)
            cases += 1
            if expected { valid += 1 }
            if ours.isEmpty != expected {
                disagreements.append("\(name) «\(entry["caso"]?.stringValue ?? "")»: jsonschema \(expected ? "válido" : "inválido"), nosotros \(ours)")
            }
        }
        #expect(cases > 1_000, "corpus demasiado pequeño: \(cases)")
        #expect(valid > 50 && valid < cases, "el corpus debe tener casos válidos e inválidos (\(valid) de \(cases))")
        #expect(disagreements.isEmpty, "\(disagreements.count) desacuerdos:\n\(disagreements.prefix(20).joined(separator: "\n"))")
    }
}
