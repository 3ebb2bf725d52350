/// Lets long CPU work be stopped from outside (a cancelled task, a shutting-down server): training checks it between
/// boosting rounds, between the horizons of a fit and between backtest folds, so a stop takes effect within one
/// round or one horizon's fit instead of a whole fold.
public struct StopSignal: Sendable {
    private let raised: @Sendable () -> Bool

    /// A signal raised when `raised` returns `true` (it is called often: keep it cheap).
    public init(_ raised: @escaping @Sendable () -> Bool) {
        self.raised = raised
    }

    /// A signal that is never raised.
    public static let never = StopSignal { false }

    /// Whether the work must stop.
    public var isRaised: Bool { self.raised() }

    /// Throws `ForecastError` `.cancelled` naming `point` when the signal is raised.
    public func check(_ point: @autoclosure () -> String) throws {
        if self.raised() { throw ForecastError(.cancelled, "stopped \(point())") }
    }
}
