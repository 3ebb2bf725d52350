import PredictionCore

/// Byte-level decoding of one CSV field (a range of a UTF-8 byte array). No Foundation, no `String` per field:
/// the parser calls these once per cell, so they are written for the common case (plain ASCII decimals) and fall
/// back to the standard library's correctly rounded conversion only for unusual spellings (exponents, > 19 digits).
enum CSVField {
    private static let space = UInt8(ascii: " ")
    private static let tab = UInt8(ascii: "\t")
    private static let quote = UInt8(ascii: "\"")
    private static let minus = UInt8(ascii: "-")
    private static let plus = UInt8(ascii: "+")
    private static let dot = UInt8(ascii: ".")
    private static let zero = UInt8(ascii: "0")
    private static let nine = UInt8(ascii: "9")

    /// Powers of ten that are exact in a `Double` (10^0 ... 10^22): dividing an exact mantissa by one of them is a
    /// single correctly rounded IEEE operation (Clinger's fast path).
    private static let exactPowersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// The range without surrounding spaces, tabs and one pair of double quotes.
    static func trimmed(_ bytes: [UInt8], _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, bytes[lower] == space || bytes[lower] == tab { lower += 1 }
        while upper > lower, bytes[upper - 1] == space || bytes[upper - 1] == tab { upper -= 1 }
        if upper - lower >= 2, bytes[lower] == quote, bytes[upper - 1] == quote {
            lower += 1
            upper -= 1
        }
        return lower..<upper
    }

    /// A finite decimal number (`12.5`, `-3`, `1e5`), or `nil` (empty, `null`, `nan`, `inf`, text).
    static func double(_ bytes: [UInt8], _ range: Range<Int>) -> Double? {
        var index = range.lowerBound
        let end = range.upperBound
        guard index < end else { return nil }
        var negative = false
        if bytes[index] == minus {
            negative = true
            index += 1
        } else if bytes[index] == plus {
            index += 1
        }
        var mantissa: UInt64 = 0
        var significantDigits = 0
        var fractionDigits = 0
        var sawDot = false
        var sawDigit = false
        while index < end {
            let c = bytes[index]
            if c >= zero, c <= nine {
                sawDigit = true
                if significantDigits >= 19 { return slowDouble(bytes, range) }
                mantissa = mantissa &* 10 &+ UInt64(c &- zero)
                if mantissa != 0 { significantDigits += 1 }
                if sawDot { fractionDigits += 1 }
            } else if c == dot, !sawDot {
                sawDot = true
            } else {
                return slowDouble(bytes, range)
            }
            index += 1
        }
        guard sawDigit else { return nil }
        guard mantissa <= 1 << 53, fractionDigits < exactPowersOfTen.count else { return slowDouble(bytes, range) }
        let magnitude = Double(mantissa) / exactPowersOfTen[fractionDigits]
        return negative ? -magnitude : magnitude
    }

    /// A whole number; a decimal spelling (`1234.0`, as pandas writes float columns) is rounded to the nearest
    /// integer. `nil` for empty, `null`, non-finite or out-of-range values.
    static func int64(_ bytes: [UInt8], _ range: Range<Int>) -> Int64? {
        var index = range.lowerBound
        let end = range.upperBound
        guard index < end else { return nil }
        var negative = false
        if bytes[index] == minus {
            negative = true
            index += 1
        } else if bytes[index] == plus {
            index += 1
        }
        guard index < end else { return nil }
        var value: Int64 = 0
        while index < end {
            let c = bytes[index]
            guard c >= zero, c <= nine else {
                guard let decimal = double(bytes, range), abs(decimal) < 9.0e18 else { return nil }
                return Int64(decimal.rounded())
            }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int64(c &- zero))
            if overflow1 || overflow2 { return nil }
            value = sum
            index += 1
        }
        return negative ? -value : value
    }

    /// `YYYY-MM-DD`, optionally followed by a space or `T` and a time (`2024-01-02 00:00:00-05:00`, as yfinance
    /// writes exchange-local timestamps): the date part is the exchange-local session date.
    static func sessionDate(_ bytes: [UInt8], _ range: Range<Int>) -> SessionDate? {
        let start = range.lowerBound
        guard range.count >= 10, bytes[start + 4] == minus, bytes[start + 7] == minus else { return nil }
        if range.count > 10 {
            let separator = bytes[start + 10]
            guard separator == space || separator == UInt8(ascii: "T") else { return nil }
        }
        func number(_ offset: Int, _ length: Int) -> Int? {
            var value = 0
            for position in (start + offset)..<(start + offset + length) {
                let c = bytes[position]
                guard c >= zero, c <= nine else { return nil }
                value = value * 10 + Int(c - zero)
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2) else { return nil }
        return SessionDate(year: year, month: month, day: day)
    }

    /// A split ratio: a number (`2.0`, as yfinance writes a 2-for-1 split) or `new:old` / `new/old` text
    /// (`2:1`, `1/10`). `nil` when it is not one of these or not a finite positive ratio.
    static func splitRatio(_ bytes: [UInt8], _ range: Range<Int>) -> Double? {
        for index in range where bytes[index] == UInt8(ascii: ":") || bytes[index] == UInt8(ascii: "/") {
            guard let numerator = double(bytes, trimmed(bytes, range.lowerBound..<index)),
                let denominator = double(bytes, trimmed(bytes, (index + 1)..<range.upperBound)),
                numerator > 0, denominator > 0
            else { return nil }
            return numerator / denominator
        }
        guard let ratio = double(bytes, range), ratio >= 0 else { return nil }
        return ratio
    }

    /// The field as text for messages, cut to `limit` bytes so a garbage line cannot bloat a report.
    static func text(_ bytes: [UInt8], _ range: Range<Int>, limit: Int = 32) -> String {
        if range.count <= limit { return String(decoding: bytes[range], as: UTF8.self) }
        return String(decoding: bytes[range.lowerBound..<(range.lowerBound + limit)], as: UTF8.self) + "…"
    }

    private static func slowDouble(_ bytes: [UInt8], _ range: Range<Int>) -> Double? {
        guard range.count <= 64 else { return nil }
        guard let value = Double(String(decoding: bytes[range], as: UTF8.self)), value.isFinite else { return nil }
        return value
    }
}
