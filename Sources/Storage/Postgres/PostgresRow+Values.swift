import struct Foundation.Date
import PostgresNIO
import PredictionCore

/// Typed column access for rows read by `PostgresStore`; a missing column or undecodable value is a
/// `StorageError(.corruptRow)` naming the column (never the value).
extension PostgresRandomAccessRow {
    /// The value of column `name` (`Optional` types decode NULL as `nil`).
    func value<Value: PostgresDecodable>(_ name: String, _ type: Value.Type) throws -> Value {
        guard self.contains(name) else { throw StorageError(.corruptRow, "stored row has no column \(name)") }
        do {
            return try self[name].decode(Value.self)
        } catch {
            throw StorageError(.corruptRow, "stored column \(name) has an unexpected value")
        }
    }

    /// A day-number column (`date - date '1970-01-01'`) as a session date.
    func session(_ name: String) throws -> SessionDate {
        SessionDate(dayNumber: try self.value(name, Int32.self))
    }

    /// A nullable day-number column.
    func optionalSession(_ name: String) throws -> SessionDate? {
        try self.value(name, Int32?.self).map { SessionDate(dayNumber: $0) }
    }

    /// A text column holding an enum's raw value.
    func enumValue<Value: RawRepresentable>(_ type: Value.Type, _ name: String) throws -> Value
    where Value.RawValue == String {
        guard let value = Value(rawValue: try self.value(name, String.self)) else {
            throw StorageError(.corruptRow, "stored column \(name) has an unexpected value")
        }
        return value
    }

    /// `ticker` and `exchange` as an instrument key.
    func instrument() throws -> InstrumentKey {
        guard let ticker = TickerSymbol(try self.value("ticker", String.self)),
            let exchange = ExchangeCode(try self.value("exchange", String.self))
        else { throw StorageError(.corruptRow, "stored instrument key is invalid") }
        return InstrumentKey(ticker: ticker, exchange: exchange)
    }
}
