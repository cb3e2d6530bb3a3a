import CanonicalJSON
import Catalog

/// Spanish labels and the display order of codes, taken from the catalogues in `events/catalogs/`.
public struct Labels: Sendable {
    let catalogs: CatalogSet

    public init(catalogs: CatalogSet) { self.catalogs = catalogs }

    /// The code the tables use for "not recorded".
    public static let unspecified = "no-especificado"
    public static let abroad = "EXT"
    public static let unknownEntidad = "NE"

    /// The age-band catalogues (`grupos-de-edad-…` in events/catalogs): their values carry
    /// `edadMinima` and `edadMaxima` (null for the open band).
    public var ageBandCatalogs: [String] { catalogs.catalogs.keys.filter { $0.hasPrefix("grupos-de-edad-") }.sorted() }

    public func catalogName(_ id: String) -> String { catalogs[id]?.name ?? id }

    /// The band of `age` in the age-band catalogue `catalog`; nil when the age is unknown.
    public func ageBand(_ age: Int?, in catalog: String) -> String? {
        guard let age else { return nil }
        return catalogs[catalog]?.values.first { value in
            guard case .number(let low)? = value.extra["edadMinima"] else { return false }
            let high: Double? = if case .number(let high)? = value.extra["edadMaxima"] { high } else { nil }
            return Double(age) >= low && high.map { Double(age) <= $0 } ?? true
        }?.code ?? Self.unspecified
    }

    /// The columns of every table: the 32 entidades, abroad, and not recorded.
    public var entidades: [Category] {
        (catalogs["entidades-federativas"]?.values ?? []).map { Category(code: $0.code, label: $0.label) }
            + [Category(code: Self.abroad, label: "En el extranjero"), Category(code: Self.unknownEntidad, label: "No especificada")]
    }

    /// Joins the values of a multi-valued attribute into the code of their combination (`a+b`).
    public static let combinationSeparator = "+"

    /// The label of `code` in `catalog`; places (`lugar`) are an entidad code or a country code.
    public func label(_ catalog: String, _ code: String) -> String {
        if code == Self.unspecified { return "No especificado" }
        if code.contains(Self.combinationSeparator) {
            let parts = code.split(separator: Character(Self.combinationSeparator)).map { label(catalog, String($0)) }
            return parts.dropLast().joined(separator: ", ") + " y " + parts.last!
        }
        switch catalog {
        case "lugar":
            return code.count == 2 ? (catalogs["entidades-federativas"]?.value(code)?.label ?? code)
                                   : (catalogs["paises"]?.value(code)?.label ?? code)
        case "ruta":
            let parts = code.split(separator: ">", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else { return code }
            return "\(label("lugar", parts[0])) → \(label("lugar", parts[1]))"
        case "cruce":
            if code == "no" { return "Sin cruce de frontera internacional" }
            if code == "si" { return "Con cruce, país no especificado" }
            return "Con cruce: \(label("paises", code))"
        case "nacionalidad-y-condicion":
            let parts = code.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else { return code }
            return "\(label("nacionalidades", parts[0])) · \(label("condicion-migratoria", parts[1]))"
        case "atencion":
            let parts = code.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else { return code }
            return "\(label("clasificacion-de-atencion", parts[0])) · \(label("tipos-de-atencion", parts[1]))"
        case "sexo-de-participantes":
            return ["mujeres": "Mujeres", "hombres": "Hombres", "otro": "Otro o no especificado", "sin-desglose": "Sin desglose por sexo"][code] ?? code
        default:
            return catalogs[catalog]?.value(code)?.label ?? code
        }
    }

    /// Catalogue order (then code), "not recorded" last: the order rows are shown in.
    public func order(_ catalog: String, _ codes: some Sequence<String>) -> [String] {
        func rank(_ code: String) -> (Int, Int, String) {
            if code == Self.unspecified { return (2, 0, code) }
            if code.contains(Self.combinationSeparator) {
                // Combinations after single values: by how many, then by their first value.
                let parts = code.split(separator: Character(Self.combinationSeparator)).map(String.init)
                let first = rank(parts[0])
                return (first.0, parts.count * 10_000 + first.1, code)
            }
            switch catalog {
            case "sexo-de-participantes": return (0, ["mujeres", "hombres", "otro", "sin-desglose"].firstIndex(of: code) ?? 9, code)
            case "lugar", "ruta", "cruce", "nacionalidad-y-condicion", "atencion": return (0, 0, code)
            default:
                let index = catalogs[catalog]?.values.firstIndex { $0.code == code }
                return (index == nil ? 1 : 0, index ?? 0, code)
            }
        }
        return Set(codes).sorted { rank($0) < rank($1) }
    }
}
