import EventLog
import HTTPTypes
import Hummingbird

/// Says on every response which environment answered: `SINTRA-Ambiente: capacitacion` on a training
/// instance (SINTRA Capacitación), `produccion` otherwise. It is the outermost middleware, so errors,
/// problems, `/health` and unknown routes carry it too: a client (or a trainee's screen) can always
/// tell practice data from real figures.
struct EnvironmentMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let environment: DeploymentEnvironment

    static let header = HTTPField.Name("SINTRA-Ambiente")!

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            // Nothing inside should throw past ProblemMiddleware; if something does, its answer still says where it came from.
            response = try APIProblem(.internalServerError, title: "Error interno", detail: "Ocurrió un error inesperado; quedó registrado para revisión.")
                .response(from: request, context: context)
        }
        response.headers[Self.header] = environment.rawValue
        return response
    }
}
