/// A weekday on which an exchange holds no regular session: an (observed) holiday or a one-off closure.
public struct MarketClosure: Hashable, Sendable {
    /// The closed weekday.
    public var session: SessionDate
    /// What the exchange observed, e.g. "Good Friday" or "Hurricane Sandy".
    public var name: String

    /// Creates a closure.
    public init(session: SessionDate, name: String) {
        self.session = session
        self.name = name
    }
}
