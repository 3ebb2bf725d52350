import struct Foundation.Data
import class Foundation.JSONSerialization
import PredictionCore

/// The columns of an alert as both backends store them.
struct StoredAlertValues: Sendable {
    /// The ticker, or `@<instance>` for a service-level alert (see `alertKey`).
    var ticker: String
    /// The exchange, or `@` for a service-level alert.
    var exchange: String
    /// `messages` as a JSON array.
    var messagesJSON: String
    /// `details`, unchanged.
    var details: String
}

extension NewAlert {
    /// The stored column values; `.invalidValue` when `details` is not JSON.
    func storedValues() throws -> StoredAlertValues {
        guard (try? JSONSerialization.jsonObject(with: Data(self.details.utf8), options: [.fragmentsAllowed])) != nil else {
            throw StorageError(.invalidValue, "alert details are not JSON")
        }
        let key = self.instrument.alertKey(instance: self.instance)
        return StoredAlertValues(
            ticker: key.ticker, exchange: key.exchange,
            messagesJSON: try StoredJSON.text(self.messages, field: "messages"), details: self.details)
    }
}

extension Optional where Wrapped == InstrumentKey {
    /// `(ticker, exchange)` as stored in `alerts`. An instrument alert is one per system (any instance raises and
    /// resolves it); a service-level alert is one per instance: `('@<instance>', '@')`, so the partial unique index on
    /// active `(kind, ticker, exchange)` keeps one per kind and instance (NULLs would never conflict, and no ticker or
    /// exchange code starts with `@`).
    func alertKey(instance: String) -> (ticker: String, exchange: String) {
        guard let self else { return ("@" + instance, "@") }
        return (self.ticker.rawValue, self.exchange.rawValue)
    }
}

extension AlertRecord {
    /// The instrument of stored `ticker` and `exchange`: `nil` for a service-level alert (`('@<instance>', '@')`, or
    /// `('', '')` before version 5); anything invalid is `.corruptRow`.
    static func storedInstrument(ticker: String, exchange: String) throws -> InstrumentKey? {
        if (ticker.isEmpty && exchange.isEmpty) || exchange == "@" { return nil }
        guard let symbol = TickerSymbol(ticker), let code = ExchangeCode(exchange) else {
            throw StorageError(.corruptRow, "stored alert instrument is invalid")
        }
        return InstrumentKey(ticker: symbol, exchange: code)
    }

    /// Decodes the stored `messages` JSON array.
    static func storedMessages(_ text: String) throws -> [String] {
        try StoredJSON.value([String].self, from: text, column: "messages")
    }
}
