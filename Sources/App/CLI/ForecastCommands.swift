import Actors
import ArgumentParser
import Foundation
import NIOHTTP1
import PredictionCore
import Storage

/// `stockcast train --model-id N`: trains a registered model and shows its progress.
struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train", abstract: "Train a registered model (progress bar until it ends).")

    @OptionGroup var common: CommonOptions
    @OptionGroup var mode: ServerOptions

    @Option(help: "Id of the registered model (GET /api/models).")
    var modelId: Int64

    func run() async throws {
        let configuration = try self.common.load()
        let logger = self.common.makeLogger(configuration)
        let progress = ProgressReporter(total: 100)
        let modelID = self.modelId
        let final: TaskDTO
        if let server = await self.mode.server(for: configuration) {
            let body = try JSONSerialization.data(withJSONObject: ["model_id": modelID])
            let submitted = try await server.send(.POST, "/api/train", body: body, as: [String: String].self)
            guard let id = submitted["task_id"] else { throw CLIError("the server did not return a task id") }
            var task = try await server.send(.GET, "/api/train/status/\(id)", as: TaskStatus.self)
            while task.status == "pending" || task.status == "running" {
                progress.update(done: Int(task.progress * 100), item: task.message)
                try await Task.sleep(for: .milliseconds(300))
                task = try await server.send(.GET, "/api/train/status/\(id)", as: TaskStatus.self)
            }
            print("\ntask \(id) \(task.status)\(task.error.map { ": \($0)" } ?? "")")
            if task.status != "completed" { throw ExitCode(1) }
            return
        } else {
            final = try await LocalRuntime.with(configuration, logger: logger) { parts in
                let task = try await parts.supervisor.submitTraining(modelID: modelID)
                let done = try await parts.supervisor.waitUntilFinished(task.id)
                return TaskDTO(done)
            }
        }
        progress.update(done: 100, item: final.message)
        print("task \(final.task_id) \(final.status)\(final.error.map { ": \($0)" } ?? "")")
        if final.status != "completed" { throw ExitCode(1) }
    }

    /// The fields of a task status the CLI reads.
    struct TaskStatus: Decodable {
        let status: String
        let progress: Double
        let message: String
        let error: String?
    }
}

/// `stockcast predict --ticker T --exchange X --date D`: one prediction with its intervals.
struct PredictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "predict", abstract: "Predict the close of one session with the champion (or --model-id).")

    @OptionGroup var common: CommonOptions
    @OptionGroup var mode: ServerOptions

    @Option(help: "Ticker symbol.") var ticker: String
    @Option(help: "Exchange code (optional when the ticker is stored for one exchange only).") var exchange: String?
    @Option(help: "Target session, YYYY-MM-DD.") var date: String
    @Option(help: "Model id (default: the champion).") var modelId: Int64?

    func run() async throws {
        let configuration = try self.common.load()
        let logger = self.common.makeLogger(configuration)
        guard let ticker = TickerSymbol(self.ticker) else { throw ValidationError("invalid ticker \(self.ticker)") }
        guard let target = SessionDate(self.date) else { throw ValidationError("--date must be YYYY-MM-DD") }
        let modelID = self.modelId
        let given = try self.exchange.map { text in
            guard let code = ExchangeCode(text) else { throw ValidationError("invalid exchange \(text)") }
            return code
        }
        if let server = await self.mode.server(for: configuration) {
            let listed = try await server.send(.GET, "/api/datasets", as: [DatasetDTO].self).filter { $0.ticker == ticker.rawValue }
            let exchange = try Self.resolve(ticker, given: given, listed: listed.compactMap { ExchangeCode($0.exchange) })
            var request: [String: Any] = ["ticker": ticker.rawValue, "exchange": exchange.rawValue, "target_date": target.description]
            if let modelID { request["model_id"] = modelID }
            let answer = try await server.send(.POST, "/api/predict", body: try JSONSerialization.data(withJSONObject: request), as: PredictionLine.self)
            print(answer.line)
            return
        }
        let line = try await LocalRuntime.with(configuration, logger: logger) { parts in
            let exchange = try Self.resolve(ticker, given: given, listed: try await parts.storage.prices.exchanges(listing: ticker))
            let instrument = InstrumentKey(ticker: ticker, exchange: exchange)
            let prediction = try await parts.hub.predict(instrument, target: target, modelID: modelID)
            let (point, actual) = (prediction.record, prediction.actualClose)
            return PredictionLine(
                ticker: ticker.rawValue, target_date: point.targetDate.description, predicted_close: point.predictedClose, lower_80: point.lower80,
                upper_80: point.upper80, lower_95: point.lower95, upper_95: point.upper95, actual_close: actual, model_metadata_id: point.modelID
            ).line
        }
        print(line)
    }

    /// The exchange given, or the only one the ticker is stored for.
    static func resolve(_ ticker: TickerSymbol, given: ExchangeCode?, listed: [ExchangeCode]) throws -> ExchangeCode {
        if let given { return given }
        guard listed.count == 1 else {
            throw CLIError(listed.isEmpty ? "no data for \(ticker)" : "\(ticker) is stored for \(listed.map(\.rawValue)); pass --exchange")
        }
        return listed[0]
    }

    /// The fields of a prediction the CLI prints.
    struct PredictionLine: Codable {
        let ticker: String
        let target_date: String
        let predicted_close: Double
        let lower_80: Double
        let upper_80: Double
        let lower_95: Double
        let upper_95: Double
        let actual_close: Double?
        let model_metadata_id: Int64

        var line: String {
            let actual = self.actual_close.map { String(format: ", actual %.2f", $0) } ?? ""
            return String(
                format: "%@ %@: %.2f (80%% %.2f–%.2f, 95%% %.2f–%.2f) model %lld%@", self.ticker, self.target_date, self.predicted_close,
                self.lower_80, self.upper_80, self.lower_95, self.upper_95, self.model_metadata_id, actual
            )
        }
    }
}

/// `stockcast backtest --ticker T --exchange X --model-type M`: a walk-forward backtest without registering anything.
struct BacktestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest", abstract: "Walk-forward backtest of a model type on a stored series, against naive and drift."
    )

    @OptionGroup var common: CommonOptions
    @Option(help: "Ticker symbol.") var ticker: String
    @Option(help: "Exchange code.") var exchange: String
    @Option(help: "naive, drift, linear_regression, xgboost or random_forest.") var modelType: String
    @Option(help: "Comma-separated features (ours or the original's names); default set when empty.") var features = ""
    @Option(help: "Share of the window scored walk-forward, (0, 0.5].") var valSize = 0.2
    @Option(help: "Refit every N sessions (default: the model type's, as the API's).") var refitEvery: Int?
    @Option(help: "Longest horizon in sessions (default: the model type's, as the API's).") var maxHorizon: Int?

    func run() async throws {
        let configuration = try self.common.load()
        let logger = self.common.makeLogger(configuration)
        guard let ticker = TickerSymbol(self.ticker), let exchange = ExchangeCode(self.exchange) else { throw ValidationError("invalid ticker or exchange") }
        guard let type = ModelType(rawValue: self.modelType) else {
            throw ValidationError("--model-type must be one of \(ModelType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let names = self.features.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let features = try FeatureCatalog.resolve(names)
        var parameters = HyperParameters(for: type)
        parameters.refitEvery = self.refitEvery ?? parameters.refitEvery
        parameters.maxHorizon = self.maxHorizon ?? parameters.maxHorizon
        do {
            try ModelController.validate(parameters)
        } catch let error as APIError {
            throw ValidationError(error.detail)
        }
        let valSize = self.valSize
        let settings = parameters
        let report = try await LocalRuntime.with(configuration, logger: logger) { parts in
            let instrument = InstrumentKey(ticker: ticker, exchange: exchange)
            let bars = try await parts.storage.prices.cleanBars(for: instrument, from: nil, through: nil, after: nil, limit: 1_000_000)
            guard bars.count >= 120 else { throw CLIError("\(instrument) has \(bars.count) stored sessions; run the ETL first") }
            let calendar = TradingCalendars.calendar(for: exchange)
            let fitter: (any RegressorFitter)? = type == .xgboost ? XGBoostFitter(mode: .gradientBoosting) : type == .randomForest ? XGBoostFitter(mode: .randomForest) : nil
            let progress = ProgressReporter(total: 100)
            let outcome = try await ComputeQueue.run {
                try ForecastTrainer.train(
                    bars: bars, calendar: calendar, modelType: type, features: features, parameters: settings, valSize: valSize, fitter: fitter,
                    progress: { fraction, message in
                        progress.update(done: Int(fraction * 100), item: message)
                        return true
                    }
                )
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            return String(decoding: try encoder.encode(outcome.report), as: UTF8.self)
        }
        print(report)
    }
}
