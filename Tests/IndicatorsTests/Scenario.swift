import CanonicalJSON
import Catalog
import Commands
import Definitions
import EventLog
import Foundation
import Indicators
import Postgres
import Privacy
import Projections
import TestDatabase
import Testing

/// A fresh database where a test records facts event by event through the real command path
/// (`CommandHandler.handle`, starting from the definitions' own examples), projects them with the
/// repository's projections and computes the repository's own fichas over them.
///
/// The fichas' results are then checked against figures worked out by hand from the scenario,
/// so a wrong query, a wrong window or a wrong flag shows up as a wrong number.
struct Scenario {
    let database: TestDatabase
    let handler: CommandHandler
    let projector: Projector

    /// "Today" for the command rules: after every date a scenario records, so none is refused as a future date.
    static let commandDay = CalendarDate("2025-06-30")!
    /// "Today" for the engine when a figure must be final: after the month of availability (at most July) of 2024.
    static let later = CalendarDate("2025-12-31")!

    static func make() async throws -> Scenario {
        let base = try await ProjectionWorld.make()
        return Scenario(database: base.database, handler: base.handler, projector: base.projector())
    }

    // MARK: - Recording

    /// Records example `example` of `eventType` with each path of `changes` replaced (the path must
    /// exist in the example, so a typo fails instead of silently recording the example unchanged)
    /// and the top-level keys in `removing` left out.
    @discardableResult
    func record(_ eventType: String, example: Int = 0, stream: String? = nil, by institution: String = "SEGOB",
                _ changes: KeyValuePairs<String, JSONValue> = [:], removing: [String] = []) async throws -> CommandResult {
        let definition = try #require(repositoryDefinitions.latest(eventType))
        var data = try #require(definition.examples.dropFirst(example).first, "\(eventType) no tiene el ejemplo \(example)")
        for key in removing {
            data = .object((data.objectValue ?? []).filter { $0.key != key })
        }
        for (path, value) in changes {
            try #require(FieldPath.value(at: path, in: data) != nil, "«\(path)» no está en el ejemplo \(example) de \(eventType)")
            data = FieldPath.replacing(path, in: data, with: value)
        }
        let context = CommandContext(userId: "usuario-\(institution.lowercased())", institutionId: institution, client: "pruebas",
                                     today: Self.commandDay)
        return try await handler.handle(Command(name: definition.command, data: data, streamId: stream, idempotencyKey: UUID().uuidString),
                                        context: context)
    }

    /// A programmed quantity or threshold (`ValorProgramadoEstablecido`); returns its log position.
    func valorProgramado(_ variable: String, _ valor: Double, alcance: String, _ desde: Int, _ hasta: Int, fecha: String) async throws -> Int64 {
        try await record("ValorProgramadoEstablecido", ["fecha": .string(fecha), "variable": .string(variable), "valor": .number(valor),
                                                        "alcanceTemporal": .string(alcance), "anioInicial": .number(Double(desde)),
                                                        "anioFinal": .number(Double(hasta))]).position
    }

    /// The list of institutions of a universe (`UniversoDeInstitucionesDefinido`); returns its log position.
    func universo(_ universo: String, _ instituciones: [String], _ desde: Int, _ hasta: Int, fecha: String = "2022-12-27") async throws -> Int64 {
        try await record("UniversoDeInstitucionesDefinido", ["fecha": .string(fecha), "universo": .string(universo),
                                                             "instituciones": .array(instituciones.map(JSONValue.string)),
                                                             "anioInicial": .number(Double(desde)), "anioFinal": .number(Double(hasta))]).position
    }

    /// An institution's annual report (`InformeAnualInstitucionalPresentado`) for `anio`; returns its log position.
    func informe(_ institucion: String, anio: Int, fecha: String, atencion: Bool = false, reintegracion: Bool = false,
                 reparacion: Bool = false, promueve: Bool = false) async throws -> Int64 {
        try await record("InformeAnualInstitucionalPresentado", by: "SEGOB",
                         ["fecha": .string(fecha), "anio": .number(Double(anio)), "institucion": .string(institucion),
                          "accionesDeAtencionIntegral": .bool(atencion), "accionesDeReintegracionSocial": .bool(reintegracion),
                          "accionesDeReparacionIntegral": .bool(reparacion), "promueveLaReparacionIntegral": .bool(promueve)]).position
    }

    /// A person registered by the institution that detected them (`VictimaRegistrada`, the example without CURP or
    /// birth date, so any detection date is consistent with the recorded age).
    func persona(detectada fecha: String, por institucion: String, calidad: String = "posible-victima") async throws -> CommandResult {
        try await record("VictimaRegistrada", example: 1, by: institucion,
                         ["fechaDeDeteccion": .string(fecha), "institucionQueDetecta": .string(institucion), "calidad": .string(calidad)])
    }

    /// The registering institution validates the case up to `version` (`RegistroValidado`).
    @discardableResult
    func validar(_ expediente: String, version: Int64, fecha: String, por institucion: String) async throws -> Int64 {
        try await record("RegistroValidado", stream: expediente, by: institucion,
                         ["fecha": .string(fecha), "versionValidada": .number(Double(version))]).position
    }

    /// An attention in a case (`AtencionOtorgada` v2): example 0 is an `asistencia`, example 2 a `reparacion-integral`.
    func atencion(_ expediente: String, fecha: String, institucion: String, reparacion: Bool = false, por registra: String) async throws -> Int64 {
        try await record("AtencionOtorgada", example: reparacion ? 2 : 0, stream: expediente, by: registra,
                         ["fecha": .string(fecha), "institucion": .string(institucion)]).position
    }

    // MARK: - Computing

    /// The repository's ficha `id`; with `kind` ("Acumulado" / "Periódico") the same ficha with only that field changed,
    /// to compare both ways of counting on the same data.
    static func ficha(_ id: String, kind: String? = nil) throws -> IndicatorDefinition {
        let folder = TestDatabase.repositoryRoot.appendingPathComponent("projections/indicators")
        let ficha = try #require(try IndicatorDefinition.loadAll(directory: folder).first { $0.id == id })
        guard let kind else { return ficha }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sintra-ficha-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // The loaded ficha carries its queries (`consulta`), as a recorded one does: no `.sql` files to copy.
        let changed = FieldPath.replacing("acumuladoOPeriodico", in: ficha.fields, with: .string(kind))
        try Data(CanonicalJSON.serialize(changed)).write(to: directory.appendingPathComponent("\(id).json"))
        return try #require(try IndicatorDefinition.loadAll(directory: directory).first)
    }

    /// Brings the live projections up to the head of the log.
    func project() async throws { try await projector.start() }

    /// Computes `ficha` for `years` as the engine would on `today`, over the live projections (caught up first) or `source`.
    func compute(_ ficha: IndicatorDefinition, _ years: [Int], today: CalendarDate = Scenario.later,
                 source: IndicatorEngine.Source? = nil) async throws -> [Int: IndicatorResult] {
        if source == nil { try await project() }
        let results = try await IndicatorEngine(pool: projector.pool, indicators: [ficha])
            .compute(years: years, source: source ?? .live, today: today)
        return Dictionary(uniqueKeysWithValues: results.map { ($0.year, $0) })
    }

    func compute(_ id: String, _ years: [Int], today: CalendarDate = Scenario.later) async throws -> [Int: IndicatorResult] {
        try await compute(try Self.ficha(id), years, today: today)
    }

    /// The projections as they stood when the log ended at `position` ("as known then", rule 6 of events/README.md).
    func asOf(_ position: Int64, label: String) async throws -> IndicatorEngine.Source {
        let schemas = try await projector.replay(until: position, label: label)
        return IndicatorEngine.Source(schemas: [try #require(schemas["hechos"]), try #require(schemas["expedientes"])], position: position)
    }
}

extension IndicatorResult {
    /// The value of variable `key` (nil when it is missing or the variable is unknown).
    func value(_ key: String) -> Double? { variables.first { $0.key == key }?.value }
    /// The log positions that made variable `key`.
    func positions(_ key: String) -> [Int64] { variables.first { $0.key == key }?.positions ?? [] }
}
