import Accounts
import ArgumentParser
import Foundation

/// The account a console command acts as, exactly as an API client would: a bearer token
/// (`--token`, or `$SINTRA_TOKEN`, from `POST /v1/sesiones`) or a login (`--cuenta USUARIO`, the
/// password from `$SINTRA_CONTRASENA` or asked on the terminal, counted by the same lockout). What
/// it records carries that account, and the permissions table decides what it may do: holding the
/// database URL and the keyring is not a licence to read anyone's personal data unrecorded.
struct ActingAccountOptions: ParsableArguments {
    @Option(name: .customLong("token"), help: "Token de acceso de la cuenta que actúa (por omisión $SINTRA_TOKEN).")
    var token: String?
    @Option(name: .customLong("cuenta"), help: "Usuario de la cuenta que actúa; la contraseña se pide en la terminal (o $SINTRA_CONTRASENA).")
    var login: String?

    /// Who is acting; a clear Spanish error (exit 1) when nobody or a wrong password.
    func identity(_ service: AccountService) async throws -> Identity {
        if let token = try ConfigReader.load().text(Settings.token, flag: token) {
            guard let identity = try await report({ try await service.authenticate(bearer: token) }) else {
                printError("ERROR: el token no es válido o ya venció; inicie sesión de nuevo")
                throw ExitCode(1)
            }
            return identity
        }
        guard let login else {
            throw ValidationError("indique con qué cuenta actúa: --cuenta USUARIO (o un token con --token o SINTRA_TOKEN); lo que haga queda a su nombre")
        }
        guard let password = try ConfigReader.load().text(Settings.password) ?? Self.askPassword() else {
            throw ValidationError("no hay terminal para pedir la contraseña de «\(login)»: use la variable SINTRA_CONTRASENA")
        }
        let pair = try await report { try await service.login(login: login, password: password) }
        let identity = try await report { try await service.authenticate(bearer: pair.accessToken) }
        // The console's session lasts one command.
        try? await service.revoke(pair.refreshToken)
        guard let identity else {
            printError("ERROR: la sesión de «\(login)» no se pudo abrir")
            throw ExitCode(1)
        }
        return identity
    }

    private static func askPassword() -> String? {
        guard isatty(0) == 1, let typed = getpass("Contraseña: ") else { return nil }
        return String(cString: typed)
    }
}
