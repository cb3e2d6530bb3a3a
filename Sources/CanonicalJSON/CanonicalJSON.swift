/// RFC 8259 parsing and RFC 8785 (JSON Canonicalization Scheme) serialisation.
///
/// The event log hashes every event over the canonical bytes of its payload. Payloads are stored
/// in PostgreSQL `jsonb`, which reorders keys, rewrites escapes and keeps numbers as decimals, so
/// the hash must depend only on the *parsed value*: `canonicalize` gives the same bytes for the
/// client's original text and for the text PostgreSQL returns. For the same reason the parser
/// refuses what `jsonb` would alter or refuse (duplicate keys, `\u0000`), so that nothing accepted
/// here can hash differently once stored.
///
/// Everything works directly on UTF-8 bytes (no Foundation) because it runs for every event,
/// on append and on every verification of the whole log.
public enum CanonicalJSON {
    /// Deep enough for any sane payload, shallow enough that the recursive parser, serialiser
    /// and `JSONValue`'s deinitialiser stay far from the stack limit of any thread.
    public static let defaultMaxDepth = 64

    /// Parses exactly one JSON value (RFC 8259, strictly) from UTF-8 bytes.
    ///
    /// - Parameter maxDepth: how many arrays/objects may be nested; a scalar at the root is
    ///   depth 0, `[]` is depth 1. Deeper input is refused before recursing, so hostile input
    ///   cannot overflow the stack. Keep it in the hundreds at most: values nested much deeper
    ///   cannot even be freed without exhausting a thread's stack.
    public static func parse(_ bytes: some Collection<UInt8>, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            parseResult(buffer, maxDepth: maxDepth)
        } ?? Array(bytes).withUnsafeBufferPointer { buffer in
            parseResult(buffer, maxDepth: maxDepth)
        }
        return try result.get()
    }

    /// Parses exactly one JSON value (RFC 8259, strictly) from a string's UTF-8.
    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        if let result = text.utf8.withContiguousStorageIfAvailable({ parseResult($0, maxDepth: maxDepth) }) {
            return try result.get()
        }
        var copy = text
        return try copy.withUTF8 { parseResult($0, maxDepth: maxDepth) }.get()
    }

    /// The RFC 8785 canonical bytes of `value`: members sorted by UTF-16 code units, no
    /// whitespace, minimal string escaping, numbers as ECMAScript prints them.
    ///
    /// Non-finite numbers cannot come from the parser; if built by hand they are written as
    /// `null`, as ECMAScript's `JSON.stringify` does, rather than trapping on a hot path.
    public static func serialize(_ value: JSONValue) -> [UInt8] {
        var writer = JSONWriter()
        writer.write(value)
        return writer.output
    }

    /// Parses and re-serialises: the bytes to hash for a JSON text.
    public static func canonicalize(_ bytes: some Collection<UInt8>, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> [UInt8] {
        serialize(try parse(bytes, maxDepth: maxDepth))
    }

    /// Parses and re-serialises a string: the bytes to hash for a JSON text.
    public static func canonicalize(_ text: String, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> [UInt8] {
        serialize(try parse(text, maxDepth: maxDepth))
    }

    /// Bridges typed throws through the standard library's `rethrows` closures.
    private static func parseResult(_ buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int) -> Result<JSONValue, JSONParseError> {
        do {
            return .success(try JSONParser.parse(buffer, maxDepth: maxDepth))
        } catch {
            return .failure(error)
        }
    }
}
