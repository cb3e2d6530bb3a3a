import Accounts

/// The layout's links to the administration, audit and module-record pages, each shown only to
/// an account whose roles may open it (the pages ask the permissions table again themselves).
enum ManagementMenu {
    static func links(_ identity: Identity) -> [String: Bool] {
        let roles = identity.roles
        return [
            "cuentas": roles.contains(.administrador) || roles.contains(.auditor) || roles.contains(.supervisorInstitucional),
            "auditoria": roles.contains(.auditor),
            // Every role reads the module records (`leer-indicadores`: they carry no personal data).
            "registros": !roles.isEmpty,
        ]
    }
}
