import ArgumentParser
import Cryptography
import EventLog
import Foundation
import Postgres

struct Keygen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Crea el par de llaves Ed25519 del auditor (privada: NOMBRE.key, pública: NOMBRE.pub).")
    @Argument(help: "Prefijo de los archivos.") var name: String = "auditor"

    func run() throws {
        let key = Ed25519PrivateKey()
        let privatePath = name + ".key"
        guard !FileManager.default.fileExists(atPath: privatePath) else {
            throw ValidationError("«\(privatePath)» ya existe; no se sobrescribe una llave")
        }
        guard FileManager.default.createFile(atPath: privatePath, contents: Data(KeyFile.encodePrivateKey(key).utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("no se pudo escribir «\(privatePath)»")
        }
        try KeyFile.encodePublicKey(key.publicKey).write(toFile: name + ".pub", atomically: true, encoding: .utf8)
        print("Llave privada: \(privatePath) (guárdela el auditor, fuera del servidor)")
        print("Llave pública: \(name).pub")
    }
}

struct Checkpoint: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Firma un punto de control (posición, hash de la cabeza, hora) con la llave del auditor.")
    @OptionGroup var database: DatabaseOptions
    @Option(help: "Llave privada del auditor (de `sintra keygen`).") var key: String
    @Option(help: "Archivo de salida (por omisión, la salida estándar).") var out: String?

    func run() async throws {
        let privateKey = try KeyFile.decodePrivateKey(try String(contentsOfFile: key, encoding: .utf8))
        let store = openStore(try database.resolved())
        // A training log (SINTRA Capacitación) is practice: nothing of it is ever signed as official.
        if try await DeploymentEnvironment.of(store.pool) == .capacitacion {
            await store.close()
            printError("ERROR: la base es de capacitación (SINTRA Capacitación): sus datos son de práctica y no se firman como oficiales")
            throw ExitCode(1)
        }
        // Sign only what was just verified: never a head the database merely claims.
        let progress = ProgressBar(label: "Verificando antes de firmar")
        let head: VerifiedLog
        do {
            head = try await store.verifyChain { progress.update($0, of: $1) }
            progress.finish()
        } catch let failure as VerificationFailure {
            progress.finish()
            await store.close()
            printError("ERROR: no se firma un registro alterado: \(failure)")
            throw ExitCode(1)
        }
        await store.close()
        guard head.position > 0 else { throw ValidationError("el registro está vacío: no hay nada que firmar") }
        let checkpoint = try EventLog.Checkpoint.sign(position: head.position, hash: head.hash, issuedAt: .now(), key: privateKey)
        if let out {
            try checkpoint.fileContents.write(toFile: out, atomically: true, encoding: .utf8)
            print("Punto de control firmado: posición \(head.position), hash \(Hex.encode(head.hash)) → \(out)")
        } else {
            print(checkpoint.fileContents, terminator: "")
        }
    }
}

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Exporta un rango del registro a un archivo verificable sin base de datos (`sintra verify --file`).")
    @OptionGroup var database: DatabaseOptions
    @Option(help: "Primera posición (incluida).") var from: Int64 = 1
    @Option(help: "Última posición (incluida); por omisión, la cabeza.") var to: Int64?
    @Option(help: "Archivo de salida.") var out: String

    func run() async throws {
        guard from >= 1 else { throw ValidationError("--from debe ser al menos 1") }
        let store = openStore(try database.resolved())
        let head = try await store.head().position
        let through = min(to ?? head, head)
        guard through >= from else {
            await store.close()
            throw ValidationError("el rango \(from)–\(through) está vacío (el registro llega a la posición \(head))")
        }
        let written = try await LogExport.write(from: store, after: from - 1, through: through, to: URL(fileURLWithPath: out))
        await store.close()
        print("\(formatCount(written)) eventos exportados (posiciones \(from)–\(through)) a \(out).")
    }
}
