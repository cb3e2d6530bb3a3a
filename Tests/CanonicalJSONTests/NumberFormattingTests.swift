import Testing
import CanonicalJSON

/// Numbers must print exactly as ECMAScript's `Number.prototype.toString` (RFC 8785 §3.2.2.3);
/// a single differing digit would change every hash that includes the number.
struct NumberFormattingTests {
    static func text(_ value: Double) -> String {
        String(decoding: CanonicalJSON.serialize(.number(value)), as: UTF8.self)
    }

    /// RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text.
    @Test(arguments: [
        (0x0000_0000_0000_0000, "0"),
        (0x8000_0000_0000_0000, "0"),
        (0x0000_0000_0000_0001, "5e-324"),
        (0x8000_0000_0000_0001, "-5e-324"),
        (0x7FEF_FFFF_FFFF_FFFF, "1.7976931348623157e+308"),
        (0xFFEF_FFFF_FFFF_FFFF, "-1.7976931348623157e+308"),
        (0x4340_0000_0000_0000, "9007199254740992"),
        (0xC340_0000_0000_0000, "-9007199254740992"),
        (0x4430_0000_0000_0000, "295147905179352830000"),
        (0x44B5_2D02_C7E1_4AF5, "9.999999999999997e+22"),
        (0x44B5_2D02_C7E1_4AF6, "1e+23"),
        (0x44B5_2D02_C7E1_4AF7, "1.0000000000000001e+23"),
        (0x444B_1AE4_D6E2_EF4E, "999999999999999700000"),
        (0x444B_1AE4_D6E2_EF4F, "999999999999999900000"),
        (0x444B_1AE4_D6E2_EF50, "1e+21"),
        (0x3EB0_C6F7_A0B5_ED8C, "9.999999999999997e-7"),
        (0x3EB0_C6F7_A0B5_ED8D, "0.000001"),
        (0x41B3_DE43_5555_5553, "333333333.3333332"),
        (0x41B3_DE43_5555_5554, "333333333.33333325"),
        (0x41B3_DE43_5555_5555, "333333333.3333333"),
        (0x41B3_DE43_5555_5556, "333333333.3333334"),
        (0x41B3_DE43_5555_5557, "333333333.33333343"),
        (0xBECB_F647_612F_3696, "-0.0000033333333333333333"),
        (0x4314_3FF3_C1CB_0959, "1424953923781206.2"),
    ] as [(UInt64, String)])
    func rfc8785AppendixB(bits: UInt64, expected: String) {
        #expect(Self.text(Double(bitPattern: bits)) == expected)
    }

    @Test(arguments: [
        (1.0, "1"), (100, "100"), (-100, "-100"), (4.5, "4.5"), (2e-3, "0.002"), (0.1, "0.1"),
        (1e20, "100000000000000000000"), (1e21, "1e+21"), (123456789012345680000.0, "123456789012345680000"),
        (0.000001, "0.000001"), (1e-7, "1e-7"), (1.5e-7, "1.5e-7"), (0.0000015, "0.0000015"),
        (-1.5e300, "-1.5e+300"), (1.7976931348623157e308, "1.7976931348623157e+308"),
        (1e16, "10000000000000000"), (1e17, "100000000000000000"), (12345678.9, "12345678.9"),
        (9007199254740993.0, "9007199254740992"), (18014398509481988, "18014398509481988"),
        (0.1 + 0.2, "0.30000000000000004"), (-0.5, "-0.5"), (123e-20, "1.23e-18"), (1e-6 * 1.5, "0.0000015"),
        (Double(Int64.max), "9223372036854776000"), (1.2e21, "1.2e+21"), (9.5e20, "950000000000000000000"),
    ] as [(Double, String)])
    func ecmaScriptLayout(value: Double, expected: String) {
        #expect(Self.text(value) == expected)
    }

    @Test func negativeZeroIsZero() {
        #expect(Self.text(-0.0) == "0")
        #expect(Self.text(Double(bitPattern: 1)) == "5e-324")  // Smallest subnormal.
        #expect(Self.text(-Double.leastNormalMagnitude) == "-2.2250738585072014e-308")
    }

    /// Built by hand only (the parser refuses them): written like `JSON.stringify` does.
    @Test func nonFiniteNumbersSerialiseAsNull() {
        #expect(Self.text(.nan) == "null")
        #expect(Self.text(.infinity) == "null")
        #expect(Self.text(-.infinity) == "null")
    }

    /// Every double printed must read back as itself (shortest round trip), across magnitudes.
    @Test func formattedNumbersRoundTrip() throws {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        for _ in 0..<20_000 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            let value = Double(bitPattern: state)
            guard value.isFinite else { continue }
            let parsed = try CanonicalJSON.parse(Self.text(value))
            #expect(parsed.numberValue == value, "\(value)")
        }
    }

    @Test(arguments: [
        ("1.50", "1.5"), ("1.5", "1.5"), ("15e-1", "1.5"), ("0.15E1", "1.5"), ("150E-2", "1.5"),
        ("-0", "0"), ("-0.0e5", "0"), ("1e-400", "0"), ("-1e-400", "0"), ("0.000000000000000000000000001", "1e-27"),
        ("333333333.33333329", "333333333.3333333"), ("1E30", "1e+30"), ("9007199254740993", "9007199254740992"),
        ("0.1000000000000000055511151231257827021181583404541015625", "0.1"),
        ("1" + String(repeating: "0", count: 300), "1e+300"), ("1.7976931348623157e308", "1.7976931348623157e+308"),
        ("2.4703282292062328e-324", "5e-324"), ("2.4703282292062327e-324", "0"),
    ] as [(String, String)])
    func parsedNumbersCanonicalise(input: String, expected: String) throws {
        #expect(String(decoding: try CanonicalJSON.canonicalize(input), as: UTF8.self) == expected)
    }

    @Test func equalValuesWithDifferentSpellingsCanonicaliseIdentically() throws {
        let forms = ["1.50", "1.5", "15e-1", "0.15E1"].map { try? CanonicalJSON.canonicalize("{\"x\":[\($0)]}") }
        #expect(Set(forms).count == 1)
        #expect(forms[0] == Array(#"{"x":[1.5]}"#.utf8))
    }
}
