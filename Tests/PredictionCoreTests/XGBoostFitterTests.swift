import Foundation
@testable import PredictionCore
import Testing

@Suite struct XGBoostFitterTests {
    static let data = XGBoostTestData(count: 1_500)

    static func parameters(
        estimators: Int = 60, depth: Int = 4, threads: Int = 1, seed: UInt64 = 42, subsample: Double = 0.8
    ) -> HyperParameters {
        var parameters = HyperParameters()
        parameters.nEstimators = estimators
        parameters.maxDepth = depth
        parameters.learningRate = 0.2
        parameters.subsample = subsample
        parameters.colsampleByNode = 0.8
        parameters.threads = threads
        parameters.seed = seed
        return parameters
    }

    static func fit(
        _ mode: XGBoostFitter.Mode, _ data: XGBoostTestData = Self.data, _ parameters: HyperParameters = Self.parameters()
    ) throws -> XGBoostRegressor {
        try XGBoostFitter(mode: mode).fitRegressor(
            rows: data.rows, columns: XGBoostTestData.columns, targets: data.targets, parameters: parameters
        )
    }

    @Test(arguments: [XGBoostFitter.Mode.gradientBoosting, .randomForest])
    func beatsTheConstantPredictorOnHeldOutRows(mode: XGBoostFitter.Mode) throws {
        let train = Self.data.slice(0..<1_200)
        let test = Self.data.slice(1_200..<1_500)
        var parameters = Self.parameters(estimators: mode == .randomForest ? 40 : 80)
        if mode == .randomForest { parameters.maxDepth = 8 }
        let model = try Self.fit(mode, train, parameters)
        let predictions = model.predict(rows: test.rows, columns: XGBoostTestData.columns)
        #expect(predictions.count == test.count)
        let mean = train.targets.reduce(0, +) / Double(train.count)
        let constantError = test.meanSquaredError([Double](repeating: mean, count: test.count))
        let modelError = test.meanSquaredError(predictions)
        // The signal explains most of the variance: a real fit at least halves the error of the mean.
        #expect(modelError < 0.5 * constantError, "model MSE \(modelError) vs constant \(constantError)")
        // Single-row prediction agrees with the batch.
        #expect(model.predict(test.row(7)) == predictions[7])
    }

    @Test(arguments: [1, 2])
    func sameSeedGivesTheSameModelAndPredictions(threads: Int) throws {
        for mode in [XGBoostFitter.Mode.gradientBoosting, .randomForest] {
            let parameters = Self.parameters(threads: threads)
            let first = try Self.fit(mode, Self.data, parameters)
            let second = try Self.fit(mode, Self.data, parameters)
            #expect(try first.modelJSON == second.modelJSON)
            let rows = Self.data.rows
            #expect(first.predict(rows: rows, columns: 5) == second.predict(rows: rows, columns: 5))
            #expect(first.threads == threads)
            // A different seed draws different subsamples, hence a different model.
            let reseeded = try Self.fit(mode, Self.data, Self.parameters(threads: threads, seed: 7))
            #expect(try reseeded.modelJSON != first.modelJSON)
        }
    }

    @Test func nthreadIsSetOnTrainingAndOnTheReturnedRegressor() throws {
        for threads in [1, 2] {
            let names = XGBoostFitter(mode: .gradientBoosting)
                .boosterParameters(Self.parameters(threads: threads), baseScore: 0)
            #expect(names.first { $0.0 == "nthread" }?.1 == String(threads))
            let model = try Self.fit(.gradientBoosting, Self.data.slice(0..<300), Self.parameters(estimators: 5, threads: threads))
            let configuration = try XGBoostTestData.learner(model.configurationJSON())
            let generic = configuration["generic_param"] as? [String: Any]
            #expect(generic?["nthread"] as? String == String(threads))
        }
    }

    @Test func randomForestIsOneRoundOfParallelTreesAndDiffersFromBoosting() throws {
        let parameters = Self.parameters(estimators: 12)
        let forest = try Self.fit(.randomForest, Self.data, parameters)
        let boosted = try Self.fit(.gradientBoosting, Self.data, parameters)

        #expect(try forest.boostedRounds() == 1)
        let forestModel = try XGBoostTestData.treeModel(forest.modelJSON)
        let forestParameters = forestModel["gbtree_model_param"] as? [String: Any]
        #expect(forestParameters?["num_parallel_tree"] as? String == "12")
        #expect(forestParameters?["num_trees"] as? String == "12")
        let trees = try #require(forestModel["trees"] as? [[String: Any]])
        #expect(trees.count == 12)
        // Row and column subsampling make the trees of the forest differ from one another.
        let conditions = trees.map { $0["split_conditions"] as? [Double] ?? [] }
        #expect(Set(conditions.map { $0.description }).count > 1)

        #expect(try boosted.boostedRounds() == 12)
        let boostedParameters = try XGBoostTestData.treeModel(boosted.modelJSON)["gbtree_model_param"] as? [String: Any]
        #expect(boostedParameters?["num_parallel_tree"] as? String == "1")
        #expect(boostedParameters?["num_trees"] as? String == "12")

        let rows = Array(Self.data.rows.prefix(50 * 5))
        #expect(forest.predict(rows: rows, columns: 5) != boosted.predict(rows: rows, columns: 5))
    }

    @Test func baseScoreIsTheMeanTargetAndParametersAreExplicit() throws {
        let shifted = XGBoostTestData(count: 400).shiftedTargets(by: 3)
        let model = try Self.fit(.gradientBoosting, shifted, Self.parameters(estimators: 3))
        let parameters = try XGBoostTestData.learner(model.modelJSON)["learner_model_param"] as? [String: Any]
        let baseScoreText = parameters?["base_score"] as? String
        let baseScore = try #require(baseScoreText.flatMap { Double($0) })
        let mean = shifted.targets.reduce(0, +) / Double(shifted.count)
        #expect(abs(baseScore - mean) < 1e-5)

        let gradient = Dictionary(
            uniqueKeysWithValues: XGBoostFitter(mode: .gradientBoosting).boosterParameters(Self.parameters(), baseScore: 0.25)
        )
        #expect(gradient["objective"] == "reg:squarederror" && gradient["tree_method"] == "hist")
        #expect(gradient["eta"] == "0.2" && gradient["max_depth"] == "4" && gradient["subsample"] == "0.8")
        #expect(gradient["colsample_bynode"] == "0.8" && gradient["seed"] == "42" && gradient["base_score"] == "0.25")
        #expect(gradient["num_parallel_tree"] == nil)
        let forest = Dictionary(
            uniqueKeysWithValues: XGBoostFitter(mode: .randomForest).boosterParameters(Self.parameters(), baseScore: 0)
        )
        #expect(forest["num_parallel_tree"] == "60" && forest["eta"] == "1" && forest["lambda"] == "1e-05")
    }

    @Test func missingFeatureValuesAreAccepted() throws {
        let data = XGBoostTestData(count: 600, missingEvery: 3)
        let model = try Self.fit(.gradientBoosting, data, Self.parameters(estimators: 20))
        let predictions = model.predict(rows: data.rows, columns: 5)
        #expect(predictions.allSatisfy { $0.isFinite })
        #expect(model.predict([Double](repeating: .nan, count: 5)).isFinite)
    }

    @Test func inconsistentInputIsRefused() throws {
        let data = Self.data.slice(0..<20)
        let fitter = XGBoostFitter(mode: .gradientBoosting)
        let parameters = Self.parameters(estimators: 2)
        func code(_ rows: [Double], _ columns: Int, _ targets: [Double]) -> XGBoostError.Code? {
            do {
                _ = try fitter.fit(rows: rows, columns: columns, targets: targets, parameters: parameters)
                return nil
            } catch let error as XGBoostError {
                return error.code
            } catch {
                return nil
            }
        }
        #expect(code(data.rows, 4, data.targets) == .invalidInput)
        #expect(code(data.rows, 0, data.targets) == .invalidInput)
        #expect(code([], 5, []) == .invalidInput)
        #expect(code(Array(data.rows.dropLast()), 5, data.targets) == .invalidInput)
        var nanTarget = data.targets
        nanTarget[3] = .nan
        #expect(code(data.rows, 5, nanTarget) == .invalidInput)
        var infiniteFeature = data.rows
        infiniteFeature[8] = 1e300  // finite as a Double, infinite as XGBoost's Float
        #expect(code(infiniteFeature, 5, data.targets) == .invalidInput)
    }

    @Test func outOfRangeParametersAreRefused() throws {
        let data = Self.data.slice(0..<20)
        var cases: [HyperParameters] = []
        for change in 0..<7 {
            var parameters = Self.parameters(estimators: 2)
            switch change {
            case 0: parameters.nEstimators = 0
            case 1: parameters.maxDepth = 0
            case 2: parameters.learningRate = 0
            case 3: parameters.subsample = 1.5
            case 4: parameters.colsampleByNode = 0
            case 5: parameters.threads = 0
            default: parameters.nEstimators = XGBoostFitter.maximumEstimators + 1
            }
            cases.append(parameters)
        }
        for parameters in cases {
            let error = #expect(throws: XGBoostError.self) {
                try XGBoostFitter(mode: .randomForest).fit(
                    rows: data.rows, columns: 5, targets: data.targets, parameters: parameters
                )
            }
            #expect(error?.code == .invalidParameter)
        }
    }
}
