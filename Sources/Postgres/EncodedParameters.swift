internal import CLibPQ

/// A statement's parameters laid out the way libpq's `PQsend…` functions take them: every value's
/// bytes in one buffer, with the lengths, formats and type oids beside them.
struct EncodedParameters {
    let types: [UInt32]
    private let present: [Bool]
    private let buffer: [UInt8]
    private let offsets: [Int]
    private let lengths: [Int32]
    private let formats: [Int32]

    init(_ parameters: [PostgresValue]) throws {
        let wires = parameters.map(\.wire)
        var buffer: [UInt8] = []
        var offsets: [Int] = []
        var lengths: [Int32] = []
        for wire in wires {
            offsets.append(buffer.count)
            guard let length = Int32(exactly: wire.bytes?.count ?? 0) else {
                throw PostgresError(kind: .unsupported, message: "a parameter of \(wire.bytes?.count ?? 0) bytes exceeds libpq's 2 GiB limit")
            }
            lengths.append(length)
            if let bytes = wire.bytes {
                buffer.append(contentsOf: bytes)
                // Text values get the NUL terminator libpq expects.
                if !wire.binary { buffer.append(0) }
            }
        }
        buffer.append(0)  // never empty, so the base address exists
        self.buffer = buffer
        self.offsets = offsets
        self.lengths = lengths
        self.present = wires.map { $0.bytes != nil }
        self.types = wires.map(\.oid)
        self.formats = wires.map { Int32($0.binary ? 1 : 0) }
    }

    /// Queues `text` (or the statement prepared for it) with these parameters, asking for binary
    /// results; 1 when libpq took it, as `PQsendQueryParams` returns.
    func send(_ text: String, prepared statement: String?, on handle: OpaquePointer) -> Int32 {
        buffer.withUnsafeBufferPointer { bytes in
            let base = UnsafeRawPointer(bytes.baseAddress!)
            let values: [UnsafePointer<CChar>?] = present.indices.map { index in
                present[index] ? (base + offsets[index]).assumingMemoryBound(to: CChar.self) : nil
            }
            if let statement { return PQsendQueryPrepared(handle, statement, Int32(types.count), values, lengths, formats, 1) }
            return PQsendQueryParams(handle, text, Int32(types.count), types, values, lengths, formats, 1)
        }
    }
}
