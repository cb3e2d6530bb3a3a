import Catalog

/// Spanish labels and the display order of codes, taken from the catalogues in `events/catalogs/`.
public struct Labels: Sendable {
    let catalogs: CatalogSet

    public init(catalogs: CatalogSet) { self.catalogs = catalogs }

    /// The code the tables use for "not recorded".
    public static let unspecified = "no-especificado"
    public static let abroad = "EXT"
    public static let unknownEntidad = "NE"

    static let ageBands: [(code: String, label: String)] = [
        ("0-11", "De 0 a 11 años"), ("12-17", "De 12 a 17 años"), ("18-29", "De 18 a 29 años"),
        ("30-59", "De 30 a 59 años"), ("60-o-mas", "60 años o más"),
    ]

    /// The columns of every table: the 32 entidades, abroad, and not recorded.
    public var entidades: [Category] {
        (catalogs["entidades-federativas"]?.values ?? []).map { Category(code: $0.code, label: $0.label) }
            + [Category(code: Self.abroad, label: "En el extranjero"), Category(code: Self.unknownEntidad, label: "No especificada")]
    }

    /// The label of `code` in `catalog`; places (`lugar`) are an entidad code or a country code.
    public func label(_ catalog: String, _ code: String) -> String {
        if code == Self.unspecified { return "No especificado" }
        switch catalog {
        case "grupo-de-edad": return Self.ageBands.first { $0.code == code }?.label ?? code
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
            switch catalog {
            case "grupo-de-edad": return (0, Self.ageBands.firstIndex { $0.code == code } ?? 99, code)
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
