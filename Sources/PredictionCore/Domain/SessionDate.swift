/// A plain calendar date in an exchange's local calendar (no time, no time zone).
///
/// Bars are keyed by session date: `2330.TW` on 2024-03-01 is 2024-03-01 whatever the server's time zone is
/// (the original system shifted Taiwan dates by a day by storing instants). Stored as the number of days since
/// 1970-01-01, so comparison and arithmetic are integer operations.
public struct SessionDate: Hashable, Comparable, Sendable, CustomStringConvertible, LosslessStringConvertible {
    /// Days since 1970-01-01 (negative before).
    public let dayNumber: Int32

    /// Creates a date from its day number (days since 1970-01-01).
    public init(dayNumber: Int32) {
        self.dayNumber = dayNumber
    }

    /// Creates a date from its components, or `nil` when they do not name a real date (2023-02-29, month 13, ...).
    /// Years are limited to 1800...2200, which covers every price series and keeps arithmetic in range.
    public init?(year: Int, month: Int, day: Int) {
        guard (1800...2200).contains(year), (1...12).contains(month), day >= 1,
            day <= SessionDate.daysInMonth(year: year, month: month)
        else { return nil }
        self.dayNumber = Int32(SessionDate.daysFromCivil(year: year, month: month, day: day))
    }

    /// Parses exactly `YYYY-MM-DD`; anything else (other separators, missing zero padding, a time part) is `nil`.
    public init?(_ description: String) {
        let utf8 = Array(description.utf8)
        guard utf8.count == 10, utf8[4] == UInt8(ascii: "-"), utf8[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let c = utf8[index]
                guard c >= 48, c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            return value
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// Year, month (1–12) and day (1–31).
    public var components: (year: Int, month: Int, day: Int) {
        SessionDate.civilFromDays(Int(self.dayNumber))
    }

    /// The year.
    public var year: Int { self.components.year }
    /// The month, 1–12.
    public var month: Int { self.components.month }
    /// The day of the month, 1–31.
    public var day: Int { self.components.day }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    public var weekday: Int {
        // 1970-01-01 was a Thursday (ISO 4).
        let offset = (Int(self.dayNumber) % 7 + 7) % 7
        return (offset + 3) % 7 + 1
    }

    /// `true` on Saturday and Sunday.
    public var isWeekend: Bool { self.weekday >= 6 }

    /// The date `days` later (earlier when negative).
    public func adding(days: Int) -> SessionDate {
        SessionDate(dayNumber: self.dayNumber + Int32(days))
    }

    /// Whole days from `self` to `other` (positive when `other` is later).
    public func days(to other: SessionDate) -> Int {
        Int(other.dayNumber) - Int(self.dayNumber)
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        let (y, m, d) = self.components
        return "\(SessionDate.pad(y, 4))-\(SessionDate.pad(m, 2))-\(SessionDate.pad(d, 2))"
    }

    public static func < (lhs: SessionDate, rhs: SessionDate) -> Bool { lhs.dayNumber < rhs.dayNumber }

    // MARK: Calendar arithmetic (Howard Hinnant's civil-from-days algorithms, proleptic Gregorian)

    /// Number of days in a month of a year.
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Gregorian leap-year rule.
    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

extension SessionDate: Codable {
    /// Decodes from a `YYYY-MM-DD` string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = SessionDate(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected a date as YYYY-MM-DD, got \"\(text)\"")
        }
        self = date
    }

    /// Encodes as a `YYYY-MM-DD` string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.description)
    }
}
