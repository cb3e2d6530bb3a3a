import ArgumentParser
import CanonicalJSON
import EventLog
import Foundation
import Postgres
import Privacy
import Projections

/// `sintra doctor`: checks a deployment before (and while) it serves, and says in Spanish what to
/// fix. Each check stands alone: one that fails does not hide the others. Nothing is written (the
/// keyring's fingerprint is compared, never established).
struct Doctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Revisa un despliegue: base alcanzable, migraciones al día, archivo de claves de esta base, proyecciones al día, reloj y disco; dice qué corregir.",
        discussion: "Sale con 0 si no hay fallas (los avisos no cuentan), 1 si hay alguna. No escribe nada.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var keys: KeyringOptions
    @OptionGroup var projector: ProjectorOptions
    @OptionGroup var environment: EnvironmentOptions
    @Option(help: "Carpeta de las migraciones (por omisión $SINTRA_MIGRATIONS_DIR o la del repositorio).") var directory: String?
    @Option(name: .customLong("retraso-maximo"), help: "Eventos de retraso de una proyección a partir de los cuales es una falla.") var maxLag: Int64 = 10_000
    @Option(name: .customLong("desfase-maximo"), help: "Segundos de diferencia entre este reloj y el de PostgreSQL a partir de los cuales es un aviso.")
    var maxSkew: Double = 2
    @Option(name: .customLong("disco-minimo"), help: "Porcentaje libre mínimo del disco del archivo de claves y de la carpeta actual.") var minFreePercent: Double = 10
    @Option var format: DataFormat = .texto

    enum Level: String { case ok, aviso, falla }

    struct Finding {
        let check: String
        let level: Level
        let detail: String
        /// What to do, for the operator; empty when nothing.
        let fix: String
    }

    func run() async throws {
        var findings: [Finding] = []
        let connection = await checkDatabase(&findings)
        if let connection {
            await checkMigrations(connection, &findings)
            await checkEnvironment(connection, &findings)
            await checkKeyring(connection, &findings)
            await checkProjections(&findings)
            await checkClock(connection, &findings)
            await connection.close()
        }
        checkDisk(&findings)
        report(findings)
        if findings.contains(where: { $0.level == .falla }) { throw ExitCode(1) }
    }

    func report(_ findings: [Finding]) {
        if format == .json {
            printJSON(["revisiones": .array(findings.map { ["revision": .string($0.check), "estado": .string($0.level.rawValue),
                                                            "detalle": .string($0.detail), "queHacer": .string($0.fix)] })])
            return
        }
        for finding in findings {
            let mark = finding.level == .ok ? "ok   " : finding.level == .aviso ? "AVISO" : "FALLA"
            print("\(mark)  \(finding.check): \(finding.detail)")
            if !finding.fix.isEmpty { print("       Qué hacer: \(finding.fix)") }
        }
        let failures = findings.filter { $0.level == .falla }.count, warnings = findings.filter { $0.level == .aviso }.count
        print(failures == 0 ? "Sin fallas (\(warnings) aviso(s))." : "\(failures) falla(s), \(warnings) aviso(s).")
    }

    func checkDatabase(_ findings: inout [Finding]) async -> PostgresConnection? {
        let url: String
        do { url = try database.resolved() } catch {
            findings.append(Finding(check: "base de datos", level: .falla, detail: "no está configurada",
                                    fix: "Defina DATABASE_URL (rol sintra_app) en /etc/sintra/sintra.env o el entorno; vea `sintra configuracion`."))
            return nil
        }
        do {
            let connection = try await PostgresConnection.connect(url)
            let version = try await connection.query("SELECT current_setting('server_version'), current_user")[0]
            findings.append(Finding(check: "base de datos", level: .ok,
                                    detail: "responde (PostgreSQL \(try version.decode(String.self, 0)), rol \(try version.decode(String.self, 1)))", fix: ""))
            return connection
        } catch {
            findings.append(Finding(check: "base de datos", level: .falla, detail: "no responde: \(Self.firstLine(error))",
                                    fix: "Compruebe que PostgreSQL esté en marcha (systemctl status postgresql) y que DATABASE_URL apunte a él con el rol sintra_app y su contraseña; revise pg_hba.conf."))
            return nil
        }
    }

    func checkMigrations(_ connection: PostgresConnection, _ findings: inout [Finding]) async {
        do {
            let migrator = try Migrate.migrator(directory: directory)
            var applied: [Int: String] = [:]
            for row in try await connection.query("SELECT version, checksum FROM sintra_migrations") {
                applied[try row.decode(Int.self, 0)] = try row.decode(String.self, 1)
            }
            let pending = migrator.migrations.filter { applied[$0.version] == nil }
            let changed = migrator.migrations.filter { migration in applied[migration.version].map { $0 != migration.checksum } ?? false }
            let unknown = Set(applied.keys).subtracting(migrator.migrations.map(\.version)).sorted()
            if !changed.isEmpty {
                findings.append(Finding(check: "migraciones", level: .falla, detail: "archivos cambiados tras aplicarse: \(changed.map(\.name).joined(separator: ", "))",
                                        fix: "Instale los archivos de migración de la versión que corresponde a esta base; una migración aplicada nunca se edita."))
            } else if !pending.isEmpty {
                findings.append(Finding(check: "migraciones", level: .falla, detail: "pendientes: \(pending.map(\.name).joined(separator: ", "))",
                                        fix: "Ejecute `sintra migrate` con SINTRA_ADMIN_DATABASE_URL (rol sintra_owner) antes de arrancar esta versión."))
            } else if !unknown.isEmpty {
                findings.append(Finding(check: "migraciones", level: .falla, detail: "la base tiene migraciones que esta versión no conoce: \(unknown.map(String.init).joined(separator: ", "))",
                                        fix: "Este sintra es más antiguo que la base: instale la versión que la migró."))
            } else {
                findings.append(Finding(check: "migraciones", level: .ok, detail: "al día (\(migrator.migrations.count))", fix: ""))
            }
        } catch {
            findings.append(Finding(check: "migraciones", level: .falla, detail: Self.firstLine(error),
                                    fix: "Si la base es nueva, ejecute `sintra migrate` como sintra_owner; si no, indique la carpeta migrations/ con SINTRA_MIGRATIONS_DIR."))
        }
    }

    func checkEnvironment(_ connection: PostgresConnection, _ findings: inout [Finding]) async {
        do {
            let wanted = try environment.resolved()
            let actual = try await DeploymentEnvironment.of(connection)
            if let actual, actual != wanted {
                findings.append(Finding(check: "ambiente", level: .falla, detail: "la instancia es \(wanted.rawValue) y la base es \(actual.rawValue)",
                                        fix: "Corrija SINTRA_AMBIENTE o DATABASE_URL: producción y capacitación nunca comparten base."))
            } else {
                findings.append(Finding(check: "ambiente", level: .ok, detail: wanted.rawValue, fix: ""))
            }
        } catch {
            findings.append(Finding(check: "ambiente", level: .falla, detail: Self.firstLine(error), fix: "Revise SINTRA_AMBIENTE (produccion o capacitacion)."))
        }
    }

    func checkKeyring(_ connection: PostgresConnection, _ findings: inout [Finding]) async {
        let path: String
        do { path = try keys.path() } catch {
            findings.append(Finding(check: "archivo de claves", level: .falla, detail: "no está configurado",
                                    fix: "Defina SINTRA_MASTER_KEY_FILE con la ruta del archivo de claves de esta base (restáurelo de su respaldo con `sintra keys restaurar`)."))
            return
        }
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            findings.append(Finding(check: "archivo de claves", level: .falla, detail: "«\(path)» no existe o no se puede leer",
                                    fix: "Restaure el archivo desde su respaldo (`sintra keys restaurar RESPALDO --master-key \(path)`) y déjelo legible solo por la cuenta de servicio (chmod 600)."))
            return
        }
        let keyring: Keyring
        do { keyring = try Keyring.load(file: path) } catch {
            findings.append(Finding(check: "archivo de claves", level: .falla, detail: "«\(path)» no es un archivo de claves válido: \(error)",
                                    fix: "Restaure el archivo desde su respaldo con `sintra keys restaurar`."))
            return
        }
        do {
            let outcome = try await KeyringIdentity.check(keyring, connection: connection, establish: false)
            findings.append(Finding(check: "archivo de claves", level: .ok,
                                    detail: outcome == .matched ? "es el de esta base" : "la base aún no guarda su huella (se guardará al primer uso)", fix: ""))
        } catch let mismatch as KeyringIdentity.Mismatch {
            findings.append(Finding(check: "archivo de claves", level: .falla, detail: "no es el de esta base: \(mismatch)",
                                    fix: "Restaure el archivo de claves original desde su respaldo (`sintra keys restaurar`) o apunte SINTRA_MASTER_KEY_FILE a él."))
        } catch {
            findings.append(Finding(check: "archivo de claves", level: .falla, detail: Self.firstLine(error), fix: "Revise que la base esté migrada."))
        }
        // Readable by its account only, and never the database server's: it protects every person's data.
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0
        let owner = (attributes[.ownerAccountID] as? NSNumber)?.uint32Value
        if mode & 0o077 != 0 {
            findings.append(Finding(check: "permisos del archivo de claves", level: .falla, detail: "modo \(String(mode, radix: 8)): otros usuarios pueden leerlo",
                                    fix: "chmod 600 \(path)"))
        } else if let owner, let postgres = getpwnam("postgres"), owner == postgres.pointee.pw_uid, getuid() != postgres.pointee.pw_uid {
            findings.append(Finding(check: "permisos del archivo de claves", level: .falla, detail: "pertenece a la cuenta postgres",
                                    fix: "chown sintra: \(path) (la cuenta que ejecuta sintra, nunca la del servidor de base de datos)."))
        } else {
            findings.append(Finding(check: "permisos del archivo de claves", level: .ok, detail: "modo \(String(mode, radix: 8))", fix: ""))
        }
    }

    func checkProjections(_ findings: inout [Finding]) async {
        do {
            let projector = try self.projector.makeProjector()
            let status: [ProjectionStatus]
            do { status = try await projector.status() } catch {
                await projector.pool.close()
                throw error
            }
            await projector.pool.close()
            let stopped = status.filter { $0.lastError != nil }
            let behind = status.filter { $0.lag >= maxLag || $0.version != $0.definedVersion }
            if !stopped.isEmpty {
                findings.append(Finding(check: "proyecciones", level: .falla,
                                        detail: "detenidas: " + stopped.map { "\($0.name) en la posición \($0.errorPosition ?? 0)" }.joined(separator: ", "),
                                        fix: "Vea el error con `sintra projections status`; corrija la definición y reconstruya con `sintra projections rebuild NOMBRE`."))
            } else if !behind.isEmpty {
                findings.append(Finding(check: "proyecciones", level: .falla,
                                        detail: "atrasadas: " + behind.map { "\($0.name) (\($0.lag) eventos, versión \($0.version)→\($0.definedVersion))" }.joined(separator: ", "),
                                        fix: "Compruebe que alguna instancia de sintra serve esté en marcha (una de ellas mantiene las proyecciones: métrica sintra_proyector_lider)."))
            } else {
                let lag = status.map(\.lag).max() ?? 0
                findings.append(Finding(check: "proyecciones", level: .ok, detail: "\(status.count) al día (retraso máximo \(lag) eventos)", fix: ""))
            }
        } catch {
            findings.append(Finding(check: "proyecciones", level: .falla, detail: Self.firstLine(error),
                                    fix: "Revise SINTRA_PROJECTOR_DATABASE_URL (rol sintra_proyector) y SINTRA_PROJECTIONS_DIR."))
        }
    }

    func checkClock(_ connection: PostgresConnection, _ findings: inout [Finding]) async {
        do {
            let before = Date()
            let rows = try await connection.query("SELECT extract(epoch FROM clock_timestamp())::float8")
            let after = Date()
            let server = try rows[0].decode(Double.self, 0)
            let skew = server - (before.timeIntervalSince1970 + after.timeIntervalSince1970) / 2
            if abs(skew) > maxSkew {
                findings.append(Finding(check: "reloj", level: .aviso, detail: String(format: "%.1f s de diferencia con PostgreSQL", skew),
                                        fix: "Sincronice ambos relojes por NTP (timedatectl set-ntp true, o chrony): las sesiones, los límites y las marcas de tiempo del registro dependen de él."))
            } else {
                findings.append(Finding(check: "reloj", level: .ok, detail: String(format: "%.2f s de diferencia con PostgreSQL", skew), fix: ""))
            }
        } catch {
            findings.append(Finding(check: "reloj", level: .aviso, detail: Self.firstLine(error), fix: ""))
        }
    }

    func checkDisk(_ findings: inout [Finding]) {
        var folders = [FileManager.default.currentDirectoryPath]
        if let path = try? keys.path() { folders.append((path as NSString).deletingLastPathComponent) }
        for folder in Set(folders).sorted() {
            var stats = statvfs()
            guard !folder.isEmpty, statvfs(folder, &stats) == 0, stats.f_blocks > 0 else { continue }
            let free = Double(stats.f_bavail) / Double(stats.f_blocks) * 100
            let bytes = Double(stats.f_bavail) * Double(stats.f_frsize)
            let detail = "\(folder): " + String(format: "%.0f %% libre (%.1f GiB)", free, bytes / 1_073_741_824)
            findings.append(free < minFreePercent
                ? Finding(check: "disco", level: .aviso, detail: detail,
                          fix: "Libere espacio o amplíe el disco; revise también el del servidor de PostgreSQL y el del repositorio de respaldos (ops/backup).")
                : Finding(check: "disco", level: .ok, detail: detail, fix: ""))
        }
    }

    static func firstLine(_ error: any Error) -> String {
        String("\(error)".split(separator: "\n").first ?? "")
    }
}
