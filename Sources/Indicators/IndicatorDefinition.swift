import CanonicalJSON
import Foundation

/// One PNTdP ficha from `projections/indicators/<id>.json`: every field of the ficha, and its
/// método de cálculo with each variable bound to a query over the projections (its `.sql` file
/// beside the ficha, see `withQueryFiles`).
public struct IndicatorDefinition: Sendable {
    public struct Variable: Sendable {
        public let key: String
        public let name: String
        public let description: String
        let query: String
    }

    public let id: String
    public let version: Int
    public let fields: JSONValue
    public let name: String
    public let isCumulative: Bool
    public let unit: String
    public let availabilityMonth: Int
    public let baselineValue: Double
    public let baselineYear: Int
    public let target: Double
    public let targetYear: Int
    public let formulaKey: String
    public let formulaText: String
    let formula: Formula
    public let variables: [Variable]
    /// As printed in the seed's annex, by year ("33.34", "NA", "66 p/").
    public let published: [Int: String]
    /// The whole ficha as canonical JSON (RFC 8785): what `DefinicionDeIndicadorAdoptada` records,
    /// so a past figure can be recomputed with the definition that was in force.
    public var document: String { String(decoding: CanonicalJSON.serialize(fields), as: UTF8.self) }

    public struct LoadError: Error, CustomStringConvertible, Sendable { public let description: String }

    static let keys: Set<String> = ["id", "version", "nombre", "objetivo", "definicion", "nivelDeDesagregacion", "periodicidad", "tipo",
        "acumuladoOPeriodico", "unidadDeMedida", "periodoDeRecoleccion", "dimension", "mesDeDisponibilidad", "tendenciaEsperada",
        "unidadResponsable", "lineaBase", "meta", "seriePublicada", "metodoDeCalculo", "observaciones"]

    /// Every `*.json` of the folder with its queries (`<id>.<CLAVE>.sql`), sorted by id; every problem of every file reported at once.
    public static func loadAll(directory: URL) throws -> [IndicatorDefinition] {
        let listed = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let files = listed.filter { $0.hasSuffix(".json") }.sorted()
        var problems: [String] = []
        var result: [IndicatorDefinition] = []
        for file in files {
            do {
                let data = try Data(contentsOf: directory.appendingPathComponent(file))
                let json = try withQueryFiles(try CanonicalJSON.parse(data), file: file, directory: directory, siblings: listed)
                result.append(try read(json, file: file))
            } catch let error as LoadError {
                problems.append(error.description)
            } catch let error as JSONParseError {
                problems.append("\(file): JSON no válido: \(error.message)")
            } catch {
                problems.append("\(file): no se pudo leer")
            }
        }
        guard problems.isEmpty else { throw LoadError(description: problems.joined(separator: "\n")) }
        return result.sorted { $0.id.compare($1.id, options: .numeric) == .orderedAscending }
    }

    /// A ficha recorded in the log (the `documento` of `DefinicionDeIndicadorAdoptada`).
    public static func parse(document: String) throws -> IndicatorDefinition {
        let json: JSONValue
        do { json = try CanonicalJSON.parse(document) } catch { throw LoadError(description: "ficha registrada: JSON no válido: \(error.message)") }
        return try read(json, file: "\(json["id"]?.stringValue ?? "?").json")
    }

    static func read(_ json: JSONValue, file: String) throws -> IndicatorDefinition {
        func fail(_ message: String) -> LoadError { LoadError(description: "projections/indicators/\(file): \(message)") }
        for member in json.objectValue ?? [] where !keys.contains(member.key) { throw fail("clave desconocida «\(member.key)»") }
        for key in keys where key != "observaciones" && json[key] == nil { throw fail("falta «\(key)»") }
        guard let id = json["id"]?.stringValue, file == "\(id).json", let version = json["version"]?.int64Value,
              let name = json["nombre"]?.stringValue, let kind = json["acumuladoOPeriodico"]?.stringValue, ["Acumulado", "Periódico"].contains(kind),
              let month = json["mesDeDisponibilidad"]?.int64Value, (1...12).contains(month),
              let baseline = json["lineaBase"]?["valor"]?.numberValue, let baselineYear = json["lineaBase"]?["anio"]?.int64Value,
              let target = json["meta"]?["valor"]?.numberValue, let targetYear = json["meta"]?["anio"]?.int64Value,
              let method = json["metodoDeCalculo"], let key = method["clave"]?.stringValue, let formulaText = method["formula"]?.stringValue,
              let variableList = method["variables"]?.arrayValue, !variableList.isEmpty
        else { throw fail("id (igual al archivo), version, nombre, acumuladoOPeriodico (Acumulado|Periódico), mesDeDisponibilidad (1–12), lineaBase, meta y metodoDeCalculo {clave, formula, variables} son obligatorios") }
        let formula: Formula
        do { formula = try Formula.parse(formulaText) } catch { throw fail("\(error)") }
        let variables = try variableList.map { item -> Variable in
            guard let key = item["clave"]?.stringValue, let query = item["consulta"]?.stringValue else { throw fail("cada variable requiere clave y consulta") }
            if query.contains(";") { throw fail("la consulta de \(key) no puede contener «;»") }
            return Variable(key: key, name: item["nombre"]?.stringValue ?? key, description: item["descripcion"]?.stringValue ?? "", query: query)
        }
        let declared = Set(variables.map(\.key))
        for used in formula.variables where !declared.contains(used) { throw fail("la fórmula usa «\(used)», que no es una variable declarada") }
        var published: [Int: String] = [:]
        for member in json["seriePublicada"]?.objectValue ?? [] {
            if let year = Int(member.key), let text = member.value.stringValue { published[year] = text }
        }
        return IndicatorDefinition(
            id: id, version: Int(version), fields: json, name: name, isCumulative: kind == "Acumulado",
            unit: json["unidadDeMedida"]?.stringValue ?? "", availabilityMonth: Int(month), baselineValue: baseline,
            baselineYear: Int(baselineYear), target: target, targetYear: Int(targetYear), formulaKey: key, formulaText: formulaText,
            formula: formula, variables: variables, published: published)
    }
}
