#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One scored forecast of the backtest.
public struct BacktestPoint: Hashable, Sendable {
    /// Index of the origin bar in the series.
    public var originRow: Int
    /// The forecast origin (the last session the model saw).
    public var origin: SessionDate
    /// The session `h` rows later whose close was forecast.
    public var target: SessionDate
    /// Adjusted close at the origin.
    public var originClose: Double
    /// Adjusted close at the target.
    public var actualClose: Double
    /// The model's `ŷ`.
    public var predictedLogReturn: Double
    /// The drift baseline's `ŷ` at the same point.
    public var driftLogReturn: Double
    /// Log-return half-widths of the point's 80 % and 95 % intervals, from residuals realised by the origin;
    /// `nil` before `ConformalInterval.minimumResiduals` of them exist.
    public var halfWidth80: Double?
    /// See `halfWidth80`.
    public var halfWidth95: Double?

    /// The realised `ln(actual / origin)`.
    public var actualLogReturn: Double { log(self.actualClose / self.originClose) }
    /// `actualLogReturn − predictedLogReturn`.
    public var residual: Double { self.actualLogReturn - self.predictedLogReturn }
}

/// One refit of the walk-forward backtest: the models fitted at `firstOrigin` forecast every origin of the fold.
public struct BacktestFold: Hashable, Sendable {
    /// 0-based fold number.
    public var index: Int
    /// Bar indices of the fold's test origins (the models are fitted at the first one).
    public var originRows: ClosedRange<Int>
    /// Session of the first origin.
    public var firstOrigin: SessionDate
    /// Per horizon (index `h − 1`): the bar index of the last training row, whose target session is at most
    /// `firstOrigin` (`lastTrainingRows[h − 1] + h ≤ originRows.lowerBound`).
    public var lastTrainingRows: [Int]
    /// Per horizon: number of training rows.
    public var trainingCounts: [Int]
}

/// The sessions a training or backtest used. JSON keys are snake_case.
public struct BacktestWindow: Hashable, Sendable, Codable {
    /// First bar given.
    public var dataStart: SessionDate
    /// Last bar given.
    public var dataEnd: SessionDate
    /// Bars given.
    public var sessions: Int
    /// First session with every feature defined.
    public var firstUsable: SessionDate
    /// Sessions with every feature defined and a next-session target.
    public var usableRows: Int
    /// First test origin.
    public var testStart: SessionDate
    /// Last test origin.
    public var testEnd: SessionDate
    /// Test origins (the last `val_size` share of the usable rows).
    public var testOrigins: Int

    /// Creates a window.
    public init(
        dataStart: SessionDate, dataEnd: SessionDate, sessions: Int, firstUsable: SessionDate, usableRows: Int,
        testStart: SessionDate, testEnd: SessionDate, testOrigins: Int
    ) {
        self.dataStart = dataStart
        self.dataEnd = dataEnd
        self.sessions = sessions
        self.firstUsable = firstUsable
        self.usableRows = usableRows
        self.testStart = testStart
        self.testEnd = testEnd
        self.testOrigins = testOrigins
    }

    private enum CodingKeys: String, CodingKey {
        case dataStart = "data_start", dataEnd = "data_end", sessions, firstUsable = "first_usable"
        case usableRows = "usable_rows", testStart = "test_start", testEnd = "test_end", testOrigins = "test_origins"
    }
}

/// Everything a walk-forward backtest produced.
public struct BacktestResult: Sendable {
    /// Per horizon (index `h − 1`): the scored points in origin order.
    public var points: [[BacktestPoint]]
    /// The refits, in time order.
    public var folds: [BacktestFold]
    /// The data and test window.
    public var window: BacktestWindow
    /// Metrics of the model, per horizon.
    public var model: [HorizonMetrics]
    /// Metrics of the naive forecast on the same points.
    public var naive: [HorizonMetrics]
    /// Metrics of the drift forecast on the same points.
    public var drift: [HorizonMetrics]
}
