import API
import Accounts
import CanonicalJSON
import Cryptography
import Definitions
import EventLog
import Foundation
import Postgres
import Privacy

/// Events of the log as rows a person reads: what happened, when (Mexico City time), who — the
/// person's name and institution, not an account id — and the event's data with every personal
/// field shown as hidden (opening them goes through the case file, with a purpose, and is recorded).
/// One mechanism for an account's history, a stream's history and one event by position.
struct StreamTimeline {
    let services: APIServices
    private let people = PeopleNames()

    init(services: APIServices) { self.services = services }

    func rows(_ events: [RecordedEvent]) async throws -> [[String: Any]] {
        var rows: [[String: Any]] = []
        for event in events { rows.append(try await row(event)) }
        return rows
    }

    func row(_ event: RecordedEvent) async throws -> [String: Any] {
        let payload = (try? CanonicalJSON.parse(event.payload)) ?? .null
        let hidden = PersonalDataCipher.encryptedPaths(in: payload).reduce(payload) { FieldPath.replacing($1, in: $0, with: JSONValue.null) }
        let metadata = (try? CanonicalJSON.parse(event.metadata)) ?? .null
        let user = metadata["userId"]?.stringValue ?? "", institution = metadata["institutionId"]?.stringValue ?? ""
        let who = try await people.describe(user: user, institution: institution, services: services)
        return [
            "posicion": String(event.position), "version": String(event.version), "flujo": event.streamId,
            "evento": FieldLabels.eventType(event.eventType), "tipo": event.eventType,
            "cuando": WebTime.text(event.recordedAt), "persona": who.person, "institucion": who.institution,
            "datos": CaseDisplay(definitions: services.definitions).rows(hidden, eventType: event.eventType),
            "hash": Hex.encode(event.hash), "id": "evento-\(event.position)",
        ]
    }
}

/// Names of the people behind accounts and of institutions, looked up once per page.
final class PeopleNames: @unchecked Sendable {
    private var people: [String: String] = [:]
    private var institutions: [String: String] = [:]

    func describe(user: String, institution: String, services: APIServices) async throws -> (person: String, institution: String) {
        (try await person(user, services), try await institutionName(institution, services))
    }

    func person(_ user: String, _ services: APIServices) async throws -> String {
        if let known = people[user] { return known }
        let name: String
        switch user {
        case "": name = "—"
        case "consola": name = "Consola de administración del sistema"
        default: name = try await services.accounts.directory.personalData(of: user)?.name ?? user
        }
        people[user] = name
        return name
    }

    func institutionName(_ clave: String, _ services: APIServices) async throws -> String {
        if clave.isEmpty { return "—" }
        if let known = institutions[clave] { return known }
        let name = try await services.accounts.directory.institution(clave).map { "\($0.name) (\(clave))" } ?? clave
        institutions[clave] = name
        return name
    }
}

/// Instants as people in Mexico read them.
enum WebTime {
    static func text(_ timestamp: Timestamp) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "es_MX")
        formatter.timeZone = TimeZone(identifier: "America/Mexico_City") ?? .gmt
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: timestamp.date) + " (hora del centro)"
    }
}
