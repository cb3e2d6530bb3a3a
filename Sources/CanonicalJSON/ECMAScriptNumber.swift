/// Numbers as ECMAScript's `Number.prototype.toString()` writes them (ES2015+ §7.1.12.1,
/// "Number::toString"), which RFC 8785 §3.2.2.3 makes the canonical form of a JSON number.
///
/// The algorithm needs the *shortest* decimal digits `s` (k of them) and the exponent `n` such
/// that s × 10^(n−k) reads back as the same double (ties resolved towards the exact value).
/// Swift's `Double.description` already computes exactly those digits (SwiftDtoa: shortest,
/// closest), so we take the digits and exponent from it and lay them out per ECMAScript:
///
///     k ≤ n ≤ 21     digits, then n−k zeros           1e20 → "100000000000000000000"
///     0 < n ≤ 21     digits with a point after n      4.5 → "4.5"
///     −6 < n ≤ 0     "0." then −n zeros, then digits  0.000001 → "0.000001"
///     otherwise      d[.ddd]e±(n−1)                   1e21 → "1e+21", 1e-7 → "1e-7"
enum ECMAScriptNumber {
    /// The ECMAScript text of `value` ("null" if it is not finite, as `JSON.stringify` does).
    static func string(_ value: Double) -> String {
        var output: [UInt8] = []
        append(value, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    static func append(_ value: Double, to output: inout [UInt8]) {
        guard value.isFinite else {
            output.append(contentsOf: "null".utf8)
            return
        }
        if value == 0 {  // Also -0, which ECMAScript prints as "0".
            output.append(UInt8(ascii: "0"))
            return
        }
        if value < 0 { output.append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        // Integers below 2^53 are exact and their own shortest form (no other decimal with as
        // few digits lies within half an ulp ≤ 0.5), so the integer digits are the answer.
        // This is the common case in payloads and skips the text round trip.
        // (Truncating conversion rather than `rounded()`, which would need libm.)
        if magnitude < 9_007_199_254_740_992, case let integer = UInt64(magnitude), Double(integer) == magnitude {
            appendInteger(integer, to: &output)
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digits in
            let (count, pointPosition) = shortestDigits(of: magnitude, into: digits)
            layOut(UnsafeBufferPointer(rebasing: digits[0..<count]), pointPosition: pointPosition, to: &output)
        }
    }

    /// Writes the ASCII digits `s` of a positive finite `value` into `digits`, without leading or
    /// trailing zeros; returns their count k and the ECMAScript exponent n (value = 0.s × 10^n).
    private static func shortestDigits(of value: Double, into digits: UnsafeMutableBufferPointer<UInt8>) -> (count: Int, n: Int) {
        var count = 0
        var n = 0
        var afterPoint = false
        var inExponent = false
        var exponentNegative = false
        var exponent = 0
        for byte in value.description.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if inExponent {
                    exponent = exponent * 10 + Int(byte - UInt8(ascii: "0"))
                } else if count == 0 && byte == UInt8(ascii: "0") {
                    if afterPoint { n -= 1 }  // Leading zero of a fraction: 0.00x.
                } else {
                    digits[count] = byte
                    count += 1
                    if !afterPoint { n += 1 }
                }
            case UInt8(ascii: "."): afterPoint = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"): inExponent = true
            case UInt8(ascii: "-"): exponentNegative = inExponent
            default: break  // "+" of the exponent.
            }
        }
        while count > 1 && digits[count - 1] == UInt8(ascii: "0") { count -= 1 }
        return (count, n + (exponentNegative ? -exponent : exponent))
    }

    private static func layOut(_ digits: UnsafeBufferPointer<UInt8>, pointPosition n: Int, to output: inout [UInt8]) {
        let k = digits.count
        if k <= n && n <= 21 {
            output.append(contentsOf: digits)
            output.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: n - k))
        } else if 0 < n && n <= 21 {
            output.append(contentsOf: UnsafeBufferPointer(rebasing: digits[0..<n]))
            output.append(UInt8(ascii: "."))
            output.append(contentsOf: UnsafeBufferPointer(rebasing: digits[n...]))
        } else if -6 < n && n <= 0 {
            output.append(UInt8(ascii: "0"))
            output.append(UInt8(ascii: "."))
            output.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -n))
            output.append(contentsOf: digits)
        } else {
            output.append(digits[0])
            if k > 1 {
                output.append(UInt8(ascii: "."))
                output.append(contentsOf: UnsafeBufferPointer(rebasing: digits[1...]))
            }
            output.append(UInt8(ascii: "e"))
            output.append(n - 1 < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            appendInteger(UInt64((n - 1).magnitude), to: &output)
        }
    }

    private static func appendInteger(_ value: UInt64, to output: inout [UInt8]) {
        if value < 10 {
            output.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            var remaining = value
            var start = buffer.count
            while remaining > 0 {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start...]))
        }
    }
}
