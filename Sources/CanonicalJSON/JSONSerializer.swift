/// Writes the RFC 8785 (JCS) canonical form of a ``JSONValue``.
///
/// Every choice here is fixed by RFC 8785 so that any conforming implementation (in particular
/// an auditor's, in another language) produces the same bytes and therefore the same hash:
/// no whitespace, object members sorted by the UTF-16 code units of their keys, the minimal set
/// of string escapes, and numbers as ECMAScript's `Number.prototype.toString` renders them.
struct JSONWriter {
    private(set) var output: [UInt8] = []

    init() {
        output.reserveCapacity(1024)
    }

    mutating func write(_ value: JSONValue) {
        switch value {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let flag): output.append(contentsOf: flag ? "true".utf8 : "false".utf8)
        case .number(let number): ECMAScriptNumber.append(number, to: &output)
        case .string(let text): write(text)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                write(element)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            // Sort positions rather than members (no copies, no reference counting); the sort is
            // stable, so hand-built objects with a repeated key (which the parser never
            // produces) still serialise deterministically.
            withUnsafeTemporaryAllocation(of: Int.self, capacity: members.count) { buffer in
                var order = buffer  // Ints: nothing to deinitialise afterwards.
                for index in order.indices { order.initializeElement(at: index, to: index) }
                if members.count > 1 { order.sort { JSONText.utf16Precedes(members[$0].key, members[$1].key) } }
                for (position, index) in order.enumerated() {
                    if position > 0 { output.append(UInt8(ascii: ",")) }
                    write(members[index].key)
                    output.append(UInt8(ascii: ":"))
                    write(members[index].value)
                }
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// A string per RFC 8785 §3.2.2.2: only '"', '\\' and U+0000–U+001F are escaped (the usual
    /// two-character forms where they exist, otherwise `\u00xx` in lowercase hex); everything else,
    /// including U+007F, U+2028 and all non-ASCII text, is written as its UTF-8 bytes.
    private mutating func write(_ text: String) {
        output.append(UInt8(ascii: "\""))
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { appendEscaped($0) }
        if done == nil {
            Array(text.utf8).withUnsafeBufferPointer { appendEscaped($0) }
        }
        output.append(UInt8(ascii: "\""))
    }

    private mutating func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        for i in bytes.indices {
            let byte = bytes[i]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
            runStart = i + 1
            output.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): output.append(byte)
            case 0x08: output.append(UInt8(ascii: "b"))
            case 0x09: output.append(UInt8(ascii: "t"))
            case 0x0A: output.append(UInt8(ascii: "n"))
            case 0x0C: output.append(UInt8(ascii: "f"))
            case 0x0D: output.append(UInt8(ascii: "r"))
            default:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                output.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            }
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
    }
}
