/// Picks the trading calendar for an exchange code.
public enum TradingCalendars {
    /// Exchange codes (upper case) that follow the NYSE/NASDAQ calendar.
    public static let usEquityExchangeCodes: Set<String> = [
        "NYSE", "NASDAQ", "XNYS", "XNAS", "US", "AMEX", "NYSEARCA", "ARCA", "BATS",
    ]

    /// `USEquityCalendar` for the US equity exchanges in `usEquityExchangeCodes`, `WeekdayCalendar` for any
    /// other code.
    public static func calendar(for exchange: ExchangeCode) -> any TradingCalendar {
        if self.usEquityExchangeCodes.contains(exchange.rawValue) {
            return USEquityCalendar()
        }
        return WeekdayCalendar()
    }
}
