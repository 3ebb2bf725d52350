import TestSupport
import Foundation
import PredictionCore

/// Seeded synthetic regression data and model-JSON inspection for the XGBoost tests.
struct XGBoostTestData {
    /// Feature columns.
    static let columns = 5

    /// Row-major features, `columns` per row.
    var rows: [Double]
    /// One target per row.
    var targets: [Double]

    /// `count` rows of a nonlinear signal, `y = sin(3·x0)·x1 + 0.5·x2² + 0.2·x3·x4 + noise`, from a fixed seed.
    init(count: Int, seed: UInt64 = 2024, missingEvery: Int? = nil) {
        var generator = SplitMix64(seed: seed)
        self.rows = []
        self.targets = []
        self.rows.reserveCapacity(count * Self.columns)
        for index in 0..<count {
            let x = (0..<Self.columns).map { _ in generator.unit() * 2 - 1 }
            let noise = (generator.unit() - 0.5) * 0.05
            self.targets.append(sin(3 * x[0]) * x[1] + 0.5 * x[2] * x[2] + 0.2 * x[3] * x[4] + noise)
            var row = x
            if let missingEvery, index % missingEvery == 0 { row[3] = .nan }
            self.rows += row
        }
    }

    /// Number of rows.
    var count: Int { self.targets.count }

    /// Rows `range` as a separate data set.
    func slice(_ range: Range<Int>) -> XGBoostTestData {
        var copy = self
        copy.rows = Array(self.rows[(range.lowerBound * Self.columns)..<(range.upperBound * Self.columns)])
        copy.targets = Array(self.targets[range])
        return copy
    }

    /// Row `index` alone.
    func row(_ index: Int) -> [Double] {
        Array(self.rows[(index * Self.columns)..<((index + 1) * Self.columns)])
    }

    /// The same rows with every target moved by `offset`.
    func shiftedTargets(by offset: Double) -> XGBoostTestData {
        var copy = self
        copy.targets = self.targets.map { $0 + offset }
        return copy
    }

    /// Mean squared error of `predictions` against the targets.
    func meanSquaredError(_ predictions: [Double]) -> Double {
        zip(predictions, self.targets).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(self.count)
    }

    /// The `learner` object of an XGBoost model JSON.
    static func learner(_ json: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        guard let learner = object?["learner"] as? [String: Any] else { throw InspectionError.missing("learner") }
        return learner
    }

    /// `learner.gradient_booster.model` of an XGBoost model JSON.
    static func treeModel(_ json: String) throws -> [String: Any] {
        let booster = try self.learner(json)["gradient_booster"] as? [String: Any]
        guard let model = booster?["model"] as? [String: Any] else { throw InspectionError.missing("gradient_booster.model") }
        return model
    }

    /// A model JSON lacks an expected member.
    enum InspectionError: Error {
        case missing(String)
    }
}
