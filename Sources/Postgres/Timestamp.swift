import CivilDays
import Foundation

/// An instant with PostgreSQL's exact precision: whole microseconds since the Unix epoch, UTC.
///
/// `Date` is a `Double` of seconds and cannot hold every microsecond of this century exactly;
/// the event log hashes timestamps, so it needs a representation that round-trips bit for bit.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var microsecondsSinceUnixEpoch: Int64

    /// Microseconds between 1970-01-01 and PostgreSQL's epoch 2000-01-01.
    static let postgresEpochOffset: Int64 = 946_684_800_000_000

    public init(microsecondsSinceUnixEpoch: Int64) {
        self.microsecondsSinceUnixEpoch = microsecondsSinceUnixEpoch
    }

    public init(_ date: Date) {
        self.microsecondsSinceUnixEpoch = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    public static func now() -> Timestamp { Timestamp(Date()) }

    public var date: Date { Date(timeIntervalSince1970: Double(microsecondsSinceUnixEpoch) / 1_000_000) }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.microsecondsSinceUnixEpoch < rhs.microsecondsSinceUnixEpoch
    }

    /// RFC 3339 in UTC with exactly six fractional digits: `2024-03-01T12:00:00.000000Z`.
    public var iso8601: String {
        // Floor division without overflow, for every Int64 including .min.
        var seconds = microsecondsSinceUnixEpoch / 1_000_000
        var fraction = microsecondsSinceUnixEpoch % 1_000_000
        if fraction < 0 { seconds -= 1; fraction += 1_000_000 }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 { days -= 1; secondOfDay += 86_400 }
        let civil = CivilDays.date(dayNumber: Int(days))
        let (year, month, day) = (Int64(civil.year), Int64(civil.month), Int64(civil.day))
        guard (0...9999).contains(year) else { return "\(year)-\(month)-\(day)T\(secondOfDay)s+\(fraction)µs" }
        // Written digit by digit: String(format:) costs more than everything else done per event.
        var text = [UInt8]()
        text.reserveCapacity(27)
        func digits(_ value: Int64, _ count: Int) {
            var divisor: Int64 = 1
            for _ in 1..<count { divisor *= 10 }
            var remaining = value
            for _ in 0..<count {
                text.append(UInt8(48 + (remaining / divisor) % 10))
                remaining %= divisor
                divisor /= 10
            }
        }
        digits(year, 4); text.append(45); digits(month, 2); text.append(45); digits(day, 2)
        text.append(84); digits(secondOfDay / 3600, 2); text.append(58); digits((secondOfDay / 60) % 60, 2)
        text.append(58); digits(secondOfDay % 60, 2); text.append(46); digits(fraction, 6); text.append(90)
        return String(decoding: text, as: UTF8.self)
    }

    public var description: String { iso8601 }

    /// The last microsecond of `date` (`YYYY-MM-DD`) in Mexico City, the calendar the institutions
    /// date their records in (`CalendarDate.today()`): where every "as of a day" answer cuts the log
    /// (the last position recorded that day). Nil when `date` is not a date.
    ///
    /// It was the end of the day in UTC: from 18:00 in Mexico City (00:00 UTC) "as of today" then
    /// left out what had been recorded since, and a day's figures took in six hours of the next.
    public init?(endOfDay date: String) {
        guard Timestamp(iso8601: "\(date)T00:00:00Z") != nil else { return nil }
        let parts = date.split(separator: "-").compactMap { Int($0) }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = Self.mexicoCity
        guard parts.count == 3,
              let nextMidnight = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2] + 1)) else { return nil }
        self.init(microsecondsSinceUnixEpoch: Timestamp(nextMidnight).microsecondsSinceUnixEpoch - 1)
    }

    /// The time zone of `endOfDay` (its historical offsets, summer time until 2022 included).
    public static let mexicoCity = TimeZone(identifier: "America/Mexico_City") ?? .gmt

    /// Parses RFC 3339 (`2024-03-01`, `2024-03-01T12:00:00Z`, `…T12:00:00.123456-06:00`).
    /// A bare date means midnight UTC. More than six fractional digits are rejected rather than rounded.
    public init?(iso8601 text: String) {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= bytes.count else { return nil }
            var value: Int64 = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            return value
        }
        guard bytes.count >= 10, bytes[4] == 45, bytes[7] == 45,
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              (1...12).contains(month), day >= 1, day <= CivilDays.days(inMonth: Int(month), year: Int(year))
        else { return nil }
        var micros = Int64(CivilDays.dayNumber(year: Int(year), month: Int(month), day: Int(day))) * 86_400_000_000
        if bytes.count == 10 {
            self.init(microsecondsSinceUnixEpoch: micros)
            return
        }
        guard bytes.count >= 20, bytes[10] == 84 || bytes[10] == 116 || bytes[10] == 32, bytes[13] == 58, bytes[16] == 58,
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              hour < 24, minute < 60, second < 60
        else { return nil }
        micros += ((hour * 60 + minute) * 60 + second) * 1_000_000
        var index = 19
        if bytes[index] == 46 {
            index += 1
            var digits = 0
            var fraction: Int64 = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                guard digits < 6 else { return nil }
                fraction = fraction * 10 + Int64(bytes[index] - 48)
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<6 { fraction *= 10 }
            micros += fraction
        }
        guard index < bytes.count else { return nil }
        if bytes[index] == 90 || bytes[index] == 122 {
            guard index + 1 == bytes.count else { return nil }
        } else if bytes[index] == 43 || bytes[index] == 45 {
            guard index + 6 == bytes.count, bytes[index + 3] == 58,
                  let offsetHours = number(index + 1..<index + 3), let offsetMinutes = number(index + 4..<index + 6),
                  offsetHours < 24, offsetMinutes < 60
            else { return nil }
            let offset = (offsetHours * 60 + offsetMinutes) * 60_000_000
            micros += bytes[index] == 43 ? -offset : offset
        } else {
            return nil
        }
        self.init(microsecondsSinceUnixEpoch: micros)
    }
}
