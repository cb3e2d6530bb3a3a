import Testing
import CanonicalJSON

func canonical(_ text: String) throws -> String {
    String(decoding: try CanonicalJSON.canonicalize(text), as: UTF8.self)
}

/// The property the event log relies on: one value, one byte sequence, whoever wrote the text.
struct CanonicalizationTests {
    /// RFC 8785 §3.2.2 (input) and §3.2.3 (output).
    @Test func rfc8785MainExample() throws {
        let input = #"""
            {
              "numbers": [333333333.33333329, 1E30, 4.50,
                          2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """#
        let expected = #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        #expect(try canonical(input) == expected)
    }

    /// RFC 8785 §3.2.3: keys sorted by UTF-16 code units, so "😀" (D83D DE00) precedes "דּ" (FB33)
    /// although its code point (and UTF-8) is larger.
    @Test func rfc8785SortingExample() throws {
        let input = #"""
            {
              "\u20ac": "Euro Sign",
              "\r": "Carriage Return",
              "\ufb33": "Hebrew Letter Dalet With Dagesh",
              "1": "One",
              "\ud83d\ude00": "Emoji: Grinning Face",
              "\u0080": "Control",
              "\u00f6": "Latin Small Letter O With Diaeresis"
            }
            """#
        let value = try CanonicalJSON.parse(input)
        let reparsed = try CanonicalJSON.parse(CanonicalJSON.serialize(value))
        #expect(reparsed.objectValue?.map { $0.value.stringValue ?? "" } == [
            "Carriage Return", "One", "Control", "Latin Small Letter O With Diaeresis",
            "Euro Sign", "Emoji: Grinning Face", "Hebrew Letter Dalet With Dagesh",
        ])
        #expect(try canonical(input) == "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\","
            + "\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\","
            + "\"😀\":\"Emoji: Grinning Face\",\"\u{FB33}\":\"Hebrew Letter Dalet With Dagesh\"}")
    }

    @Test func utf16OrderAroundTheSurrogateRange() throws {
        // U+E000 and U+FFFF sort after U+10000 and U+10FFFF in UTF-16; U+D7FF before all of them.
        let keys = ["\u{FFFF}", "\u{10FFFF}", "\u{E000}", "\u{10000}", "\u{D7FF}", "a", "", "ab"]
        let value = JSONValue.object(keys.map { JSONMember(key: $0, value: .null) })
        let sorted = try CanonicalJSON.parse(CanonicalJSON.serialize(value)).objectValue?.map(\.key)
        #expect(sorted == ["", "a", "ab", "\u{D7FF}", "\u{10000}", "\u{10FFFF}", "\u{E000}", "\u{FFFF}"])
        #expect(sorted == keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) })
    }

    @Test func keyOrderMatchesUTF16OrderOnRandomKeys() throws {
        let alphabet: [Unicode.Scalar] = ["a", "b", "\u{7F}", "\u{80}", "é", "\u{7FF}", "\u{800}", "\u{D7FF}", "\u{E000}",
                                          "\u{FB33}", "\u{FFFD}", "\u{FFFF}", "\u{10000}", "😀", "\u{10FFFF}"]
        var state: UInt64 = 0x853C_49E6_748F_EA9B
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        for _ in 0..<200 {
            var keys = Set<String>()
            while keys.count < 12 {
                var key = ""
                for _ in 0..<next(4) { key.unicodeScalars.append(alphabet[next(alphabet.count)]) }
                keys.insert(key)
            }
            // Swift's Set dedupes by canonical equivalence, which is fine here (fewer keys).
            let value = JSONValue.object(keys.map { JSONMember(key: $0, value: .null) })
            let order = try CanonicalJSON.parse(CanonicalJSON.serialize(value)).objectValue?.map(\.key)
            #expect(order == keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) })
        }
    }

    /// The text PostgreSQL 15 returns for a `jsonb` column (captured from `SELECT '…'::jsonb`):
    /// keys by length then bytes, spaces after ':' and ',', escapes decoded, numbers as written.
    @Test func postgresJSONBOutputCanonicalisesLikeTheOriginal() throws {
        let original = #"{"nombre":"Ana","edad":30,"id":"x1","activo":true,"zz":{"b":[1.50,2e3,-0,0.000001,1E-7],"a":"\u00e9\/\ud83d\ude00\t","aa":null}}"#
        let fromJSONB = #"{"id": "x1", "zz": {"a": "é/😀\t", "b": [1.50, 2000, 0, 0.000001, 0.0000001], "aa": null}, "edad": 30, "activo": true, "nombre": "Ana"}"#
        let expected = #"{"activo":true,"edad":30,"id":"x1","nombre":"Ana","zz":{"a":"é/😀\t","aa":null,"b":[1.5,2000,0,0.000001,1e-7]}}"#
        #expect(try canonical(original) == expected)
        #expect(try canonical(fromJSONB) == expected)
        #expect(try CanonicalJSON.parse(original) == CanonicalJSON.parse(fromJSONB))

        let rfcFromJSONB = #"{"string": "€$\u000f\nA'B\"\\\\\"/", "numbers": [333333333.33333329, 1000000000000000000000000000000, 4.50, 0.002, 0.000000000000000000000000001], "literals": [null, true, false]}"#
        #expect(try canonical(rfcFromJSONB) == #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#)
    }

    @Test(arguments: [
        (#""\u00e9""#, #""é""#), (#""\/""#, #""/""#), (#""\u00E9t\u00e9""#, #""été""#),
        (#""\ud83d\ude00""#, #""😀""#), (#""\u0041\u0062""#, #""Ab""#), (#""\u20AC""#, #""€""#),
    ] as [(String, String)])
    func differentlyEscapedEqualStringsCanonicaliseIdentically(escaped: String, literal: String) throws {
        #expect(try canonical(escaped) == canonical(literal))
        #expect(try canonical(escaped) == literal)
    }

    @Test func stringEscapingFollowsRFC8785() throws {
        let value = JSONValue.string("\"\\/\u{8}\u{C}\n\r\t\u{0}\u{1}\u{1F}\u{7F}\u{80}\u{2028}\u{2029}é😀")
        #expect(value.description == "\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0000\\u0001\\u001f\u{7F}\u{80}\u{2028}\u{2029}é😀\"")
        #expect(try canonical(#""\u001F\u007f\u2028\b""#) == "\"\\u001f\u{7F}\u{2028}\\b\"")
    }

    @Test(arguments: [
        "null", "true", "false", "0", "-1", "1.5", "\"\"", "[]", "{}", "[[],{},[{}]]",
        #"{"":0,"a":[1,"b",null,true,false,{"c":{}}],"b":-2.5e-7}"#,
        #"["\u0001","\\","\"","\n","é","😀",""# + "\u{7F}\"]",
        #"{"a":{"b":{"c":[1,2,3]}},"a/b":1,"a~b":2}"#,
    ])
    func canonicalTextIsAFixedPoint(text: String) throws {
        #expect(try canonical(text) == text)
        #expect(try canonical(canonical(text)) == text)
    }

    @Test func whitespaceAndOrderDoNotMatter() throws {
        let compact = #"{"b":[1,2,{"y":true,"x":null}],"a":"t"}"#
        let spaced = " \t\r\n{ \"a\" : \"t\" ,\n\t\"b\" : [ 1 , 2 , { \"x\" : null , \"y\" : true } ] }\r\n "
        #expect(try canonical(compact) == canonical(spaced))
        #expect(try canonical(compact) == #"{"a":"t","b":[1,2,{"x":null,"y":true}]}"#)
    }

    @Test func parsedValuesKeepInputOrderAndRoundTrip() throws {
        let text = #"{"z":1,"a":[true,null,"s"],"m":{"k":-0.5}}"#
        let value = try CanonicalJSON.parse(text)
        #expect(value.objectValue?.map(\.key) == ["z", "a", "m"])
        #expect(value == ["z": 1, "a": [true, .null, "s"], "m": ["k": -0.5]])
        #expect(try CanonicalJSON.parse(CanonicalJSON.serialize(value)) == value)
        #expect(value["a"]?[2]?.stringValue == "s")
        #expect(value["m"]?["k"]?.numberValue == -0.5)
        #expect(value["z"]?.int64Value == 1)
        #expect(value["m"]?["k"]?.int64Value == nil)
        #expect(value["missing"] == nil && value[0] == nil && value.isObject && !value.isArray)
    }

    @Test func equalityIsCanonicalEquality() throws {
        #expect(try CanonicalJSON.parse(#"{"a":1,"b":2}"#) == CanonicalJSON.parse(#"{"b":2.0,"a":1}"#))
        #expect(try CanonicalJSON.parse("-0") == CanonicalJSON.parse("0"))
        #expect(JSONValue.string("é") != JSONValue.string("e\u{301}"))  // Swift's String == says equal.
        #expect(try CanonicalJSON.parse(#"{"a":1}"#) != CanonicalJSON.parse(#"{"a":1,"b":2}"#))
        #expect(try CanonicalJSON.parse("[1,2]") != CanonicalJSON.parse("[2,1]"))
        #expect(JSONValue.null != JSONValue.bool(false))
    }

    @Test func allInputTypesGiveTheSameResult() throws {
        let text = #"{"k":["v",1.25]}"#
        let bytes = Array(text.utf8)
        let expected = try CanonicalJSON.canonicalize(text)
        #expect(try CanonicalJSON.canonicalize(bytes) == expected)
        #expect(try CanonicalJSON.canonicalize(bytes[...]) == expected)
        #expect(try CanonicalJSON.canonicalize(text.utf8) == expected)
        #expect(try CanonicalJSON.canonicalize(Substring(text).utf8) == expected)
        #expect(try CanonicalJSON.canonicalize(bytes.lazy.map { $0 }) == expected)  // Not contiguous.
        #expect(try CanonicalJSON.canonicalize(ContiguousArray(bytes)) == expected)
    }

    @Test func largeDocumentsRoundTrip() throws {
        let members = (0..<2_000).map { index in
            JSONMember(key: "clave-\(index)-ñ", value: ["n": .number(Double(index) / 7), "s": .string("valor \(index) \u{1}")])
        }
        let value = JSONValue.object(members)
        let bytes = CanonicalJSON.serialize(value)
        let reparsed = try CanonicalJSON.parse(bytes)
        #expect(reparsed == value)
        #expect(CanonicalJSON.serialize(reparsed) == bytes)
    }
}
