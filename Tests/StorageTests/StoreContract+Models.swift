import Foundation
import PredictionCore
import Storage
import Testing

extension StoreContract {
    static func modelsRegisterWithVersionsPerInstrument(_ store: any StockCastStore) async throws {
        let goog = TestData.instrument("GOOG")
        let googLondon = TestData.instrument("GOOG", "LSE")
        let before = Date()
        let first = try await store.createModel(TestData.newModel(goog, type: .linearRegression, features: []))
        let other = try await store.createModel(TestData.newModel(googLondon))
        let second = try await store.createModel(TestData.newModel(goog, type: .naive, features: ["Close", "Volume"]))
        #expect([first.version, second.version, other.version] == [Int]([1, 2, 1]))
        #expect(first.id < other.id && other.id < second.id)
        #expect(first.status == .registered && first.runID.isEmpty && first.modelURI.isEmpty)
        #expect(first.metricsJSON == nil && first.artifactURI == nil && first.trainedAt == nil && first.error == nil)
        #expect(abs(first.createdAt.timeIntervalSince(before)) < 60)
        #expect(first.features.isEmpty && second.features == ["Close", "Volume"])
        #expect(first.modelType == .linearRegression && first.instrument == goog)
        #expect(first.trainStart == TestData.day("2018-01-02") && first.trainEnd == TestData.day("2023-12-29"))
        #expect(try await store.model(id: first.id) == first)
        #expect(try await store.model(id: second.id) == second)
        #expect(try await store.model(id: 999_999) == nil)

        // Listing: ascending id, per instrument, bounded by limit, offset skips.
        #expect(try await store.models(of: nil, offset: 0, limit: 10) == [first, other, second])
        #expect(try await store.models(of: goog, offset: 0, limit: 10) == [first, second])
        #expect(try await store.models(of: goog, offset: 1, limit: 10) == [second])
        #expect(try await store.models(of: nil, offset: 0, limit: 2) == [first, other])
        #expect(try await store.models(of: nil, offset: 2, limit: 2) == [second])
        #expect(try await store.models(of: nil, offset: 0, limit: 0).isEmpty)
        #expect(try await store.models(of: TestData.instrument("NONE"), offset: 0, limit: 10).isEmpty)

        // A deleted version is never handed out again.
        #expect(try await store.deleteModel(id: second.id))
        #expect(try await store.deleteModel(id: second.id) == false)
        #expect(try await store.model(id: second.id) == nil)
        let third = try await store.createModel(TestData.newModel(goog))
        #expect(third.version == 3)
        #expect(try await store.models(of: goog, offset: 0, limit: 10).map(\.version) == [1, 3])
    }

    static func hyperParametersRoundTripExactly(_ store: any StockCastStore) async throws {
        let key = TestData.instrument("HYPER")
        let unusual = TestData.unusualHyperParameters
        let model = try await store.createModel(TestData.newModel(key, type: .randomForest, hyperParameters: unusual))
        let stored = try #require(try await store.model(id: model.id))
        #expect(stored.hyperParameters == unusual)
        #expect(stored.hyperParameters.seed == UInt64.max)
        #expect(stored.hyperParameters.ridgeAlphas.map(\.bitPattern) == unusual.ridgeAlphas.map(\.bitPattern))
        #expect(stored.hyperParameters.learningRate.bitPattern == (0.1 + 0.2).bitPattern)
        for type in ModelType.allCases {
            let defaults = try await store.createModel(TestData.newModel(key, type: type))
            #expect(try await store.model(id: defaults.id)?.hyperParameters == HyperParameters(for: type))
            #expect(try await store.model(id: defaults.id)?.modelType == type)
        }
        // JSON cannot hold NaN: refused, nothing stored, no version used up.
        var invalid = unusual
        invalid.learningRate = .nan
        let error = await #expect(throws: StorageError.self) {
            try await store.createModel(TestData.newModel(key, hyperParameters: invalid))
        }
        #expect(error?.code == .invalidValue)
        #expect(try await store.models(of: key, offset: 0, limit: 100).count == 1 + ModelType.allCases.count)
        #expect(try await store.createModel(TestData.newModel(key)).version == 2 + ModelType.allCases.count)
    }

    static func modelUpdateRoundTripsEveryField(_ store: any StockCastStore) async throws {
        let key = TestData.instrument("UPD")
        let created = try await store.createModel(TestData.newModel(key))
        var trained = created
        trained.status = .trained
        trained.runID = "run-\(created.id)-1"
        trained.modelURI = "models:/UPD@NASDAQ/1"
        trained.metricsJSON = #"{"mase_h1":0.987654321,"naive":{"mae":1.5}}"#
        trained.artifactURI = "file:///data/artifacts/sha256/ab/abcdef.json"
        trained.artifactSHA256 = String(repeating: "ab", count: 32)
        trained.trainedAt = TestData.instant(123.456)
        trained.trainingSeconds = 12.345_678_901_234
        trained.dataStart = TestData.day("2015-06-01")
        trained.dataEnd = TestData.day("2024-02-29")
        trained.error = "previous attempt: interrupted"
        try await store.updateModel(trained)
        #expect(try await store.model(id: created.id) == trained)
        #expect(try await store.model(id: created.id)?.trainingSeconds?.bitPattern == trained.trainingSeconds?.bitPattern)

        // Back to empty optionals.
        var failed = trained
        failed.status = .failed
        failed.metricsJSON = nil
        failed.artifactURI = nil
        failed.artifactSHA256 = nil
        failed.trainedAt = nil
        failed.trainingSeconds = nil
        failed.dataStart = nil
        failed.dataEnd = nil
        failed.error = "training failed: not enough sessions"
        try await store.updateModel(failed)
        #expect(try await store.model(id: created.id) == failed)

        // Registration facts are not mutable through an update.
        var tampered = failed
        tampered.version = 99
        tampered.instrument = TestData.instrument("OTHER")
        tampered.modelType = .naive
        tampered.features = ["X"]
        tampered.valSize = 0.5
        tampered.shuffle = true
        tampered.trainStart = nil
        tampered.hyperParameters = TestData.unusualHyperParameters
        tampered.createdAt = TestData.instant(0)
        try await store.updateModel(tampered)
        #expect(try await store.model(id: created.id) == failed)

        var missing = failed
        missing.id = 999_999
        let error = await #expect(throws: StorageError.self) { try await store.updateModel(missing) }
        #expect(error?.code == .notFound)
    }

    static func concurrentRegistrationsGetConsecutiveVersions(_ store: any StockCastStore) async throws {
        let key = TestData.instrument("RACE")
        let writers = 24
        let versions = try await withThrowingTaskGroup(of: Int.self) { group in
            for writer in 0..<writers {
                group.addTask { try await store.createModel(TestData.newModel(key)).version }
                // Another instrument in parallel keeps its own numbering.
                if writer % 3 == 0 {
                    group.addTask { -(try await store.createModel(TestData.newModel(TestData.instrument("SIDE"))).version) }
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(versions.filter { $0 > 0 }.sorted() == Array(1...writers))
        #expect(versions.filter { $0 < 0 }.map { -$0 }.sorted() == Array(1...(writers / 3)))
        let stored = try await store.models(of: key, offset: 0, limit: 100)
        #expect(stored.count == writers)
        // Versions follow registration (id) order.
        #expect(stored.map(\.version) == Array(1...writers))
    }
}
