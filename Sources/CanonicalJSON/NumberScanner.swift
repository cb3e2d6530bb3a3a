/// Checks the RFC 8259 number grammar and, for the common cases, converts without a detour
/// through text.
///
///     number = [ "-" ] int [ frac ] [ exp ]
///     int    = "0" / ( digit1-9 *DIGIT )
///
/// The conversion must be correctly rounded (two spellings of one value must give one double,
/// hence one hash). The fast path is Clinger's: when the decimal significand fits in 53 bits and
/// the power of ten is at most 10^22, both are exact doubles and a single IEEE multiplication or
/// division rounds correctly. Everything else (more than 19 significant digits, large exponents)
/// goes to the standard library's correctly rounded `Double(String)`.
enum NumberScanner {
    struct Scanned {
        /// Offset just after the number.
        var offset: Int
        /// The value, when the fast path could compute it; nil means "convert the text".
        var fastValue: Double?
    }

    private static let maxExactSignificand: UInt64 = 1 << 53

    /// 10^0 … 10^22: every one is exactly representable as a double.
    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// Scans the number starting at `start` (a '-' or a digit).
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) throws(JSONParseError) -> Scanned {
        func isDigit(_ i: Int) -> Bool { i < bytes.count && bytes[i] &- UInt8(ascii: "0") < 10 }
        func failure(_ message: String, at offset: Int) -> JSONParseError {
            JSONParseError(offset: offset, path: "", message: message)
        }

        var i = start
        let negative = bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        var significand: UInt64 = 0
        var significantDigits = 0  // Digits accumulated in `significand`, not counting leading zeros.
        var exact = true  // False once there are more digits than a UInt64 can hold.
        var decimalExponent = 0

        func accumulate(_ byte: UInt8) {
            let digit = UInt64(byte &- UInt8(ascii: "0"))
            if significand == 0 && digit == 0 { return }
            if significantDigits < 19 {
                significand = significand &* 10 &+ digit
                significantDigits += 1
            } else {
                exact = false
            }
        }

        guard isDigit(i) else {
            if i + 8 <= bytes.count, Array(UnsafeBufferPointer(rebasing: bytes[i..<i + 8])) == Array("Infinity".utf8) {
                throw failure("NaN e Infinity no son números JSON válidos", at: start)
            }
            throw failure("se esperaba un dígito después de '-'", at: i)
        }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
            if isDigit(i) { throw failure("los números no pueden tener ceros a la izquierda", at: start) }
        } else {
            while isDigit(i) {
                accumulate(bytes[i])
                i += 1
            }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard isDigit(i) else { throw failure("se esperaba un dígito después del punto decimal", at: i) }
            while isDigit(i) {
                accumulate(bytes[i])
                decimalExponent -= 1
                i += 1
            }
        }
        if i < bytes.count, bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            guard isDigit(i) else { throw failure("se esperaba un dígito en el exponente", at: i) }
            var exponent = 0
            while isDigit(i) {
                // Saturate: anything this large overflows or underflows anyway.
                if exponent < 1_000_000 { exponent = exponent * 10 + Int(bytes[i] &- UInt8(ascii: "0")) }
                i += 1
            }
            decimalExponent += exponentNegative ? -exponent : exponent
        }

        guard exact else { return Scanned(offset: i, fastValue: nil) }
        if significand == 0 { return Scanned(offset: i, fastValue: negative ? -0.0 : 0.0) }
        guard significand <= maxExactSignificand, (-22...22).contains(decimalExponent) else {
            return Scanned(offset: i, fastValue: nil)
        }
        var value = Double(significand)
        if decimalExponent > 0 {
            value *= powersOfTen[decimalExponent]
        } else if decimalExponent < 0 {
            value /= powersOfTen[-decimalExponent]
        }
        return Scanned(offset: i, fastValue: negative ? -value : value)
    }
}
