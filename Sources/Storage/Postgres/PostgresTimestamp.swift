import struct Foundation.Date
import NIOCore
import PostgresNIO

/// A `timestamptz` parameter or column that converts exactly like SQLite's integer microseconds
/// (`StoredTimestamp`): the date is rounded to the nearest microsecond when written and read back as
/// `StoredTimestamp.date(microseconds:)`, so both backends return identical `Date`s for the same stored instant.
///
/// PostgresNIO's own `Date` coding truncates towards zero when writing and decodes through a different base, so a
/// millisecond instant such as `…123.456` can come back one ulp (or one microsecond) off; the registry, task and
/// prediction tables use this type instead.
struct PostgresTimestamp: PostgresNonThrowingEncodable, PostgresArrayEncodable, PostgresDecodable, Sendable {
    /// Microseconds from 1970-01-01 to PostgreSQL's epoch, 2000-01-01 (UTC).
    static let epochOffset: Int64 = 946_684_800_000_000

    /// The instant.
    var date: Date

    /// Wraps `date`.
    init(_ date: Date) {
        self.date = date
    }

    /// Wraps an optional date (`nil` binds NULL).
    static func optional(_ date: Date?) -> PostgresTimestamp? {
        date.map(PostgresTimestamp.init)
    }

    /// `timestamptz`.
    static var psqlType: PostgresDataType { .timestamptz }
    /// `timestamptz[]`.
    static var psqlArrayType: PostgresDataType { .timestamptzArray }
    /// Binary: microseconds since 2000-01-01 as a big-endian `Int64`.
    static var psqlFormat: PostgresFormat { .binary }

    /// Writes the rounded microseconds since PostgreSQL's epoch.
    func encode<JSONEncoder: PostgresJSONEncoder>(
        into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        buffer.writeInteger(StoredTimestamp.microseconds(self.date) - Self.epochOffset, as: Int64.self)
    }

    /// Reads binary `timestamptz`/`timestamp`; `±infinity` and other formats fail to decode.
    init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat,
        context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        guard type == .timestamptz || type == .timestamp else { throw PostgresDecodingError.Code.typeMismatch }
        guard format == .binary, buffer.readableBytes == 8, let value = buffer.readInteger(as: Int64.self) else {
            throw PostgresDecodingError.Code.failure
        }
        let (microseconds, overflow) = value.addingReportingOverflow(Self.epochOffset)
        guard !overflow else { throw PostgresDecodingError.Code.failure }
        self.date = StoredTimestamp.date(microseconds: microseconds)
    }
}

extension PostgresRandomAccessRow {
    /// A `timestamptz` column decoded like SQLite's microseconds (see `PostgresTimestamp`).
    func timestamp(_ name: String) throws -> Date {
        try self.value(name, PostgresTimestamp.self).date
    }

    /// A nullable `timestamptz` column decoded like SQLite's microseconds.
    func optionalTimestamp(_ name: String) throws -> Date? {
        try self.value(name, PostgresTimestamp?.self)?.date
    }
}
