import Testing
import CanonicalJSON

/// One input the parser must refuse, with where and why.
struct Rejection: Sendable, CustomTestStringConvertible {
    var input: [UInt8]
    var offset: Int
    var path: String
    var message: String  // A fragment of the expected message.

    init(_ text: String, _ offset: Int, _ message: String) {
        self.init(bytes: Array(text.utf8), offset, "", message)
    }

    init(_ text: String, _ offset: Int, _ path: String, _ message: String) {
        self.init(bytes: Array(text.utf8), offset, path, message)
    }

    init(bytes: [UInt8], _ offset: Int, _ message: String) {
        self.init(bytes: bytes, offset, "", message)
    }

    init(bytes: [UInt8], _ offset: Int, _ path: String, _ message: String) {
        self.input = bytes
        self.offset = offset
        self.path = path
        self.message = message
    }

    var testDescription: String { String(decoding: input.prefix(60), as: UTF8.self) }
}

func parseError(_ bytes: [UInt8], maxDepth: Int = CanonicalJSON.defaultMaxDepth) -> JSONParseError? {
    do {
        _ = try CanonicalJSON.parse(bytes, maxDepth: maxDepth)
        return nil
    } catch {
        return error
    }
}

struct RejectionTests {
    static let syntax: [Rejection] = [
        Rejection("", 0, "la entrada está vacía"),
        Rejection("  \n", 3, "solo hay espacios"),
        Rejection(#"{"a":1} x"#, 8, "contenido adicional"),
        Rejection("1 2", 2, "contenido adicional"),
        Rejection("truex", 4, "contenido adicional"),
        Rejection(#""a""b""#, 3, "contenido adicional"),
        Rejection("[1,2,]", 4, "coma final"),
        Rejection(#"{"a":1,}"#, 6, "coma final"),
        Rejection(#"{"a":[1,]}"#, 7, "/a", "coma final"),
        Rejection("[1,,2]", 3, "/1", "se esperaba un valor"),
        Rejection("[1 2]", 3, "se esperaba ',' o ']'"),
        Rejection("[1,2", 4, "terminó la entrada"),
        Rejection(#"{"a":1 "b":2}"#, 7, "se esperaba ',' o '}'"),
        Rejection(#"{"a"}"#, 4, "/a", "se esperaba ':'"),
        Rejection(#"{"a" 1}"#, 5, "/a", "se esperaba ':'"),
        Rejection("{a:1}", 1, "clave entre comillas dobles"),
        Rejection(#"{"a":}"#, 5, "/a", "se esperaba un valor"),
        Rejection("['a']", 1, "/0", "comillas dobles"),
        Rejection("// comentario\n1", 0, "comentarios"),
        Rejection("[/* x */ 1]", 1, "/0", "comentarios"),
        Rejection("NaN", 0, "NaN e Infinity"),
        Rejection("[Infinity]", 1, "/0", "NaN e Infinity"),
        Rejection(#"{"x":-Infinity}"#, 5, "/x", "NaN e Infinity"),
        Rejection("tru", 0, "se esperaba «true»"),
        Rejection("nul", 0, "se esperaba «null»"),
        Rejection("True", 0, "se esperaba un valor"),
        Rejection("\u{0C}1", 0, "se esperaba un valor"),  // Form feed is not JSON whitespace.
        Rejection("\u{A0}1", 0, "se esperaba un valor"),  // Nor is a no-break space.
        Rejection("\u{FEFF}{}", 0, "BOM"),
    ]

    static let numbers: [Rejection] = [
        Rejection("01", 0, "ceros a la izquierda"),
        Rejection("[-012]", 1, "/0", "ceros a la izquierda"),
        Rejection("00.5", 0, "ceros a la izquierda"),
        Rejection("+1", 0, "'+'"),
        Rejection(".5", 0, "antes del punto decimal"),
        Rejection("[-.5]", 2, "/0", "después de '-'"),
        Rejection("5.", 2, "después del punto decimal"),
        Rejection("5.e3", 2, "después del punto decimal"),
        Rejection("1e", 2, "exponente"),
        Rejection("1e+", 3, "exponente"),
        Rejection("-", 1, "después de '-'"),
        Rejection("- 1", 1, "después de '-'"),
        Rejection("0x10", 1, "contenido adicional"),
        Rejection("1e309", 0, "número fuera del rango de doble precisión"),
        Rejection("-1e309", 0, "número fuera del rango de doble precisión"),
        Rejection("[1, 1.8e308]", 4, "/1", "número fuera del rango de doble precisión"),
        Rejection(#"{"n":1"# + String(repeating: "0", count: 400) + "}", 5, "/n", "número fuera del rango de doble precisión"),
    ]

    static let strings: [Rejection] = [
        Rejection(#""abc"#, 4, "cadena sin cerrar"),
        Rejection(#""a\"#, 3, "cadena sin cerrar"),
        Rejection(#""a\x""#, 2, "secuencia de escape no válida «\\x»"),
        Rejection(#""\'""#, 1, "secuencia de escape no válida"),
        Rejection(#""\u12""#, 1, "4 dígitos hexadecimales"),
        Rejection(#""\u12G4""#, 1, "4 dígitos hexadecimales"),
        Rejection("\"a\tb\"", 2, "carácter de control \\u0009"),
        Rejection("[\"\n\"]", 2, "/0", "carácter de control \\u000A"),
        Rejection("\"\u{1F}\"", 1, "carácter de control"),
        Rejection(#""\u0000""#, 1, "PostgreSQL jsonb"),
        Rejection(#"{"k":"a\u0000"}"#, 7, "/k", "\\u0000 no está permitido"),
        Rejection(#"{"\u0000":1}"#, 2, "\\u0000"),
        Rejection(#""\ud800""#, 1, "sustituto UTF-16 alto \\uD800 sin su sustituto bajo"),
        Rejection(#""\ud800x""#, 1, "sin su sustituto bajo"),
        Rejection(#""\ud800\u0041""#, 1, "sin su sustituto bajo"),
        Rejection(#""\ud83d\ud83d""#, 1, "sin su sustituto bajo"),
        Rejection(#""\udc00""#, 1, "sustituto UTF-16 bajo \\uDC00 sin sustituto alto"),
        Rejection(#"["ab\ude00\ud83d"]"#, 4, "/0", "sustituto UTF-16 bajo"),
        Rejection(bytes: [0x22, 0x61, 0xFF, 0x22], 2, "UTF-8 no válido"),
        Rejection(bytes: [0x22, 0x80, 0x22], 1, "UTF-8 no válido"),  // Lone continuation byte.
        Rejection(bytes: [0x22, 0xC0, 0x80, 0x22], 1, "UTF-8 no válido"),  // Overlong NUL.
        Rejection(bytes: [0x22, 0xE0, 0x80, 0xAF, 0x22], 1, "UTF-8 no válido"),  // Overlong '/'.
        Rejection(bytes: [0x22, 0xED, 0xA0, 0x80, 0x22], 1, "UTF-8 no válido"),  // Encoded surrogate.
        Rejection(bytes: [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1, "UTF-8 no válido"),  // Above U+10FFFF.
        Rejection(bytes: [0x22, 0xE2, 0x82, 0x22], 1, "UTF-8 no válido"),  // Truncated '€'.
        Rejection(bytes: [0x22, 0xE2, 0x82], 1, "UTF-8 no válido"),  // Truncated at the end.
        Rejection(bytes: Array(#"{"a":"\n"#.utf8) + [0xF8, 0x22, 0x7D], 8, "/a", "UTF-8 no válido"),
        Rejection(bytes: [0xC3, 0xA9], 0, "se esperaba un valor"),  // Non-ASCII outside a string.
    ]

    static let duplicates: [Rejection] = [
        Rejection(#"{"a":1,"a":2}"#, 7, "/a", "clave duplicada «a»"),
        Rejection(#"{"nombre":"Ana","edad":3,"nombre":"Bea"}"#, 25, "/nombre", "clave duplicada «nombre»"),
        Rejection(#"{"a":[{"b":1,"b":2}]}"#, 13, "/a/0/b", "clave duplicada «b»"),
        Rejection(#"{"é":1,"\u00e9":2}"#, 8, "/é", "clave duplicada «é»"),  // Same key, spelled differently.
        Rejection(#"{"a\/b":1,"a/b":2}"#, 10, "/a~1b", "clave duplicada «a/b»"),
        Rejection(#"{"x/y":{"c~d":{"e":1,"e":1}}}"#, 21, "/x~1y/c~0d/e", "clave duplicada «e»"),
        // Large objects use a hashed set rather than a scan: same result.
        Rejection("{" + (0..<100).map { "\"k\($0)\":\($0)," }.joined() + #""k17":0}"#,
                  (0..<100).map { "\"k\($0)\":\($0),".utf8.count }.reduce(1, +), "/k17", "clave duplicada «k17»"),
    ]

    @Test(arguments: syntax + numbers + strings + duplicates)
    func rejects(_ rejection: Rejection) throws {
        let error = try #require(parseError(rejection.input))
        #expect(error.offset == rejection.offset)
        #expect(error.path == rejection.path)
        #expect(error.message.contains(rejection.message), "\(error.message)")
    }

    /// Small objects find duplicates through a fingerprint filter and a scan, large ones through
    /// a hashed set; the switch happens at 48 members. Both must agree with each other.
    @Test(arguments: [1, 2, 10, 46, 47, 48, 49, 100, 1_000])
    func duplicatesAreFoundAtEverySize(count: Int) throws {
        let members = (0..<count).map { #""k\#($0)":\#($0)"# }
        let distinct = "{" + members.joined(separator: ",") + "}"
        #expect(try CanonicalJSON.parse(distinct).objectValue?.count == count)
        for repeated in Set([0, count / 2, count - 1]) {
            let text = "{" + members.joined(separator: ",") + #","k\#(repeated)":true}"#
            let error = try #require(parseError(Array(text.utf8)))
            #expect(error.path == "/k\(repeated)")
            #expect(error.offset == text.utf8.count - "\"k\(repeated)\":true}".utf8.count)
        }
    }

    @Test func keysWithEqualFingerprintsAreComparedInFull() throws {
        // Same length, first, middle and last byte: every key collides in the filter.
        let keys = (0..<4).flatMap { x in (0..<10).map { y in "a\(x)b\(y)c" } }
        let members = keys.map { #""\#($0)":0"# }.joined(separator: ",")
        #expect(try CanonicalJSON.parse("{" + members + "}").objectValue?.count == 40)
        #expect(parseError(Array(("{" + members + #","a2b7c":1}"#).utf8))?.path == "/a2b7c")
    }

    @Test func canonicallyEquivalentKeysAreDistinct() throws {
        // "é" precomposed and decomposed: Swift's String == says equal, jsonb and hashes do not.
        let value = try CanonicalJSON.parse(#"{"é":1,"e\u0301":2}"#)
        #expect(value.objectValue?.count == 2)
        #expect(value["é"] == 1)
        #expect(value["e\u{301}"] == 2)
    }

    @Test func deepNestingIsRejectedWithoutRecursing() throws {
        let error = try #require(parseError(Array(repeating: UInt8(ascii: "["), count: 100_000)))
        #expect(error.offset == 64)
        #expect(error.path == String(repeating: "/0", count: 64))
        #expect(error.message.contains("anidamiento demasiado profundo (máximo 64 niveles)"))

        let objects = Array(String(repeating: #"{"a":"#, count: 100_000).utf8)
        let objectError = try #require(parseError(objects))
        #expect(objectError.offset == 64 * 5)
        #expect(objectError.path == String(repeating: "/a", count: 64))
    }

    @Test func depthLimitIsExact() throws {
        let deepest = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(parseError(Array(deepest.utf8)) == nil)
        let tooDeep = "[" + deepest + "]"
        #expect(parseError(Array(tooDeep.utf8))?.offset == 64)
        #expect(parseError(Array("1".utf8), maxDepth: 0) == nil)
        #expect(parseError(Array("[]".utf8), maxDepth: 0)?.offset == 0)
        #expect(parseError(Array(#"{"a":[{}]}"#.utf8), maxDepth: 3) == nil)
        #expect(parseError(Array(#"{"a":[{}]}"#.utf8), maxDepth: 2)?.path == "/a/0")
    }

    @Test func errorDescriptionsAreReadable() throws {
        let error = try #require(parseError(Array(#"{"a":[{"b":1,"b":2}]}"#.utf8)))
        #expect(error.description == "clave duplicada «b» (byte 13, en /a/0/b)")
        #expect(parseError([])?.description == "la entrada está vacía (byte 0)")
    }

    @Test func stringOverloadReportsTheSameErrors() {
        #expect(throws: JSONParseError(offset: 7, path: "/a", message: "clave duplicada «a»")) {
            try CanonicalJSON.parse(#"{"a":1,"a":2}"#)
        }
    }
}
