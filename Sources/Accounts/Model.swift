import Foundation

/// What a person may be in SINTRA (issue 5). The raw values are the ones the events
/// (`UsuarioRegistrado.roles`) and the `permisos` table (migration 0010) use.
public enum Role: String, Sendable, CaseIterable, Comparable {
    case capturista
    /// Reviews and validates the records of their institution.
    case supervisorInstitucional = "supervisor-institucional"
    /// The liaison of a state commission (CIES).
    case enlaceEstatal = "enlace-estatal"
    /// The Secretaría Técnica of the Comisión Intersecretarial.
    case secretariaTecnica = "secretaria-tecnica"
    case auditor
    case administrador

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Everything a request may ask to do; the `accion` column of `permisos`.
public enum Action: String, Sendable, CaseIterable {
    /// Record or correct any module's records and the case commands (`registrar-persona`, `registrar-atencion`, …).
    case capturar
    case validar
    case registrarConsentimiento = "registrar-consentimiento"
    /// Link two cases as one person, or discard a possible duplicate.
    case vincularExpedientes = "vincular-expedientes"
    case borrarDatosPersonales = "borrar-datos-personales"
    /// Module `programa`: programmed values, universes, annual reports.
    case registrarHechosDelPrograma = "registrar-hechos-del-programa"
    /// Module `comisiones`: CIES sessions, agreements and their follow-up.
    case registrarComisiones = "registrar-comisiones"
    /// Case files without personal fields.
    case leerExpedientes = "leer-expedientes"
    /// Personal fields of a case (decrypted).
    case leerDatosPersonales = "leer-datos-personales"
    case leerIndicadores = "leer-indicadores"
    /// Adopt indicator definitions and publish figures.
    case publicar
    /// The event log itself: history, chain verification, figures as of a past date.
    case leerHistorial = "leer-historial"
    /// Institutions and accounts: register, roles, suspend, reactivate, assign passwords.
    case administrarCuentas = "administrar-cuentas"
    /// List accounts, institutions and the permission table.
    case leerCuentas = "leer-cuentas"
    case cambiarContrasena = "cambiar-contrasena"
    /// Take a module's record out of every figure (`anular-registro`); correcting one is `capturar`.
    case anularRegistros = "anular-registros"
}

/// Over which records an action is allowed, narrowest first; each includes the ones before it.
public enum Scope: String, Sendable, CaseIterable, Comparable {
    /// Records the user recorded (for an account: the user's own account).
    case propios
    /// Records of the user's institution, and cases referred to it with consent to share.
    case institucion
    /// Also records of the user's entidad federativa.
    case entidad
    case nacional

    public static func < (lhs: Scope, rhs: Scope) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// `InstitucionRegistrada.nivelDeGobierno`.
public enum GovernmentLevel: String, Sendable, CaseIterable {
    case federal, estatal, municipal
    /// Academia, civil society organisations, international bodies.
    case noGubernamental = "no-gubernamental"
}

/// Who is making a request, as `AccountService.authenticate(bearer:)` resolves it from the log on
/// every request (so a change of roles or a suspension takes effect at once). No personal data.
public struct Identity: Sendable, Equatable {
    /// The account's stream id, `usuario-<uuid>`; it goes into each event's metadata as `userId`.
    public let userId: String
    public let institution: String
    public let level: GovernmentLevel
    /// INEGI code of the institution's entidad; nil for national institutions.
    public let entidad: String?
    public let roles: Set<Role>

    public init(userId: String, institution: String, level: GovernmentLevel, entidad: String?, roles: Set<Role>) {
        self.userId = userId
        self.institution = institution
        self.level = level
        self.entidad = entidad
        self.roles = roles
    }
}

/// What decides whether a record is inside a user's scope. `RecordScopes` computes it for any
/// stream from the log; `newRecord(by:)` is the scope of something the user is about to create.
public struct RecordScope: Sendable, Equatable {
    /// `userId` of the first event of the record's stream (for an account: the account itself).
    public var recordingUser: String?
    public var recordingInstitution: String
    /// For a case, where it was detected; otherwise the recording institution's entidad.
    public var entidad: String?
    /// Institutions the case was referred to (not rejected) while its person consents to sharing.
    public var sharedWith: Set<String>

    public init(recordingUser: String?, recordingInstitution: String, entidad: String?, sharedWith: Set<String> = []) {
        self.recordingUser = recordingUser
        self.recordingInstitution = recordingInstitution
        self.entidad = entidad
        self.sharedWith = sharedWith
    }

    /// A record the user is about to create: theirs, their institution's, their entidad's.
    public static func newRecord(by identity: Identity) -> RecordScope {
        RecordScope(recordingUser: identity.userId, recordingInstitution: identity.institution, entidad: identity.entidad)
    }
}

/// Who asks for an account operation: a logged-in user (checked against `administrar-cuentas`), or
/// the console (`sintra accounts …`), whose operator already holds the database and the keyring.
public enum Requester: Sendable, Equatable {
    case user(Identity)
    case console
}

/// A new pair of bearer tokens. Both are shown to the client only now; the server keeps their SHA-256.
public struct TokenPair: Sendable, Equatable {
    public let userId: String
    /// Sent as `Authorization: Bearer …`; short-lived.
    public let accessToken: String
    public let accessTokenExpiresAt: Date
    /// Exchanged once for a new pair (`refresh`); never valid beyond the end of the session.
    public let refreshToken: String
    public let refreshTokenExpiresAt: Date
}

/// Lifetimes and limits. `standard` is what production uses; tests shorten the hash cost only.
public struct AccountPolicy: Sendable {
    public var accessTokenLifetime: TimeInterval = 15 * 60
    /// From login; refreshing never extends it (a stolen refresh token dies with the session).
    public var sessionLifetime: TimeInterval = 8 * 60 * 60
    public var maximumFailures = 5
    public var lockoutDuration: TimeInterval = 15 * 60
    public var minimumPasswordLength = 12
    public var maximumPasswordLength = 256
    public var passwordHashing: PasswordCost = .recommended

    /// The scrypt cost, mirrored here so callers need not import Cryptography.
    public enum PasswordCost: Sendable { case recommended, testing }

    public static let standard = AccountPolicy()
    public init() {}
}
