import Foundation
import Testing
@testable import Commands

/// `Rules.containsCURPShape` scans bytes instead of compiling a regular expression on every
/// command: on random identifiers it must answer as the expression it replaced.
@Suite struct CURPShapeTests {
    static let expression = try! NSRegularExpression(pattern: "[A-Za-z]{4}[0-9]{6}[HMXhmx][A-Za-z]{5}")

    static func byExpression(_ text: String) -> Bool {
        expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    @Test func agreesWithTheRegularExpressionOnRandomIdentifiers() {
        var generator = SystemRandomNumberGenerator()
        // Letters, digits, the sex letters and a few others that must break the shape.
        let alphabet = Array("ABCHMXabchmx0123456789-_@ñÑé ")
        var matches = 0
        for _ in 0..<20_000 {
            var text = String((0..<Int.random(in: 0...24, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            // Every fourth one gets a CURP-like core, so both answers are exercised.
            if Int.random(in: 0..<4, using: &generator) == 0 {
                text += "GOMC" + String(Int.random(in: 100_000...999_999)) + ["H", "m", "X", "Z"].randomElement()! + "DFRRN"
                    + String(alphabet.randomElement()!)
            }
            let expected = Self.byExpression(text)
            if expected { matches += 1 }
            #expect(Rules.containsCURPShape(text) == expected, "\(text)")
        }
        #expect(matches > 1_000)
    }

    @Test func aRealCURPAnywhereInAnIdentifierIsFound() {
        #expect(Rules.containsCURPShape("caso-GOMC900101HDFRRN09"))
        #expect(Rules.containsCURPShape("gomc900101mdfrrn"))
        #expect(!Rules.containsCURPShape("caso-2024-000123"))
        #expect(!Rules.containsCURPShape("GOMC900101ZDFRRN"))
    }
}
