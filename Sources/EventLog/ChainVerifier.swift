import Cryptography
import Postgres

/// What is wrong at the first bad position.
public struct VerificationFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public let position: Int64
    public let problem: String
    public var description: String { "posición \(position): \(problem)" }
}

/// Checks events one by one, in position order, against every rule the log promises:
/// gapless positions, each event chained to the previous hash, each hash recomputable from
/// the event's own fields, stream versions contiguous, and the hashes of signed checkpoints.
///
/// One verifier serves the live database and offline export files alike.
public struct ChainVerifier: Sendable {
    /// The position the next event must have.
    public private(set) var nextPosition: Int64
    /// The hash the next event must name as its predecessor.
    public private(set) var previousHash: [UInt8]
    public private(set) var verified: Int64 = 0
    private var streamVersions: [String: Int64] = [:]
    /// Streams are only known to be contiguous from the start of the log; a range starting
    /// later accepts any first version it sees for a stream.
    private let fromStart: Bool
    private var checkpoints: [Int64: [UInt8]]

    public init(after position: Int64 = 0, previousHash: [UInt8] = EventHashing.genesis, checkpoints: [Checkpoint] = []) {
        self.nextPosition = position + 1
        self.previousHash = previousHash
        self.fromStart = position == 0
        self.checkpoints = Dictionary(checkpoints.map { ($0.position, $0.hash) }, uniquingKeysWith: { first, _ in first })
    }

    public mutating func check(_ event: RecordedEvent) throws(VerificationFailure) {
        func fail(_ problem: String) -> VerificationFailure { VerificationFailure(position: event.position, problem: problem) }
        if event.position != nextPosition {
            if event.position > nextPosition {
                throw VerificationFailure(position: nextPosition,
                    problem: "falta el evento: después de la posición \(nextPosition - 1) sigue la \(event.position) (hueco en las posiciones)")
            }
            throw fail("posición fuera de orden: se esperaba la \(nextPosition)")
        }
        if event.previousHash != previousHash {
            throw fail("el hash anterior guardado (\(Hex.encode(event.previousHash).prefix(16))…) no es el hash del evento previo (\(Hex.encode(previousHash).prefix(16))…)")
        }
        let recomputed: [UInt8]
        do {
            recomputed = try EventHashing.recomputeHash(of: event, previous: previousHash)
        } catch {
            throw fail("el contenido guardado no es JSON válido: \(error.message)")
        }
        if recomputed != event.hash {
            throw fail("el hash no corresponde al contenido del evento: el evento fue alterado (guardado \(Hex.encode(event.hash).prefix(16))…, calculado \(Hex.encode(recomputed).prefix(16))…)")
        }
        let expectedVersion = (streamVersions[event.streamId] ?? 0) + 1
        if event.version != expectedVersion && (fromStart || streamVersions[event.streamId] != nil) {
            throw fail("la versión \(event.version) del flujo «\(event.streamId)» no es contigua: se esperaba la \(expectedVersion)")
        }
        if let signed = checkpoints.removeValue(forKey: event.position), signed != event.hash {
            throw fail("no coincide con el punto de control firmado: el registro fue reescrito en esta posición o antes")
        }
        streamVersions[event.streamId] = event.version
        previousHash = event.hash
        nextPosition += 1
        verified += 1
    }

    /// Called after the last event: checkpoints beyond the end mean events were removed.
    public func finish() throws(VerificationFailure) {
        if let missing = checkpoints.keys.min() {
            throw VerificationFailure(position: missing,
                problem: "el punto de control firmado llega hasta la posición \(missing), pero el registro termina en la \(nextPosition - 1): se eliminaron eventos")
        }
    }
}
