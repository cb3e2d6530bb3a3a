import Foundation

/// Accounts created the way an operator creates them, through the built `sintra`: the console's
/// one `bootstrap` (the first administrator), then, acting as that administrator, an institution
/// and an account with `roles`. Console writes act as an account, so a test of a console command
/// that writes needs one. Returns what `--cuenta` and `$SINTRA_CONTRASENA` take.
public func consoleAccount(_ common: [String], institution: String, roles: String, login: String = "cuenta.de.prueba") async throws -> (login: String, password: String) {
    func password(in output: String) -> String? {
        output.split(separator: "\n").first { $0.hasPrefix("Contraseña") }?.split(separator: " ").last.map(String.init)
    }
    let (bootstrapped, output) = try await runSintra(["accounts", "bootstrap", "--institucion", "SEGOB", "--usuario", "admin.de.prueba",
                                                "--nombre", "Administración de Prueba"] + common)
    guard bootstrapped == 0, let adminPassword = password(in: output) else { throw ConsoleAccountError("bootstrap: \(output)") }
    let admin = ["--cuenta", "admin.de.prueba"], environment = ["SINTRA_CONTRASENA": adminPassword]
    if institution != "SEGOB" {
        let (added, addOutput) = try await runSintra(["accounts", "add-institution", "--clave", institution] + admin + common, environment: environment)
        guard added == 0 else { throw ConsoleAccountError("add-institution: \(addOutput)") }
    }
    let (created, userOutput) = try await runSintra(["accounts", "add-user", "--usuario", login, "--nombre", "Persona de Prueba", "--institucion", institution,
                                               "--roles", roles] + admin + common, environment: environment)
    guard created == 0, let userPassword = password(in: userOutput) else { throw ConsoleAccountError("add-user: \(userOutput)") }
    return (login, userPassword)
}

public struct ConsoleAccountError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
