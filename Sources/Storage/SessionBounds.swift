import PredictionCore

/// The inclusive session range a keyset-paged read of cleaned bars covers: `from`/`through` narrowed by the
/// cursor (rows strictly after it). Both stores turn it into one index range scan.
struct SessionBounds: Sendable, Hashable {
    /// First session to return, `nil` for no lower bound.
    var lower: SessionDate?
    /// Last session to return, `nil` for no upper bound.
    var upper: SessionDate?

    /// Combines the filter and the cursor.
    init(from: SessionDate?, through: SessionDate?, after cursor: SessionDate?) {
        var lower = from
        if let cursor {
            let next = cursor.adding(days: 1)
            lower = lower.map { max($0, next) } ?? next
        }
        self.lower = lower
        self.upper = through
    }

    /// `true` when no session can match.
    var isEmpty: Bool {
        if let lower, let upper { return lower > upper }
        return false
    }
}
