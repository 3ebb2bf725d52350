import Dispatch
import Foundation
import PredictionCore
import Testing

@Suite struct XGBoostRegressorTests {
    static let data = XGBoostTestData(count: 800, seed: 99, missingEvery: 11)

    static func fitted(_ mode: XGBoostFitter.Mode = .gradientBoosting, threads: Int = 1) throws -> XGBoostRegressor {
        var parameters = HyperParameters(for: mode == .randomForest ? .randomForest : .xgboost)
        parameters.nEstimators = 30
        parameters.threads = threads
        return try XGBoostFitter(mode: mode).fitRegressor(
            rows: Self.data.rows, columns: XGBoostTestData.columns, targets: Self.data.targets, parameters: parameters
        )
    }

    static func bits(_ values: [Double]) -> [UInt64] {
        values.map(\.bitPattern)
    }

    @Test(arguments: [XGBoostFitter.Mode.gradientBoosting, .randomForest])
    func saveThenLoadPredictsBitForBit(mode: XGBoostFitter.Mode) throws {
        let model = try Self.fitted(mode)
        guard case .xgboost(let json) = try model.artifact() else {
            Issue.record("an XGBoost regressor must give an .xgboost artifact")
            return
        }
        #expect(json == (try model.modelJSON))
        let loaded = try XGBoostRegressor(modelJSON: json)
        #expect(loaded.featureCount == XGBoostTestData.columns)
        let rows = Self.data.rows
        #expect(Self.bits(loaded.predict(rows: rows, columns: 5)) == Self.bits(model.predict(rows: rows, columns: 5)))
        for index in [0, 11, 500] {
            #expect(loaded.predict(Self.data.row(index)).bitPattern == model.predict(Self.data.row(index)).bitPattern)
        }
        // Saving the loaded model gives the same JSON again.
        #expect(try loaded.modelJSON == json)
    }

    @Test func predictionsMatchAcrossThreadCountsOfTheSameModel() throws {
        let json = try Self.fitted().modelJSON
        let one = try XGBoostRegressor(modelJSON: json, threads: 1)
        let two = try XGBoostRegressor(modelJSON: json, threads: 2)
        #expect(two.threads == 2)
        let rows = Self.data.rows
        #expect(Self.bits(one.predict(rows: rows, columns: 5)) == Self.bits(two.predict(rows: rows, columns: 5)))
    }

    @Test func concurrentPredictionsAndSavesAgreeWithSequentialOnes() throws {
        let model = try Self.fitted()
        let json = try model.modelJSON
        let expected = (0..<Self.data.count).map { model.predict(Self.data.row($0)) }
        let workers = 8
        let results = ResultBox(count: workers)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var mismatches = 0
            for index in stride(from: worker, to: Self.data.count, by: 1) {
                if model.predict(Self.data.row(index)).bitPattern != expected[index].bitPattern { mismatches += 1 }
                if index % 200 == 0, (try? model.modelJSON) != json { mismatches += 1 }
            }
            results.set(worker, mismatches)
        }
        #expect(results.values == [Int](repeating: 0, count: workers))
    }

    @Test func wrongShapesGiveNaNOrAnErrorNeverACrash() throws {
        let model = try Self.fitted()
        #expect(model.predict([1, 2, 3]).isNaN)
        #expect(model.predict([]).isNaN)
        let wrongColumns = model.predict(rows: [Double](repeating: 0.1, count: 12), columns: 4)
        #expect(wrongColumns.count == 3 && wrongColumns.allSatisfy { $0.isNaN })
        #expect(model.predict(rows: [], columns: 5) == [])
        let error = #expect(throws: XGBoostError.self) {
            try model.predictions(rows: [Double](repeating: 0, count: 7), columns: 5)
        }
        #expect(error?.code == .invalidInput)
    }

    @Test(arguments: [
        "", "   ", "garbage", "[1, 2, 3]", "{}", #"{"learner": 3}"#, #"{"learner": {}}"#, "{\"learner\": {",
        "binf\u{0}\u{0}\u{0}\u{0}\u{7f}\u{7f}\u{7f}\u{7f}",
    ])
    func garbageModelsThrowMalformedModel(text: String) throws {
        let error = #expect(throws: XGBoostError.self) { try XGBoostRegressor(modelJSON: text) }
        #expect(error?.code == .malformedModel)
    }

    @Test func truncatedModelThrowsWithXGBoostsReason() throws {
        let json = try Self.fitted().modelJSON
        let error = #expect(throws: XGBoostError.self) { try XGBoostRegressor(modelJSON: String(json.prefix(json.count / 2))) }
        #expect(error?.code == .malformedModel)
        #expect(error?.function == "XGBoosterLoadModelFromBuffer")
        // XGBoost's text is kept, without its timestamped log prefix or a stack trace.
        let message = error?.message ?? ""
        #expect(message.hasPrefix("XGBoosterLoadModelFromBuffer failed: "))
        #expect(!message.contains("failed: [") && !message.contains("Stack trace") && !message.contains(".cc:"))
        #expect(message.count < 1_200)
    }

    @Test func modelsFromNewerXGBoostReleasesAreRefused() throws {
        let json = try Self.fitted().modelJSON
        let library = XGBoostRelease.library
        #expect(XGBoostRelease(modelJSON: json) == library)
        let suffix = "\"version\":[\(library.major),\(library.minor),\(library.patch)]}"
        #expect(json.hasSuffix(suffix))
        func saved(by version: String) -> String {
            String(json.dropLast(suffix.count)) + "\"version\": [\(version)]}"
        }
        // XGBoost 3.x writes base_score as a list, which libxgboost 1.7 silently misreads: refuse, never mispredict.
        let newer = #expect(throws: XGBoostError.self) { try XGBoostRegressor(modelJSON: saved(by: "3, 2, 0")) }
        #expect(newer?.code == .unsupportedVersion)
        #expect(newer?.message.contains("3.2.0") == true)
        let nextMinor = "\(library.major), \(library.minor + 1), 0"
        #expect(throws: XGBoostError.self) { try XGBoostRegressor(modelJSON: saved(by: nextMinor)) }
        // Another patch release of the same minor (and any older release) loads.
        let model = try XGBoostRegressor(modelJSON: saved(by: "\(library.major), \(library.minor), \(library.patch + 5)"))
        #expect(model.featureCount == XGBoostTestData.columns)
        #expect(XGBoostRelease(modelJSON: "{}") == nil)
        #expect(XGBoostRelease(modelJSON: #"{"version": [1, "7", 4]}"#) == nil)
        #expect(XGBoostRelease(modelJSON: #"{"version" : [ 2 ,0,1 ] }"#) == XGBoostRelease(major: 2, minor: 0, patch: 1))
    }

    @Test func threadsOutOfRangeAreRefused() throws {
        let json = try Self.fitted().modelJSON
        #expect(throws: XGBoostError.self) { try XGBoostRegressor(modelJSON: json, threads: 0) }
    }
}

/// Per-worker results written from `concurrentPerform` workers (each writes its own slot once, under a lock).
private final class ResultBox: @unchecked Sendable {  // Sendable: every access holds `lock`.
    private let lock = NSLock()
    private var slots: [Int]

    init(count: Int) {
        self.slots = [Int](repeating: -1, count: count)
    }

    func set(_ index: Int, _ value: Int) {
        self.lock.withLock { self.slots[index] = value }
    }

    var values: [Int] {
        self.lock.withLock { self.slots }
    }
}
