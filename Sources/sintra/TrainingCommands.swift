import Accounts
import ArgumentParser
import Catalog
import Commands
import Demo
import EventLog
import Foundation
import Postgres
import Privacy

/// `sintra capacitacion …`: SINTRA Capacitación, the training environment (issue 16). Trainees practise on
/// synthetic data in a database of their own, marked as a training one (migration 0040), with a keyring of
/// its own; `reiniciar` brings it back to its initial state in seconds.
struct TrainingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capacitacion",
        abstract: "SINTRA Capacitación: el ambiente de práctica, con datos sintéticos que nunca llegan a las cifras de producción.",
        subcommands: [Reset.self])

    /// The demo accounts: one per role, at institutions where that role makes sense.
    static let demoAccounts: [(login: String, role: Role, institution: String, name: String)] = [
        ("capacitacion.administracion", .administrador, "SEGOB", "Administración de SINTRA Capacitación"),
        ("capacitacion.capturista", .capturista, "FGE-07", "Capturista de práctica"),
        ("capacitacion.supervision", .supervisorInstitucional, "FGE-07", "Supervisión institucional de práctica"),
        ("capacitacion.enlace", .enlaceEstatal, "CIES-07", "Enlace estatal de práctica"),
        ("capacitacion.secretaria", .secretariaTecnica, "SEGOB", "Secretaría Técnica de práctica"),
        ("capacitacion.auditoria", .auditor, "SEGOB", "Auditoría de práctica"),
    ]

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reiniciar",
            abstract: "Devuelve la base de capacitación a su estado inicial: la vacía, la migra, carga los datos de demostración y crea una cuenta por rol.",
            discussion: """
                Se niega a tocar una base de producción (o una sin marca que ya tenga eventos) y a usar un archivo de claves \
                que no sea de capacitación. Detenga antes sintra serve de capacitación: con conexiones abiertas a la base no \
                se reinicia. Las contraseñas nuevas de las cuentas de demostración van a --contrasenas (modo 0600) o, sin él, \
                a la salida estándar, una sola vez.
                """)
        @Option(name: .customLong("admin-url"), help: "Conexión del dueño de la base de capacitación (por omisión $SINTRA_ADMIN_DATABASE_URL).")
        var adminURL: String?
        @OptionGroup var command: CommandOptions
        @Option(help: "Carpeta de las migraciones (por omisión, como sintra migrate).") var directory: String?
        @Option(help: "Semilla de los datos de demostración.") var seed: UInt64 = 1
        @Option(help: "Personas con su historia en los datos de demostración.") var personas: Int = 200
        @Option(name: .customLong("contrasenas"), help: "Archivo donde escribir usuario y contraseña de cada cuenta de demostración (modo 0600).")
        var passwordsFile: String?

        func validate() throws {
            if !(1...100_000).contains(personas) { throw ValidationError("--personas: de 1 a 100000") }
        }

        func run() async throws {
            let started = Date()
            let config = try ConfigReader.load()
            let ownerURL = try config.required(Settings.adminURL, flag: adminURL, why: "falta la conexión del dueño de la base de capacitación")
            let keyring = try command.keys.load()
            guard keyring.environment == .capacitacion else {
                printError("ERROR: el archivo de claves es de producción: reiniciar solo usa un archivo de claves de capacitación "
                           + "(sintra keys generate ARCHIVO --ambiente capacitacion)")
                throw ExitCode(1)
            }
            let migrator = try Migrate.migrator(directory: directory)
            let owner = try await PostgresConnection.connect(ownerURL)
            do {
                try await Self.emptyTrainingDatabase(owner)
                _ = try await migrator.migrate(owner)
                try await DeploymentEnvironment.establish(.capacitacion, on: owner)
            } catch {
                await owner.close()
                throw error
            }
            await owner.close()

            let handler = try await command.makeHandler()
            let summary: DemoRunner.Summary
            let accounts: [(login: String, role: Role, institution: String, password: String)]
            do {
                try await EnvironmentOptions.require(.capacitacion, database: handler.store.pool)
                summary = try await DemoRunner(handler: handler, seed: seed, people: personas, today: CalendarDate.today()).run()
                accounts = try await Self.createDemoAccounts(try await AccountService.make(handler: handler))
            } catch {
                await handler.store.close()
                throw error
            }
            let head = try await handler.store.head().position
            await handler.store.close()
            guard summary.rejected.isEmpty else {
                for line in summary.rejected.prefix(20) { printError("  rechazado: \(line)") }
                printError("ERROR: \(summary.rejected.count) comando(s) de demostración rechazados")
                throw ExitCode(1)
            }
            let lines = accounts.map { "\($0.login)\t\($0.role.rawValue)\t\($0.institution)\t\($0.password)" }
            if let passwordsFile {
                let text = "# SINTRA Capacitación: cuentas de demostración (usuario, rol, institución, contraseña)\n" + lines.joined(separator: "\n") + "\n"
                try? FileManager.default.removeItem(atPath: passwordsFile)
                guard FileManager.default.createFile(atPath: passwordsFile, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
                    throw ValidationError("no se pudo escribir «\(passwordsFile)»")
                }
            }
            let seconds = Date().timeIntervalSince(started)
            print("SINTRA Capacitación reiniciada en \(String(format: "%.1f", seconds)) s: \(formatCount(head)) eventos "
                  + "(\(formatCount(Int64(summary.accepted))) de demostración, semilla \(seed), \(personas) personas) y \(accounts.count) cuentas de demostración.")
            print("CAPACITACIÓN: datos sintéticos; nada de lo que se registre aquí cuenta en las cifras oficiales.")
            if let passwordsFile {
                print("Cuentas (usuario y rol); contraseñas en \(passwordsFile):")
                for account in accounts { print("  \(account.login)\t\(account.role.rawValue)\t\(account.institution)") }
            } else {
                print("Cuentas (usuario, rol, institución, contraseña; se muestran solo esta vez):")
                for line in lines { print("  \(line)") }
            }
        }

        /// Drops everything in the training database (its schemas, with the log, the keys, the accounts and the
        /// projections), after checking it is one: a production database, or an unmarked one that holds events,
        /// is refused; so is one with other sessions open (a running server would go on with stale caches).
        static func emptyTrainingDatabase(_ owner: PostgresConnection) async throws {
            switch try await DeploymentEnvironment.of(owner) {
            case .capacitacion?, nil:
                break
            case .produccion?:
                printError("ERROR: la base es de producción: sintra capacitacion reiniciar solo vacía una base de capacitación "
                           + "(marcada con sintra migrate --ambiente capacitacion)")
                throw ExitCode(1)
            }
            // Sessions just closed (a server that was stopped a moment ago) take a little while to leave.
            var others: Int64 = 0
            for attempt in 0..<30 {
                others = try await owner.query("""
                    SELECT count(*) FROM pg_stat_activity
                     WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
                    """)[0].decode(Int64.self, 0)
                if others == 0 { break }
                if attempt < 29 { try await Task.sleep(for: .milliseconds(100)) }
            }
            guard others == 0 else {
                printError("ERROR: hay \(others) conexión(es) abiertas a la base de capacitación (¿sintra serve?): deténgalas antes de reiniciar")
                throw ExitCode(1)
            }
            // Every schema this role may drop: public (the log, keys, accounts) and the projections' and fichas' schemas.
            try await owner.execute(SQLScript("""
                DO $$
                DECLARE s record;
                BEGIN
                    FOR s IN SELECT nspname FROM pg_namespace
                              WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'
                                AND (nspname = 'public' OR pg_has_role(current_user, nspowner, 'USAGE')) LOOP
                        EXECUTE format('DROP SCHEMA %I CASCADE', s.nspname);
                    END LOOP;
                END
                $$;
                CREATE SCHEMA public;
                GRANT USAGE ON SCHEMA public TO PUBLIC;
                """, origin: "sintra capacitacion reiniciar"))
        }

        /// One account per role; the administrator through `bootstrap` (the first account, as on a new system),
        /// the others created by the console, as `sintra demo` writes: this is synthetic data for training.
        static func createDemoAccounts(_ service: AccountService) async throws -> [(login: String, role: Role, institution: String, password: String)] {
            var created: [(login: String, role: Role, institution: String, password: String)] = []
            for (index, account) in TrainingCommand.demoAccounts.enumerated() {
                if index == 0 {
                    let (_, password) = try await report {
                        try await service.bootstrap(institution: InstitutionRegistration(clave: account.institution),
                                                    administrator: UserRegistration(login: account.login, name: account.name,
                                                                                    institution: account.institution, roles: [account.role]))
                    }
                    created.append((account.login, account.role, account.institution, password))
                    continue
                }
                if try await service.directory.institution(account.institution) == nil {
                    _ = try await report { try await service.registerInstitution(InstitutionRegistration(clave: account.institution), by: .console) }
                }
                let password = AccountService.generatedPassword()
                _ = try await report {
                    try await service.registerUser(UserRegistration(login: account.login, name: account.name, institution: account.institution,
                                                                    roles: [account.role], password: password), by: .console)
                }
                created.append((account.login, account.role, account.institution, password))
            }
            return created
        }
    }
}
