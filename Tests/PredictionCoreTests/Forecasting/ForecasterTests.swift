import Foundation
import PredictionCore
import Testing

@Suite struct ForecasterTests {
    static let calendar = USEquityCalendar()

    /// Ridge trained on the first 700 GOOG sessions with 10 horizons.
    static func trainGoog(bars: [CleanBar]) throws -> TrainingOutcome {
        var parameters = HyperParameters(for: .linearRegression)
        parameters.maxHorizon = 10
        return try ForecastTrainer.train(
            bars: bars, calendar: Self.calendar, modelType: .linearRegression, features: FeatureCatalog.defaultFeatures,
            parameters: parameters, valSize: 0.2, fitter: nil, shuffleRequested: true, progress: { _, _ in true }
        )
    }

    @Test func multiDayForecastsDifferAndLandOnRealSessions() throws {
        let bars = try ForecastSeries.goog(count: 700)
        let outcome = try Self.trainGoog(bars: bars)
        let forecaster = try Forecaster(artifact: outcome.artifact)
        let last = try #require(bars.last)
        let points = try forecaster.forecast(bars: bars, calendar: Self.calendar, horizons: 1...10)
        #expect(points.map(\.horizon) == Array(1...10))
        #expect(points.allSatisfy { $0.originDate == last.session && $0.originClose == last.bar.close })
        #expect(points.map(\.targetDate) == Self.calendar.sessions(after: last.session, count: 10))
        #expect(points.allSatisfy { Self.calendar.isSession($0.targetDate) })
        #expect(Set(points.map(\.predictedClose)).count == 10, "each session has its own forecast")
        for point in points {
            #expect(point.lower95 < point.lower80 && point.lower80 < point.predictedClose)
            #expect(point.predictedClose < point.upper80 && point.upper80 < point.upper95)
        }
        let relativeWidths = points.map { ($0.upper95 - $0.lower95) / $0.predictedClose }
        #expect(zip(relativeWidths, relativeWidths.dropFirst()).allSatisfy { $0 <= $1 + 1e-12 }, "the fan widens")
        #expect(relativeWidths[9] > relativeWidths[0])
        // The report compares with both baselines and says shuffle was ignored.
        #expect(outcome.report.model.count == 10 && outcome.report.naive.count == 10 && outcome.report.drift.count == 10)
        #expect(outcome.report.notes.contains { $0.contains("shuffle=true is ignored") })
        #expect(outcome.report.window.dataEnd == last.session && outcome.artifact.trainedThrough == last.session)
        #expect(outcome.artifact.calendarIdentifier == "XNYS")
    }

    @Test func aPastOriginUsesOnlyItsHistory() throws {
        let bars = try ForecastSeries.goog(count: 700)
        let forecaster = try Forecaster(artifact: try Self.trainGoog(bars: bars).artifact)
        let origin = bars[600].session
        let full = try forecaster.forecast(bars: bars, calendar: Self.calendar, origin: origin, horizons: 3...5)
        let truncated = try forecaster.forecast(bars: Array(bars.prefix(601)), calendar: Self.calendar, horizons: 3...5)
        #expect(full == truncated)
        #expect(full.first?.horizon == 3 && full.first?.originDate == origin)
    }

    @Test func badRequestsAreRefused() throws {
        let bars = try ForecastSeries.goog(count: 700)
        let forecaster = try Forecaster(artifact: try Self.trainGoog(bars: bars).artifact)
        func code(_ body: () throws -> Void) -> ForecastError.Code? {
            do { try body() } catch let error as ForecastError { return error.code } catch { return nil }
            return nil
        }
        #expect(code { _ = try forecaster.forecast(bars: bars, calendar: Self.calendar, horizons: 1...11) } == .horizonOutOfRange)
        #expect(code { _ = try forecaster.forecast(bars: bars, calendar: Self.calendar, horizons: 0...2) } == .horizonOutOfRange)
        #expect(code { _ = try forecaster.forecast(bars: bars, calendar: WeekdayCalendar(), horizons: 1...2) } == .calendarMismatch)
        let saturday = FixtureSeries.day("2006-01-07")
        #expect(code { _ = try forecaster.forecast(bars: bars, calendar: Self.calendar, origin: saturday, horizons: 1...2) } == .unknownOrigin)
        #expect(code { _ = try forecaster.forecast(bars: Array(bars.prefix(10)), calendar: Self.calendar, horizons: 1...2) } == .insufficientData)
    }

    @Test func trainingIsDeterministicAndTheArtifactRoundTripsThroughJSON() throws {
        let bars = try ForecastSeries.goog(count: 500)
        let first = try Self.trainGoog(bars: bars)
        let second = try Self.trainGoog(bars: bars)
        let json = try first.artifact.jsonData()
        #expect(json == (try second.artifact.jsonData()))
        #expect(first.report == second.report)
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.hasPrefix("{\"calendar\":\"XNYS\","), "keys are sorted")
        #expect(text.contains("\"format_version\":1") && text.contains("\"half_widths_80\":["))
        let decoded = try ModelArtifact.decode(jsonData: json)
        #expect(decoded == first.artifact)
        #expect(try decoded.jsonData() == json)
        let original = try Forecaster(artifact: first.artifact).forecast(bars: bars, calendar: Self.calendar, horizons: 1...10)
        let reloaded = try Forecaster(artifact: decoded).forecast(bars: bars, calendar: Self.calendar, horizons: 1...10)
        #expect(original == reloaded)
        // The report is JSON too (the registry stores it).
        let report = try JSONDecoder().decode(BacktestReport.self, from: try JSONEncoder().encode(first.report))
        #expect(report == first.report)
    }

    @Test func anUnsupportedArtifactVersionIsRefused() throws {
        let bars = try ForecastSeries.goog(count: 300)
        var parameters = HyperParameters(for: .naive)
        parameters.maxHorizon = 3
        let artifact = try ForecastTrainer.train(
            bars: bars, calendar: Self.calendar, modelType: .naive, features: [], parameters: parameters, valSize: 0.2,
            fitter: nil, progress: { _, _ in true }
        ).artifact
        #expect(artifact.regressors == [.constant(0), .constant(0), .constant(0)])
        let text = String(decoding: try artifact.jsonData(), as: UTF8.self)
            .replacingOccurrences(of: "\"format_version\":1", with: "\"format_version\":2")
        #expect {
            _ = try ModelArtifact.decode(jsonData: Data(text.utf8))
        } throws: { ($0 as? ForecastError)?.code == .invalidArtifact }
    }

    @Test func anXGBoostModelTrainsThroughTheFitterAndLoadsBackFromItsArtifact() throws {
        let bars = ForecastSeries.randomWalk(count: 400, seed: 8)
        var parameters = HyperParameters(for: .randomForest)
        parameters.maxHorizon = 3
        parameters.nEstimators = 8
        parameters.maxDepth = 3
        parameters.refitEvery = 40
        let outcome = try ForecastTrainer.train(
            bars: bars, calendar: WeekdayCalendar(), modelType: .randomForest, features: [.returnLag1, .rsi14, .closeToSMA10],
            parameters: parameters, valSize: 0.3, fitter: XGBoostFitter(mode: .randomForest), progress: { _, _ in true }
        )
        #expect(outcome.artifact.regressors.allSatisfy { if case .xgboost = $0 { true } else { false } })
        let decoded = try ModelArtifact.decode(jsonData: try outcome.artifact.jsonData())
        let points = try Forecaster(artifact: decoded).forecast(bars: bars, calendar: WeekdayCalendar(), horizons: 1...3)
        #expect(points.count == 3 && points.allSatisfy { $0.predictedClose.isFinite && $0.lower95 < $0.upper95 })
    }
}
