import CanonicalJSON
import Commands
import EventLog
import Privacy
import Testing

/// A server keeps what it read of streams (their histories, their data keys) between commands.
/// Another process writing to the same log — the console, a second server — must count from the
/// next command as if nothing were kept.
@Suite(.needsDatabase) struct KeptStateTests {
    /// A second handler on the same database and keyring, with its own pool and its own memory:
    /// another process, as far as the first can tell.
    func secondProcess(_ system: System) -> CommandHandler {
        let store = system.database.store()
        return CommandHandler(definitions: definitions, store: store, vault: DataKeyVault(pool: store.pool, keyring: system.keyring))
    }

    @Test func whatAnotherProcessRecordedDecidesTheNextCommand() async throws {
        let system = try await System.make()
        let other = secondProcess(system)
        let stream = try await system.run("registrar-persona", persona()).streamId
        try await system.run("registrar-atencion", atencion("2022-01-10"), stream: stream)
        #expect(try await system.handler.histories.current(stream).version == 2)

        // The other process closes the case: the first refuses the next attention as a closed case.
        _ = try await other.handle(Command(name: "cerrar-caso", data: ["fecha": "2022-06-30", "motivo": "proyecto-de-vida-concluido"],
                                           streamId: stream, idempotencyKey: "cierre-1"), context: context())
        let refused = try await system.problems("registrar-atencion", atencion("2022-07-02"), stream: stream)
        #expect(refused.map(\.code) == ["caso-cerrado"])
        let history = try await system.handler.histories.current(stream)
        // Attentions count for the version; no rule reads them, so the kept state leaves them out.
        #expect(history.version == 3 && history.entries.map(\.eventType) == ["VictimaRegistrada", "CasoCerrado"])

        // Reopened over there, attended here, at the version the log gives.
        _ = try await other.handle(Command(name: "reabrir-caso", data: ["fecha": "2022-07-01", "motivo": "Solicita nuevamente apoyo legal."],
                                           streamId: stream, idempotencyKey: "reapertura-1"), context: context())
        let attended = try await system.run("registrar-atencion", atencion("2022-07-02"), stream: stream)
        #expect(attended.streamVersion == 5)
        #expect(try await system.store.readStream(stream).map(\.version) == [1, 2, 3, 4, 5])
    }

    @Test func anErasureByAnotherProcessStopsPersonalDataAtOnce() async throws {
        let system = try await System.make()
        let other = secondProcess(system)
        let stream = try await system.run("registrar-persona", persona()).streamId
        // This process now holds the person's data key, opened, for writing.
        try await system.run("registrar-atencion", atencion("2022-01-10"), stream: stream)

        _ = try await other.handle(Command(name: "borrar-datos-personales",
                                           data: ["fecha": "2023-01-10", "fundamento": "orden-judicial", "documento": "Oficio 123/2023"],
                                           streamId: stream, idempotencyKey: "borrado-1"), context: context())
        #expect(try await system.handler.vault.key(subject: stream) == nil)
        let refused = try await system.problems("registrar-atencion", atencion("2023-02-01"), stream: stream)
        #expect(refused.map(\.code) == ["datos-personales-borrados"], "una clave guardada en memoria no debe cifrar datos de una persona borrada")
        #expect(try await system.eventCount() == 3)
    }

    @Test func aRetryAnsweredByTheAppendIsStillCheckedAsTheSameCommand() async throws {
        let system = try await System.make()
        let stream = try await system.run("registrar-persona", persona()).streamId
        let first = try await system.run("registrar-atencion", atencion("2022-01-10"), stream: stream, key: "atencion-1")
        // The same attention again passes the rules; the log recognises its key: the first result.
        let retry = try await system.run("registrar-atencion", atencion("2022-01-10"), stream: stream, key: "atencion-1")
        #expect(retry.replayed && retry.streamVersion == first.streamVersion && retry.position == first.position)
        // The same key with other data is refused, not silently answered with the first result.
        let reused = try await system.problems("registrar-atencion", atencion("2022-02-11"), stream: stream, key: "atencion-1")
        #expect(reused.map(\.code) == ["clave-de-idempotencia-reutilizada"])
        #expect(try await system.eventCount() == 2)
    }

    @Test func anotherProcessSeesAStreamItNeverReadWhole() async throws {
        let system = try await System.make()
        let other = secondProcess(system)
        let stream = try await system.run("registrar-persona", persona()).streamId
        for day in 10...14 { try await system.run("registrar-atencion", atencion("2022-01-\(day)"), stream: stream) }
        let seen = try await other.histories.current(stream)
        #expect(seen.version == 6 && seen.streamType == "Expediente")
        // Attentions count for the version only (`leidoPorLasReglas: false`): not kept.
        #expect(seen.entries.map(\.eventType) == ["VictimaRegistrada"] && seen.entries.first?.version == 1)
        #expect(seen.entries.first?.userId == "capturista-1" && seen.entries.first?.institutionId == "FGE-07")
        #expect(try await other.histories.current("expediente-que-no-existe").exists == false)
    }
}

/// A stored payload the strict parser refuses used to become `{}` on the decision path, so the rules
/// decided on an empty event (a closed case read as open). Now the command stops, saying so.
@Suite(.needsDatabase) struct DamagedPayloadTests {
    @Test func aDamagedStoredPayloadStopsTheCommandInsteadOfBeingReadAsEmpty() async throws {
        let system = try await System.make()
        let stream = try await system.run("registrar-persona", persona()).streamId
        try await system.run("cerrar-caso", ["fecha": "2022-06-30", "motivo": "retorno-al-pais-de-origen"], stream: stream)
        // 1e400 is valid jsonb but not a finite number: the strict parser refuses it.
        try await system.database.asSuperuser("""
            ALTER TABLE events DISABLE TRIGGER USER;
            UPDATE events SET payload = payload || '{"duracion": 1e400}'::jsonb WHERE stream_id = '\(stream)' AND event_type = 'CasoCerrado';
            ALTER TABLE events ENABLE TRIGGER USER;
            """)
        let fresh = CommandHandler(definitions: definitions, store: system.store, vault: DataKeyVault(pool: system.store.pool, keyring: system.keyring))
        do {
            _ = try await fresh.handle(Command(name: "registrar-atencion", data: atencion("2022-08-01"), streamId: stream, idempotencyKey: "k-danada"),
                                       context: context())
            Issue.record("a command was decided on a damaged event")
        } catch .unavailable(let message) {
            #expect(message.contains("no se puede leer"), "\(message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
