import Catalog

/// The Clave Única de Registro de Población: 18 characters whose last is a check digit (RENAPO).
public enum CURP {
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ")

    /// The check digit of the first 17 characters: (10 − Σ value(cᵢ)·(18 − i) mod 10) mod 10.
    public static func checkDigit(_ first17: String) -> Character? {
        let characters = Array(first17)
        guard characters.count == 17 else { return nil }
        var sum = 0
        for (index, character) in characters.enumerated() {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            sum += value * (18 - index)
        }
        return Character(String((10 - sum % 10) % 10))
    }

    public static func hasValidCheckDigit(_ curp: String) -> Bool {
        let characters = Array(curp)
        guard characters.count == 18 else { return false }
        return checkDigit(String(characters[0..<17])) == characters[17]
    }

    /// The birth date a CURP encodes (positions 5–10, YYMMDD; position 17 is a digit for people
    /// born before 2000 and a letter from 2000 on).
    public static func birthDate(_ curp: String) -> CalendarDate? {
        let characters = Array(curp)
        guard characters.count == 18, let yy = Int(String(characters[4..<6])) else { return nil }
        let century = characters[16].isNumber ? 1900 : 2000
        return CalendarDate("\(century + yy)-\(String(characters[6..<8]))-\(String(characters[8..<10]))")
    }
}
