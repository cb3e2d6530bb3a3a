import Accounts
import ArgumentParser
import CanonicalJSON
import Foundation
import Postgres

/// `sintra accounts …`: the console side of accounts. Only `bootstrap` acts as the console (recorded
/// as `userId: "consola"`): it creates the first account, when there is none. Every other change acts
/// as an account (`--cuenta` or `--token`) with the permissions of its roles, as through the API:
/// holding the database URL and the keyring is not a licence to change accounts unrecorded.
struct AccountsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accounts",
        abstract: "Cuentas: la primera cuenta administradora, instituciones, usuarios, roles, contraseñas, suspensiones, permisos.",
        discussion: "Cada cambio queda como evento en el registro. Las contraseñas generadas se muestran una sola vez y solo se guarda su hash.",
        subcommands: [Bootstrap.self, AddInstitution.self, AddUser.self, SetPassword.self, Roles.self, Suspend.self, Reactivate.self,
                      List.self, Permissions.self])

    struct Bootstrap: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Crea la primera institución y la primera cuenta administradora (solo si no hay cuentas).")
        @OptionGroup var options: CommandOptions
        @Option(name: .customLong("institucion"), help: "Clave de la institución (del catálogo, o nueva con --nombre-institucion y --nivel).")
        var institution: String
        @Option(name: .customLong("nombre-institucion"), help: "Nombre, si la clave no está en el catálogo.") var institutionName: String?
        @Option(name: .customLong("nivel"), help: "federal, estatal, municipal o no-gubernamental, si no está en el catálogo.") var level: String?
        @Option(name: .customLong("entidad"), help: "Clave INEGI de la entidad, si no está en el catálogo.") var entidad: String?
        @Option(name: .customLong("usuario"), help: "Con qué iniciará sesión.") var login: String
        @Option(name: .customLong("nombre"), help: "Nombre completo de la persona.") var name: String
        @Option(name: .customLong("correo"), help: "Correo institucional.") var email: String?

        func run() async throws {
            let service = try await options.makeAccountService()
            let registration = InstitutionRegistration(clave: institution, name: institutionName, level: try parseLevel(level), entidad: entidad)
            let (account, password) = try await report {
                try await service.bootstrap(institution: registration, administrator: UserRegistration(
                    login: login, name: name, email: email, institution: institution, roles: [.administrador]))
            }
            print("Cuenta administradora creada: \(account.userId) (\(account.institution)).")
            print("Contraseña (se muestra solo esta vez; cámbiela al entrar): \(password)")
        }
    }

    struct AddInstitution: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-institution", abstract: "Registra una institución en SINTRA.")
        @OptionGroup var options: CommandOptions
        @OptionGroup var acting: ActingAccountOptions
        @Option(name: .customLong("clave")) var clave: String
        @Option(name: .customLong("nombre")) var name: String?
        @Option(name: .customLong("nivel"), help: "federal, estatal, municipal o no-gubernamental.") var level: String?
        @Option(name: .customLong("entidad")) var entidad: String?
        @Option(name: .customLong("municipio")) var municipio: String?

        func run() async throws {
            let service = try await options.makeAccountService()
            let registration = InstitutionRegistration(clave: clave, name: name, level: try parseLevel(level), entidad: entidad, municipio: municipio)
            let requester = Requester.user(try await acting.identity(service))
            let record = try await report { try await service.registerInstitution(registration, by: requester) }
            print("Institución registrada: \(record.clave) — \(record.name) (\(record.level.rawValue)\(record.entidad.map { ", entidad \($0)" } ?? "")).")
        }
    }

    struct AddUser: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-user", abstract: "Crea una cuenta con una contraseña generada que se muestra una vez.")
        @OptionGroup var options: CommandOptions
        @OptionGroup var acting: ActingAccountOptions
        @Option(name: .customLong("usuario")) var login: String
        @Option(name: .customLong("nombre")) var name: String
        @Option(name: .customLong("correo")) var email: String?
        @Option(name: .customLong("institucion")) var institution: String
        @Option(name: .customLong("roles"), help: "Separados por comas: \(Role.allCases.map(\.rawValue).joined(separator: ", ")).") var roles: String

        func run() async throws {
            let service = try await options.makeAccountService()
            let password = AccountService.generatedPassword()
            let requester = Requester.user(try await acting.identity(service))
            let account = try await report {
                try await service.registerUser(UserRegistration(login: login, name: name, email: email, institution: institution,
                                                                roles: try parseRoles(roles), password: password), by: requester)
            }
            print("Cuenta creada: \(account.userId) (\(account.institution); \(account.roles.map(\.rawValue).joined(separator: ", "))).")
            print("Contraseña (se muestra solo esta vez): \(password)")
        }
    }

    struct SetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-password",
                                                        abstract: "Asigna una contraseña generada (cierra las sesiones abiertas y levanta un bloqueo).")
        @OptionGroup var options: CommandOptions
        @OptionGroup var acting: ActingAccountOptions
        @Argument(help: "Identificador de la cuenta (usuario-…).") var userId: String

        func run() async throws {
            let service = try await options.makeAccountService()
            let password = AccountService.generatedPassword()
            let requester = Requester.user(try await acting.identity(service))
            try await report { try await service.setPassword(of: userId, to: password, by: requester) }
            print("Contraseña nueva (se muestra solo esta vez): \(password)")
        }
    }

    struct Roles: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sustituye los roles de una cuenta.")
        @OptionGroup var options: CommandOptions
        @OptionGroup var acting: ActingAccountOptions
        @Argument(help: "Identificador de la cuenta (usuario-…).") var userId: String
        @Option(name: .customLong("roles"), help: "Separados por comas.") var roles: String
        @Option(name: .customLong("motivo")) var reason: String?

        func run() async throws {
            let service = try await options.makeAccountService()
            let requester = Requester.user(try await acting.identity(service))
            let account = try await report { try await service.changeRoles(of: userId, to: try parseRoles(roles), reason: reason, by: requester) }
            print("Roles de \(account.userId): \(account.roles.map(\.rawValue).joined(separator: ", ")).")
        }
    }

    struct Suspend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Suspende una cuenta y cierra sus sesiones.")
        @OptionGroup var options: CommandOptions
        @OptionGroup var acting: ActingAccountOptions
        @Argument(help: "Identificador de la cuenta (usuario-…).") var userId: String
        @Option(name: .customLong("motivo")) var reason: String

        func run() async throws {
            let service = try await options.makeAccountService()
            let requester = Requester.user(try await acting.identity(service))
            try await report { _ = try await service.suspend(userId, reason: reason, by: requester) }
            print("Cuenta \(userId) suspendida.")
        }
    }

    struct Reactivate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reactiva una cuenta suspendida.")
        @OptionGroup var options: CommandOptions
        @OptionGroup var acting: ActingAccountOptions
        @Argument(help: "Identificador de la cuenta (usuario-…).") var userId: String
        @Option(name: .customLong("motivo")) var reason: String?

        func run() async throws {
            let service = try await options.makeAccountService()
            let requester = Requester.user(try await acting.identity(service))
            try await report { _ = try await service.reactivate(userId, reason: reason, by: requester) }
            print("Cuenta \(userId) reactivada.")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cuentas, del alta más antigua a la más reciente (sin datos personales salvo --datos-personales).",
            discussion: "Con --datos-personales actúa como una cuenta (--cuenta o --token) con permiso «leer-cuentas», declara el --motivo y cada cuenta mostrada queda registrada como consulta de datos personales.")
        @OptionGroup var options: CommandOptions
        @OptionGroup var acting: ActingAccountOptions
        @Option(name: .customLong("institucion")) var institution: String?
        @Flag(name: .customLong("datos-personales"), help: "Muestra nombre y usuario (descifrados); requiere --motivo y una cuenta.") var personal = false
        @Option(name: .customLong("motivo"), help: "Para qué se consultan los nombres y usuarios.") var purpose: String?
        @Option(help: "texto o json.") var format: DataFormat = .texto

        func validate() throws {
            if personal && (purpose ?? "").trimmingCharacters(in: .whitespaces).count < PersonalDataAccess.minimumPurposeLength {
                throw ValidationError("--datos-personales requiere --motivo (al menos \(PersonalDataAccess.minimumPurposeLength) caracteres): toda consulta de datos personales declara su finalidad")
            }
        }

        func run() async throws {
            let service = try await options.makeAccountService()
            let accounts = try await service.directory.accounts(institution: institution)
            var access: (PersonalDataAccess, Identity)?
            if personal { access = (PersonalDataAccess(accounts: service), try await acting.identity(service)) }
            var table = access == nil ? TextTable("cuenta", "institución", "estado", "roles") : TextTable("cuenta", "institución", "estado", "roles", "usuario", "nombre")
            var items: [JSONValue] = []
            for account in accounts {
                let state = account.active ? "activa" : "suspendida", roles = account.roles.map(\.rawValue).joined(separator: ",")
                if let (reader, identity) = access, let purpose {
                    // Each account's name is authorised and recorded before it is printed.
                    try await report { try await reader.authorize(identity, record: account.userId, purpose: purpose) }
                    try await report { try await reader.record(account.userId, fields: ["nombre", "usuario"], purpose: purpose, by: identity, client: "consola") }
                    let data = try await service.directory.personalData(of: account.userId)
                    table.add(account.userId, account.institution, state, roles, data?.login ?? "(borrado)", data?.name ?? "(borrado)")
                    items.append(["cuenta": .string(account.userId), "institucion": .string(account.institution), "activa": .bool(account.active),
                                  "roles": .array(account.roles.map { .string($0.rawValue) }),
                                  "usuario": data?.login.map(JSONValue.string) ?? .null, "nombre": data?.name.map(JSONValue.string) ?? .null])
                } else {
                    table.add(account.userId, account.institution, state, roles)
                    items.append(["cuenta": .string(account.userId), "institucion": .string(account.institution), "activa": .bool(account.active),
                                  "roles": .array(account.roles.map { .string($0.rawValue) })])
                }
            }
            if format == .json { printJSON(["cuentas": .array(items)]); return }
            table.print()
            print("\(accounts.count) cuenta(s).")
        }
    }

    struct Permissions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "La tabla de permisos (rol × acción × alcance), tal como está en la base.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "texto o json.") var format: DataFormat = .texto

        func run() async throws {
            let authorizer = try await Authorizer.load(from: ConnectionPool(connectionString: try database.resolved(), maxConnections: 1))
            if format == .json {
                printJSON(["permisos": .array(authorizer.permissions.map { permission in
                    ["rol": .string(permission.role.rawValue), "accion": .string(permission.action.rawValue), "alcance": .string(permission.scope.rawValue),
                     "requiereMotivo": .bool(permission.requiresReason), "explicacion": .string(permission.explanation)]
                })])
                return
            }
            var table = TextTable("rol", "acción", "alcance", "motivo", "explicación")
            for permission in authorizer.permissions {
                table.add(permission.role.rawValue, permission.action.rawValue, permission.scope.rawValue,
                          permission.requiresReason ? "con motivo" : "", permission.explanation)
            }
            table.print()
        }
    }
}

extension CommandOptions {
    func makeAccountService() async throws -> AccountService {
        try await AccountService.make(handler: try await makeHandler())
    }
}

/// Runs an account operation; its problems are printed one per line in Spanish and exit with 1.
@discardableResult
func report<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as AccountError {
        printError("ERROR: " + (error.problems.isEmpty ? error.message : error.problems.map { "  • \($0)" }.joined(separator: "\n")))
        throw ExitCode(1)
    }
}

private func parseLevel(_ text: String?) throws -> GovernmentLevel? {
    guard let text else { return nil }
    guard let level = GovernmentLevel(rawValue: text) else {
        throw ValidationError("--nivel: use \(GovernmentLevel.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return level
}

private func parseRoles(_ text: String) throws -> [Role] {
    try text.split(separator: ",").map { name in
        guard let role = Role(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
            throw ValidationError("rol «\(name)» desconocido; use \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return role
    }
}
