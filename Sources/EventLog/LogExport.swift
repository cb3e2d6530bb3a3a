import CanonicalJSON
import Cryptography
import Foundation
import Postgres

/// A range of the log in a file that can be verified with no database (JSON Lines).
///
/// Line 1: `{"format":"sintra-export/1","after":A,"through":B,"previousHash":"…"}` — the hash of
/// the event at position A (genesis zeros when A = 0). Then one event per line with every
/// stored field; `payload` and `metadata` are JSON values, hashes hex, times RFC 3339 UTC.
public enum LogExport {
    public static let format = "sintra-export/1"

    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Writes events in (`after`, `through`] to `url`; returns how many were written.
    public static func write(from store: EventStore, after: Int64, through: Int64, to url: URL) async throws -> Int64 {
        let previousHash: [UInt8]
        if after == 0 {
            previousHash = EventHashing.genesis
        } else {
            guard let row = try await store.pool.query("SELECT hash FROM events WHERE position = $1", [.int64(after)]).first else {
                throw Invalid(description: "no existe el evento en la posición \(after)")
            }
            previousHash = try row.decode([UInt8].self, 0)
        }
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let file = try FileHandle(forWritingTo: url)
        defer { try? file.close() }
        let header: JSONValue = .object([
            JSONMember(key: "format", value: .string(format)),
            JSONMember(key: "after", value: .number(Double(after))),
            JSONMember(key: "through", value: .number(Double(through))),
            JSONMember(key: "previousHash", value: .string(Hex.encode(previousHash))),
        ])
        try file.write(contentsOf: CanonicalJSON.serialize(header) + [10])
        var written: Int64 = 0
        try await store.readAll(after: after, through: through) { events in
            var chunk: [UInt8] = []
            for event in events {
                chunk += CanonicalJSON.serialize(try line(for: event))
                chunk.append(10)
            }
            try file.write(contentsOf: chunk)
            written += Int64(events.count)
        }
        return written
    }

    static func line(for event: RecordedEvent) throws -> JSONValue {
        .object([
            JSONMember(key: "position", value: .number(Double(event.position))),
            JSONMember(key: "streamId", value: .string(event.streamId)),
            JSONMember(key: "streamType", value: .string(event.streamType)),
            JSONMember(key: "version", value: .number(Double(event.version))),
            JSONMember(key: "eventType", value: .string(event.eventType)),
            JSONMember(key: "schemaVersion", value: .number(Double(event.schemaVersion))),
            JSONMember(key: "payload", value: try CanonicalJSON.parse(event.payload)),
            JSONMember(key: "metadata", value: try CanonicalJSON.parse(event.metadata)),
            JSONMember(key: "occurredAt", value: .string(event.occurredAt.iso8601)),
            JSONMember(key: "recordedAt", value: .string(event.recordedAt.iso8601)),
            JSONMember(key: "previousHash", value: .string(Hex.encode(event.previousHash))),
            JSONMember(key: "hash", value: .string(Hex.encode(event.hash))),
        ])
    }

    /// Verifies an export file offline; `onProgress` is called with the count so far.
    public static func verify(fileAt url: URL, checkpoints: [Checkpoint] = [],
                              onProgress: (Int64) -> Void = { _ in }) throws -> (after: Int64, through: Int64, verified: Int64) {
        var lines = try LineReader(url: url)
        guard let headerLine = try lines.next(), let header = try? CanonicalJSON.parse(headerLine),
              case .string(format)? = header["format"],
              case .number(let afterNumber)? = header["after"], case .number(let throughNumber)? = header["through"],
              let after = Int64(exactly: afterNumber), let through = Int64(exactly: throughNumber), after >= 0, through >= after,
              case .string(let previousHex)? = header["previousHash"], let previousHash = Hex.decode(previousHex), previousHash.count == 32
        else { throw Invalid(description: "el archivo no es una exportación de SINTRA (falta el encabezado \(format))") }
        if let outside = checkpoints.first(where: { $0.position <= after || $0.position > through }) {
            throw Invalid(description: "el punto de control de la posición \(outside.position) queda fuera del rango del archivo (\(after + 1)–\(through))")
        }
        var verifier = ChainVerifier(after: after, previousHash: previousHash, checkpoints: checkpoints)
        var lineNumber = 1
        while let line = try lines.next() {
            lineNumber += 1
            let event: RecordedEvent
            do { event = try parse(line) } catch {
                throw Invalid(description: "línea \(lineNumber): \(error)")
            }
            try verifier.check(event)
            if verifier.verified % 10_000 == 0 { onProgress(verifier.verified) }
        }
        if verifier.nextPosition - 1 != through {
            throw VerificationFailure(position: verifier.nextPosition,
                problem: "el archivo termina en la posición \(verifier.nextPosition - 1) pero su encabezado dice \(through): está truncado")
        }
        try verifier.finish()
        return (after, through, verifier.verified)
    }

    static func parse(_ line: some Collection<UInt8>) throws -> RecordedEvent {
        let value = try CanonicalJSON.parse(line)
        func string(_ key: String) throws -> String {
            guard case .string(let text)? = value[key] else { throw Invalid(description: "falta el campo «\(key)»") }
            return text
        }
        func integer(_ key: String) throws -> Int64 {
            guard case .number(let number)? = value[key], number == number.rounded(), abs(number) < 9e15 else {
                throw Invalid(description: "falta el número entero «\(key)»")
            }
            return Int64(number)
        }
        func bytes(_ key: String) throws -> [UInt8] {
            guard let decoded = Hex.decode(try string(key)) else { throw Invalid(description: "«\(key)» no es hexadecimal") }
            return decoded
        }
        func time(_ key: String) throws -> Timestamp {
            guard let timestamp = Timestamp(iso8601: try string(key)) else { throw Invalid(description: "«\(key)» no es una fecha RFC 3339") }
            return timestamp
        }
        guard let payload = value["payload"], let metadata = value["metadata"] else { throw Invalid(description: "faltan payload o metadata") }
        return RecordedEvent(
            position: try integer("position"), streamId: try string("streamId"), streamType: try string("streamType"),
            version: try integer("version"), eventType: try string("eventType"), schemaVersion: Int(try integer("schemaVersion")),
            payload: String(decoding: CanonicalJSON.serialize(payload), as: UTF8.self),
            metadata: String(decoding: CanonicalJSON.serialize(metadata), as: UTF8.self),
            occurredAt: try time("occurredAt"), recordedAt: try time("recordedAt"),
            previousHash: try bytes("previousHash"), hash: try bytes("hash"))
    }
}

/// Reads a file line by line, a megabyte at a time, so verifying a large export needs
/// constant memory. Empty lines are skipped.
struct LineReader {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false

    init(url: URL) throws {
        handle = try FileHandle(forReadingFrom: url)
    }

    mutating func next() throws -> ArraySlice<UInt8>? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 10) {
                let line = buffer[start..<newline]
                start = newline + 1
                if line.isEmpty { continue }
                return line
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                defer { start = buffer.count }
                return buffer[start...]
            }
            buffer.removeFirst(start)
            start = 0
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { atEnd = true } else { buffer.append(contentsOf: chunk) }
        }
    }
}
