import PredictionCore

/// Bars split into one array per column, the shape `INSERT … SELECT … FROM unnest($1::int4[], …)` takes.
struct PostgresBarColumns {
    /// Session day numbers (days since 1970-01-01).
    var days: [Int32] = []
    /// Opening prices.
    var opens: [Double] = []
    /// Highs.
    var highs: [Double] = []
    /// Lows.
    var lows: [Double] = []
    /// Closing prices.
    var closes: [Double] = []
    /// Volumes.
    var volumes: [Int64] = []
    /// `nil` where the source gave no adjusted close.
    var adjustedCloses: [Double?] = []

    /// Splits `bars` into columns.
    init<Rows: Collection>(_ bars: Rows) where Rows.Element == PriceBar {
        self.days.reserveCapacity(bars.count)
        self.opens.reserveCapacity(bars.count)
        self.highs.reserveCapacity(bars.count)
        self.lows.reserveCapacity(bars.count)
        self.closes.reserveCapacity(bars.count)
        self.volumes.reserveCapacity(bars.count)
        self.adjustedCloses.reserveCapacity(bars.count)
        for bar in bars {
            self.days.append(bar.session.dayNumber)
            self.opens.append(bar.open)
            self.highs.append(bar.high)
            self.lows.append(bar.low)
            self.closes.append(bar.close)
            self.volumes.append(bar.volume)
            self.adjustedCloses.append(bar.sourceAdjustedClose)
        }
    }
}
