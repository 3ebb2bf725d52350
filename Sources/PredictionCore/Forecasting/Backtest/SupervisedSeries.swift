#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A price series turned into supervised rows: the feature matrix, the rows where every feature is defined
/// ("complete", packed densely so a training window is a prefix), and for each horizon `h` the target
/// `ln(c[t+h] / c[t])` on the adjusted close (NaN where `t + h` is past the end).
struct SupervisedSeries: Sendable {
    /// Sessions of the bars, ascending.
    let sessions: [SessionDate]
    /// Adjusted closes.
    let closes: [Double]
    /// Feature columns.
    let features: [FeatureName]
    /// Feature rows of every bar (NaN where undefined).
    let matrix: FeatureMatrix
    /// Indices (into the bars) of the complete rows, ascending.
    let completeRows: [Int]
    /// The complete rows' feature values, densely packed (`completeRows.count × columns`).
    let packed: [Double]
    /// `targets[h − 1][k]`: the target of horizon `h` of packed row `k`.
    let targets: [[Double]]
    /// Longest horizon.
    let maxHorizon: Int

    /// Number of feature columns.
    var columns: Int { self.features.count }
    /// Number of bars.
    var count: Int { self.sessions.count }

    /// Builds the rows; `bars` must be strictly ascending with positive finite closes (checked).
    init(bars: [CleanBar], features: [FeatureName], maxHorizon: Int) throws {
        for index in bars.indices {
            let close = bars[index].adjustedClose
            guard close > 0, close.isFinite else {
                throw ForecastError(.invalidParameter, "the adjusted close of \(bars[index].session) is not a positive number")
            }
            if index > 0, !(bars[index - 1].session < bars[index].session) {
                throw ForecastError(.invalidParameter, "bars must be strictly ascending by session (\(bars[index].session) follows \(bars[index - 1].session))")
            }
        }
        self.sessions = bars.map(\.session)
        self.closes = bars.map(\.adjustedClose)
        self.features = features
        self.maxHorizon = maxHorizon
        let matrix = FeatureBuilder.matrix(bars: bars, features: features)
        self.matrix = matrix
        let complete = bars.indices.filter { matrix.isComplete[$0] }
        self.completeRows = complete
        let columns = features.count
        var packed: [Double] = []
        packed.reserveCapacity(complete.count * columns)
        for row in complete { packed.append(contentsOf: matrix.row(row)) }
        self.packed = packed
        let logCloses = bars.map { log($0.adjustedClose) }
        self.targets = (1...max(maxHorizon, 1)).map { h in
            complete.map { row in row + h < logCloses.count ? logCloses[row + h] - logCloses[row] : .nan }
        }
    }

    /// Packed rows whose bar index is `≤ last` (a prefix of the packed rows).
    func packedCount(throughRow last: Int) -> Int {
        var low = 0
        var high = self.completeRows.count
        while low < high {
            let middle = (low + high) / 2
            if self.completeRows[middle] <= last { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Training rows of horizon `h` for a model fitted at origin `origin`: complete rows `t` whose target is known
    /// there (`t + h ≤ origin`).
    func trainingCount(origin: Int, horizon h: Int) -> Int {
        self.packedCount(throughRow: origin - h)
    }
}
