import struct Foundation.Date
import PredictionCore
import SQLiteNIO

/// Typed column access for rows read by `SQLiteStore`; a missing column or a value of the wrong type is a
/// `StorageError(.corruptRow)` naming the column (never the value).
extension SQLiteRow {
    private func value(_ name: String) throws -> SQLiteData {
        guard let data = self.column(name) else {
            throw StorageError(.corruptRow, "stored row has no column \(name)")
        }
        return data
    }

    private func corrupt(_ name: String) -> StorageError {
        StorageError(.corruptRow, "stored column \(name) has an unexpected value")
    }

    /// A REAL column (integral reals may come back as integers).
    func double(_ name: String) throws -> Double {
        guard let value = try self.optionalDouble(name) else { throw self.corrupt(name) }
        return value
    }

    /// A nullable REAL column.
    func optionalDouble(_ name: String) throws -> Double? {
        switch try self.value(name) {
        case .float(let value): return value
        case .integer(let value): return Double(value)
        case .null: return nil
        case .text, .blob: throw self.corrupt(name)
        }
    }

    /// An INTEGER column.
    func int64(_ name: String) throws -> Int64 {
        guard let value = try self.optionalInt64(name) else { throw self.corrupt(name) }
        return value
    }

    /// A nullable INTEGER column.
    func optionalInt64(_ name: String) throws -> Int64? {
        switch try self.value(name) {
        case .integer(let value): return Int64(value)
        case .null: return nil
        case .float, .text, .blob: throw self.corrupt(name)
        }
    }

    /// An INTEGER column that fits `Int`.
    func int(_ name: String) throws -> Int {
        Int(try self.int64(name))
    }

    /// A nullable INTEGER column that fits `Int`.
    func optionalInt(_ name: String) throws -> Int? {
        try self.optionalInt64(name).map { Int($0) }
    }

    /// A 0/1 INTEGER column.
    func bool(_ name: String) throws -> Bool {
        switch try self.int64(name) {
        case 0: return false
        case 1: return true
        default: throw self.corrupt(name)
        }
    }

    /// A TEXT column.
    func text(_ name: String) throws -> String {
        guard let value = try self.optionalText(name) else { throw self.corrupt(name) }
        return value
    }

    /// A nullable TEXT column.
    func optionalText(_ name: String) throws -> String? {
        switch try self.value(name) {
        case .text(let value): return value
        case .null: return nil
        case .integer, .float, .blob: throw self.corrupt(name)
        }
    }

    /// A TEXT `YYYY-MM-DD` column.
    func sessionDate(_ name: String) throws -> SessionDate {
        guard let value = try self.optionalSessionDate(name) else { throw self.corrupt(name) }
        return value
    }

    /// A nullable TEXT `YYYY-MM-DD` column.
    func optionalSessionDate(_ name: String) throws -> SessionDate? {
        guard let text = try self.optionalText(name) else { return nil }
        guard let date = SessionDate(text) else { throw self.corrupt(name) }
        return date
    }

    /// An INTEGER microseconds-since-epoch column.
    func timestamp(_ name: String) throws -> Date {
        StoredTimestamp.date(microseconds: try self.int64(name))
    }

    /// A nullable INTEGER microseconds-since-epoch column.
    func optionalTimestamp(_ name: String) throws -> Date? {
        try self.optionalInt64(name).map { StoredTimestamp.date(microseconds: $0) }
    }

    /// A TEXT column holding an enum's raw value.
    func enumValue<Value: RawRepresentable>(_ type: Value.Type, _ name: String) throws -> Value
    where Value.RawValue == String {
        guard let value = Value(rawValue: try self.text(name)) else { throw self.corrupt(name) }
        return value
    }

    /// `ticker` and `exchange` as an instrument key.
    func instrument() throws -> InstrumentKey {
        guard let ticker = TickerSymbol(try self.text("ticker")) else { throw self.corrupt("ticker") }
        guard let exchange = ExchangeCode(try self.text("exchange")) else { throw self.corrupt("exchange") }
        return InstrumentKey(ticker: ticker, exchange: exchange)
    }
}

/// How `SQLiteStore` binds domain values.
extension SQLiteData {
    /// A session date as `YYYY-MM-DD` text.
    static func session(_ date: SessionDate) -> SQLiteData { .text(date.storageText) }

    /// An optional session date.
    static func session(_ date: SessionDate?) -> SQLiteData { date.map { .text($0.storageText) } ?? .null }

    /// A timestamp as integer microseconds since the epoch.
    static func timestamp(_ date: Date) -> SQLiteData { .integer(SQLiteInt64(StoredTimestamp.microseconds(date))) }

    /// An optional timestamp.
    static func timestamp(_ date: Date?) -> SQLiteData { date.map { .timestamp($0) } ?? .null }

    /// A 64-bit integer.
    static func int64(_ value: Int64) -> SQLiteData { .integer(SQLiteInt64(value)) }

    /// An optional integer.
    static func optionalInt(_ value: Int?) -> SQLiteData { value.map { .integer(SQLiteInt64($0)) } ?? .null }

    /// An optional real.
    static func optionalFloat(_ value: Double?) -> SQLiteData { value.map { .float($0) } ?? .null }

    /// An optional text.
    static func optionalText(_ value: String?) -> SQLiteData { value.map { .text($0) } ?? .null }
}

extension SessionDate {
    /// `YYYY-MM-DD`, the same text as `description`, written without intermediate strings (it is formatted for
    /// every stored row). Years are 1800...2200, always four digits.
    var storageText: String {
        let (year, month, day) = self.components
        return String(unsafeUninitializedCapacity: 10) { buffer in
            func put(_ value: Int, at index: Int, digits: Int) {
                var value = value
                for offset in stride(from: digits - 1, through: 0, by: -1) {
                    buffer[index + offset] = UInt8(truncatingIfNeeded: 48 + value % 10)
                    value /= 10
                }
            }
            put(year, at: 0, digits: 4)
            buffer[4] = UInt8(ascii: "-")
            put(month, at: 5, digits: 2)
            buffer[7] = UInt8(ascii: "-")
            put(day, at: 8, digits: 2)
            return 10
        }
    }
}
