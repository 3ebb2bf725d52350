import Foundation
import PredictionCore
import Testing

/// A request names only what it changes: every other hyper-parameter keeps its model type's default.
@Suite struct HyperParameterOverridesTests {
    /// One JSON override per field, with a value unlike any type's default.
    static let overrides: [String: String] = [
        "n_estimators": "7", "max_depth": "3", "learning_rate": "0.07", "subsample": "0.55", "colsample_bynode": "0.45",
        "ridge_alphas": "[2, 4]", "max_horizon": "10", "refit_every": "33", "seed": "7", "threads": "2",
    ]

    @Test(arguments: ModelType.allCases)
    func aPartialOverrideChangesOnlyWhatItNames(_ type: ModelType) throws {
        let defaults = HyperParameters(for: type)
        let before = try Self.fields(defaults)
        #expect(Set(before.keys) == Set(Self.overrides.keys), "every field has an override case")
        for (name, value) in Self.overrides {
            let overrides = try JSONDecoder().decode(HyperParameterOverrides.self, from: Data(#"{"\#(name)": \#(value)}"#.utf8))
            let after = try Self.fields(overrides.applied(to: defaults))
            let changed = after.keys.filter { after[$0] != before[$0] }
            #expect(changed == [name], "\(type) \(name): changed \(changed)")
        }
        #expect(try JSONDecoder().decode(HyperParameterOverrides.self, from: Data("{}".utf8)).applied(to: defaults) == defaults)
    }

    /// The issue's case: `{"max_horizon": 10}` on a random forest keeps its depth and subsampling (8 / 0.8 / 0.8), so its
    /// trees differ; it used to get XGBoost's 6 / 1 / 1 (100 identical trees).
    @Test func aRandomForestKeepsItsDefaults() throws {
        let overrides = try JSONDecoder().decode(HyperParameterOverrides.self, from: Data(#"{"max_horizon": 10}"#.utf8))
        let effective = overrides.applied(to: HyperParameters(for: .randomForest))
        #expect(effective.maxDepth == 8 && effective.subsample == 0.8 && effective.colsampleByNode == 0.8 && effective.maxHorizon == 10)
    }

    /// A stored record (every field present) decodes to itself whatever the type's defaults.
    @Test func storedRecordsRoundTrip() throws {
        let forest = HyperParameters(for: .randomForest)
        #expect(try JSONDecoder().decode(HyperParameters.self, from: JSONEncoder().encode(forest)) == forest)
    }

    /// Each field's JSON text, by name.
    static func fields(_ parameters: HyperParameters) throws -> [String: String] {
        let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(parameters)) as? [String: Any])
        return object.mapValues { "\($0)" }
    }
}
