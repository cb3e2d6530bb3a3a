import Accounts

/// The links of the Secretaría Técnica's pages an account may open, each by its own row of the
/// permissions table (the pages ask the same rows): `false` (no block) when it may open none.
enum ProgramMenu {
    static func links(_ identity: Identity, _ authorizer: Authorizer?) -> Any {
        guard let authorizer else { return false }
        let links = [
            "indicadores": authorizer.widestScope(identity, .leerIndicadores) != nil,
            "hechos": authorizer.widestScope(identity, .registrarHechosDelPrograma) != nil,
            "publicar": authorizer.widestScope(identity, .publicar) != nil,
            "reportes": authorizer.widestScope(identity, .leerIndicadores) != nil,
        ]
        return links.values.contains(true) ? links : false
    }
}
