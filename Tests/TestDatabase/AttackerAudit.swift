import CanonicalJSON
import Foundation

/// The attacker's audit (`ops/audit-suppression.py`, scipy's HiGHS): reads released JSON documents
/// as the public gets them and finds, by linear programming, the interval each suppressed figure
/// can be narrowed to. Independent of `Suppression`: it sees only what is published.
public struct AttackerAudit: CustomStringConvertible, Sendable {
    public let tables: Int
    public let groups: Int
    public let suppressed: Int
    /// The narrowest interval found (nil when nothing was suppressed); a width of nil is unbounded.
    public let narrowest: JSONValue?
    public let failures: [JSONValue]
    /// Every suppressed figure's interval, when asked for (`intervals: true`).
    public let intervals: [JSONValue]

    public var narrowestWidth: Double? { narrowest?["ancho"]?.doubleValue }

    public var description: String {
        "\(tables) tablas en \(groups) grupos, \(suppressed) cifras suprimidas, intervalo más estrecho \(narrowestWidth.map { String($0) } ?? "sin límite") "
            + "(\(narrowest.map { "\($0["anio"]?.doubleValue.map { Int($0) } ?? 0) \($0["tabla"]?.stringValue ?? "") \($0["fila"]?.stringValue ?? "") × \($0["columna"]?.stringValue ?? "")" } ?? "-")), "
            + "\(failures.count) fallas"
    }

    /// Audits `documents` (JSON texts); `level` overrides each document's threshold.
    public static func run(_ documents: [String], level: Int? = nil, integers: Bool = false, intervals: Bool = false) async throws -> AttackerAudit {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sintra-auditoria-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var paths: [String] = []
        for (index, document) in documents.enumerated() {
            let path = folder.appendingPathComponent("entrega-\(index).json").path
            try Data(document.utf8).write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }
        let script = TestDatabase.repositoryRoot.appendingPathComponent("ops/audit-suppression.py").path
        var arguments = ["python3", script] + paths
        if let level { arguments += ["--nivel", String(level)] }
        if integers { arguments.append("--enteros") }
        if intervals { arguments.append("--intervalos") }
        let (_, output) = try await runProgram(URL(fileURLWithPath: "/usr/bin/env"), arguments, standardErrorToo: false)
        guard let parsed = try? CanonicalJSON.parse(output.trimmingCharacters(in: .whitespacesAndNewlines)), let tables = parsed["tablas"]?.doubleValue else {
            throw AuditError.noAnswer(String(output.prefix(400)))
        }
        return AttackerAudit(tables: Int(tables), groups: Int(parsed["grupos"]?.doubleValue ?? 0), suppressed: Int(parsed["suprimidas"]?.doubleValue ?? 0),
                             narrowest: parsed["masEstrecho"].flatMap { $0 == .null ? nil : $0 }, failures: parsed["fallas"]?.arrayValue ?? [],
                             intervals: parsed["intervalos"]?.arrayValue ?? [])
    }

    public enum AuditError: Error, CustomStringConvertible {
        case noAnswer(String)
        public var description: String {
            switch self { case .noAnswer(let output): "la auditoría (scipy) no respondió; ¿está instalado? ops/test lo instala: \(output)" }
        }
    }

    /// A released document for bare grids: one group of tables sharing their last row, year 2023,
    /// rows `f0`, `f1`…, columns `c0`, `c1`…, in the format `StatisticsRenderer.json` publishes.
    public static func document(_ grids: [[[Int]]], _ hidden: [[[Bool]]], threshold: Int, group: String = "g") -> String {
        func value(_ t: Int, _ r: Int, _ c: Int) -> JSONValue { hidden[t][r][c] ? .null : .number(Double(grids[t][r][c])) }
        let tables: [JSONValue] = grids.indices.map { t in
            let grid = grids[t], rows = grid.count - 1, columns = grid[0].count - 1
            return [
                "id": .string("t\(t)"), "anio": 2023, "grupo": .string(group),
                "columnas": .array((0..<columns).map { ["clave": .string("c\($0)")] }),
                "filas": .array((0..<rows).map { r in
                    ["clave": .string("f\(r)"), "valores": .array((0..<columns).map { value(t, r, $0) }), "total": value(t, r, columns)]
                }),
                "totales": ["valores": .array((0..<columns).map { value(t, rows, $0) }), "total": value(t, rows, columns)],
            ]
        }
        return String(decoding: CanonicalJSON.serialize(["umbral": .number(Double(threshold)), "tablas": .array(tables)]), as: UTF8.self)
    }
}

extension JSONValue {
    public var doubleValue: Double? { if case .number(let value) = self { value } else { nil } }
}
