import struct Foundation.Date

/// Timestamps are stored with microsecond precision (SQLite: integer microseconds since the Unix epoch;
/// PostgreSQL: `timestamptz`, which is microseconds too). Times the stores assign themselves are rounded to a
/// whole microsecond first, so what `createRun` returns is what `run(id:)` reads back.
enum StoredTimestamp {
    /// Microseconds since 1970-01-01T00:00:00Z, rounded to the nearest.
    static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// The date `microseconds` after the Unix epoch.
    static func date(microseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }

    /// Now, rounded to a whole microsecond.
    static func now() -> Date {
        self.rounded(Date())
    }

    /// `date` rounded to a whole microsecond, as it reads back.
    static func rounded(_ date: Date) -> Date {
        self.date(microseconds: self.microseconds(date))
    }
}
