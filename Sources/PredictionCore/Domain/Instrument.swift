/// A ticker symbol as the market writes it, upper-cased: `GOOG`, `^GSPC`, `2330.TW`, `BRK-B`, `EURUSD=X`.
public struct TickerSymbol: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The normalised (upper-case) symbol.
    public let rawValue: String

    /// Validates and upper-cases a symbol: 1–20 characters of `A-Z 0-9 . - ^ = _`, starting with a letter, digit or `^`.
    /// Returns `nil` for anything else (spaces, slashes, SQL, empty).
    public init?(_ text: String) {
        let upper = text.uppercased()
        guard (1...20).contains(upper.utf8.count) else { return nil }
        for (index, c) in upper.utf8.enumerated() {
            let isAlnum = (c >= 65 && c <= 90) || (c >= 48 && c <= 57)
            let isFirstExtra = c == UInt8(ascii: "^")
            let isExtra = c == UInt8(ascii: ".") || c == UInt8(ascii: "-") || c == UInt8(ascii: "=") || c == UInt8(ascii: "_")
            if index == 0 ? !(isAlnum || isFirstExtra) : !(isAlnum || isFirstExtra || isExtra) { return nil }
        }
        self.rawValue = upper
    }

    public var description: String { self.rawValue }
    public static func < (lhs: TickerSymbol, rhs: TickerSymbol) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let symbol = TickerSymbol(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "invalid ticker symbol \"\(text)\"")
        }
        self = symbol
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.rawValue)
    }
}

/// An exchange code, upper-cased: `NYSE`, `NASDAQ`, `TW`, `US`. Any code is accepted; the calendar falls back
/// to weekdays for codes it does not know.
public struct ExchangeCode: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The normalised (upper-case) code.
    public let rawValue: String

    /// Validates and upper-cases a code: 1–16 characters of `A-Z 0-9 . - _`.
    public init?(_ text: String) {
        let upper = text.uppercased()
        guard (1...16).contains(upper.utf8.count) else { return nil }
        for c in upper.utf8 {
            let ok = (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == UInt8(ascii: ".") || c == UInt8(ascii: "-")
                || c == UInt8(ascii: "_")
            if !ok { return nil }
        }
        self.rawValue = upper
    }

    public var description: String { self.rawValue }
    public static func < (lhs: ExchangeCode, rhs: ExchangeCode) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let code = ExchangeCode(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "invalid exchange code \"\(text)\"")
        }
        self = code
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.rawValue)
    }
}

/// What a price series is keyed by: the ticker on one exchange.
public struct InstrumentKey: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The ticker.
    public var ticker: TickerSymbol
    /// The exchange whose calendar the session dates follow.
    public var exchange: ExchangeCode

    /// Creates a key.
    public init(ticker: TickerSymbol, exchange: ExchangeCode) {
        self.ticker = ticker
        self.exchange = exchange
    }

    public var description: String { "\(self.ticker)@\(self.exchange)" }
    public static func < (lhs: InstrumentKey, rhs: InstrumentKey) -> Bool {
        (lhs.ticker, lhs.exchange) < (rhs.ticker, rhs.exchange)
    }
}
