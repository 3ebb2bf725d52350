import PredictionCore
import Testing
import TestSupport

/// Models trained and saved by the Python xgboost package (1.7.4, `Sources/TestSupport/Fixtures/xgboost/generate.py`)
/// load here and predict what Python predicted, to float32 precision (XGBoost computes in float32).
@Suite struct XGBoostCompatibilityTests {
    /// The probe rows and Python's predictions from `<name>-predictions.csv`.
    static func probes(_ name: String) throws -> (rows: [[Double]], predictions: [Double]) {
        var rows: [[Double]] = []
        var predictions: [Double] = []
        let lines = try Fixtures.text("xgboost/\(name)-predictions.csv").split(separator: "\n")
        for line in lines.dropFirst() {
            let parsed = line.split(separator: ",").compactMap { Double(String($0)) }
            try #require(parsed.count == 4, "unreadable fixture line \(line)")
            rows.append(Array(parsed.prefix(3)))
            predictions.append(parsed[3])
        }
        return (rows, predictions)
    }

    @Test(arguments: ["gbtree", "forest"])
    func pythonModelsPredictTheSameHere(name: String) throws {
        let model = try XGBoostRegressor(modelJSON: Fixtures.text("xgboost/\(name).json"))
        #expect(model.featureCount == 3)
        let (rows, expected) = try Self.probes(name)
        #expect(rows.count == 12)
        #expect(rows.contains { $0.contains { $0.isNaN } }, "the fixture exercises a missing value")
        let batch = model.predict(rows: rows.flatMap { $0 }, columns: 3)
        for (index, row) in rows.enumerated() {
            #expect(Float(model.predict(row)) == Float(expected[index]), "row \(index)")
            #expect(Float(batch[index]) == Float(expected[index]), "row \(index) in a batch")
        }
    }

    @Test func pythonForestIsOneRoundOfParallelTrees() throws {
        let forest = try XGBoostRegressor(modelJSON: Fixtures.text("xgboost/forest.json"))
        #expect(try forest.boostedRounds() == 1)
        let boosted = try XGBoostRegressor(modelJSON: Fixtures.text("xgboost/gbtree.json"))
        #expect(try boosted.boostedRounds() == 15)
    }
}
