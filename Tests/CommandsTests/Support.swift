import CanonicalJSON
import Catalog
import Commands
import Definitions
import EventLog
import Foundation
import Privacy
import TestDatabase
import Testing

let definitions = repositoryDefinitions

let today = CalendarDate("2024-12-31")!

func context(_ institution: String = "FGE-07", user: String = "capturista-1") -> CommandContext {
    CommandContext(userId: user, institutionId: institution, client: "pruebas", today: today)
}

/// A migrated database with a command handler over it (a fresh keyring per test).
struct System {
    let database: TestDatabase
    let store: EventStore
    let handler: CommandHandler
    let keyring: Keyring

    static func make(keyring: Keyring = .generate()) async throws -> System {
        let database = try await TestDatabase.migrated()
        let store = database.store()
        let handler = CommandHandler(definitions: definitions, store: store, vault: DataKeyVault(pool: store.pool, keyring: keyring))
        return System(database: database, store: store, handler: handler, keyring: keyring)
    }

    private static let counter = Counter()

    @discardableResult
    func run(_ name: String, _ data: JSONValue, stream: String? = nil, key: String? = nil, version: Int64? = nil,
             historical: Bool = false, as ctx: CommandContext = context()) async throws(CommandError) -> CommandResult {
        let command = Command(name: name, data: data, streamId: stream, expectedVersion: version,
                              idempotencyKey: key ?? "k-\(System.counter.next())", historicalLoad: historical)
        return try await handler.handle(command, context: ctx)
    }

    /// The problems a command is rejected with ([] if it was accepted).
    func problems(_ name: String, _ data: JSONValue, stream: String? = nil, key: String? = nil, historical: Bool = false,
                  as ctx: CommandContext = context()) async throws -> [Problem] {
        do {
            try await run(name, data, stream: stream, key: key, historical: historical, as: ctx)
            return []
        } catch .rejected(let rejection) {
            return rejection.problems
        } catch {
            throw error
        }
    }

    func eventCount() async throws -> Int64 { try await store.head().count }
}

final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func next() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
}

/// A person as a caseworker registers them (valid CURP, consistent age).
func persona(nombre: String = "Lucía", curp: String = "FIEL980321MCSCJC07", fechaDeNacimiento: String = "1998-03-21",
             edad: Int = 23, fechaDeDeteccion: String = "2021-11-09", sexo: String = "mujer") -> JSONValue {
    ["calidad": "victima", "sexo": .string(sexo), "edad": .number(Double(edad)), "nacionalidad": "MEX",
     "fechaDeDeteccion": .string(fechaDeDeteccion), "institucionQueDetecta": "FGE-07", "formaDeDeteccion": "operativo-de-rescate",
     "lugarDeOrigen": ["pais": "MEX", "entidad": "07", "municipio": "07089"],
     "nombre": .string(nombre), "primerApellido": "Ficticio", "segundoApellido": "Ejemplar", "curp": .string(curp),
     "fechaDeNacimiento": .string(fechaDeNacimiento), "telefono": "961 555 0101", "domicilio": "Calle Inventada 123, Tuxtla Gutiérrez"]
}

func atencion(_ fecha: String = "2022-01-10", tipo: String = "atencion-psicologica", clasificacion: String = "asistencia",
              institucion: String = "CEAV") -> JSONValue {
    ["fecha": .string(fecha), "tipo": .string(tipo), "clasificacion": .string(clasificacion), "institucion": .string(institucion),
     "duracionMinutos": 60, "descripcion": "Sesión de valoración; refiere a su madre Rosa."]
}

/// A CURP with a correct check digit for the given first 17 characters.
func curp(_ first17: String) -> String { first17 + String(CURP.checkDigit(first17)!) }
