import Foundation

/// The HTTP `Retry-After` header (RFC 9110 §10.2.3): either delta-seconds (`120`) or an HTTP-date
/// (`Wed, 21 Oct 2015 07:28:00 GMT`, the IMF-fixdate form every current server sends).
public enum RetryAfter {
    /// Longest wait believed (one day); a larger value is clamped so a bogus header cannot park a job for weeks.
    public static let maxSeconds: Double = 86_400

    /// Seconds to wait from `now`, or `nil` when the header is absent or in neither form. A date in the past
    /// gives 0.
    public static func seconds(from header: String?, now: Date = Date()) -> Double? {
        guard let text = header?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            guard text.utf8.count <= 10, let seconds = Double(text) else { return self.maxSeconds }
            return min(seconds, self.maxSeconds)
        }
        guard let date = self.httpDate(text) else { return nil }
        return min(max(0, date.timeIntervalSince(now)), self.maxSeconds)
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Parses IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT` without a locale-dependent formatter.
    static func httpDate(_ text: String) -> Date? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT" || parts[5] == "UTC",
            let day = Int(parts[1]), let monthIndex = self.months.firstIndex(of: parts[2].lowercased()),
            let year = Int(parts[3])
        else { return nil }
        let clock = parts[4].split(separator: ":")
        guard clock.count == 3, let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2]),
            (0..<24).contains(hour), (0..<60).contains(minute), (0...60).contains(second),
            (1...31).contains(day), (1970...9999).contains(year)
        else { return nil }
        var components = DateComponents()
        components.calendar = Calendar(identifier: .gregorian)
        components.timeZone = TimeZone(identifier: "GMT")
        components.year = year
        components.month = monthIndex + 1
        components.day = day
        components.hour = hour
        components.minute = minute
        components.second = second
        guard components.isValidDate else { return nil }
        return components.date
    }
}
