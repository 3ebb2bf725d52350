import Actors
import Foundation
import Hummingbird
import PredictionCore
import Storage

/// `/api/predict/…`: single predictions (answered and stored), their history, and multi-day forecast tasks.
struct PredictController {
    let supervisor: TrainingSupervisor
    let hub: PredictionHub
    let configuration: AppConfiguration

    func addReadRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("/api/predict", use: self.history)
        group.get("/api/predict/future/status/{id}", use: self.futureStatus)
        group.get("/api/predict/future/partial_status/{id}", use: self.partialStatus)
    }

    /// `POST /api/predict/`: a read of the model that stores its answer; not audited (it is the hot path).
    func addPredictionRoute(to group: RouterGroup<AppRequestContext>) {
        group.post("/api/predict", use: self.predict)
    }

    func addWriteRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("/api/predict/future", use: self.future)
        group.delete("/api/predict/future/{id}", use: self.cancelFuture)
    }

    struct PredictRequest: Decodable {
        let ticker: TickerSymbol
        let exchange: ExchangeCode
        let target_date: SessionDate
        let model_id: Int64?
    }

    @Sendable func predict(_ request: Request, context: AppRequestContext) async throws -> PredictionDTO {
        let body = try await RequestInput.decodeJSON(PredictRequest.self, from: request, maxBytes: 16 * 1024)
        let instrument = InstrumentKey(ticker: body.ticker, exchange: body.exchange)
        let prediction = try await self.hub.predict(instrument, target: body.target_date, modelID: body.model_id)
        let (point, actual) = (prediction.record, prediction.actualClose)
        let message = actual.map { String(format: "predicted close of %@ on %@: %.2f, actual close: %.2f", instrument.ticker.rawValue, point.targetDate.description, point.predictedClose, $0) }
            ?? String(format: "predicted close of %@ on %@: %.2f (80%% interval %.2f–%.2f); the session has not closed yet", instrument.ticker.rawValue, point.targetDate.description, point.predictedClose, point.lower80, point.upper80)
        return PredictionDTO(point, actualClose: actual, msg: message)
    }

    @Sendable func history(_ request: Request, context: AppRequestContext) async throws -> Response {
        let limit = try RequestInput.limit(request, default: 100, max: 1000)
        let ticker = try RequestInput.tickerFilter(request)
        let cursor = try RequestInput.idCursor(request)
        let rows = try await self.hub.history(ticker: ticker, before: cursor, limit: limit + 1)
        let page = Array(rows.prefix(limit))
        let dtos = page.map { PredictionDTO($0.prediction, actualClose: $0.actualClose) }
        var response = try context.responseEncoder.encode(dtos, from: request, context: context)
        if rows.count > limit, let last = page.last { response.headers[.init("X-Next-Cursor")!] = String(last.prediction.id) }
        return response
    }

    struct FutureRequest: Decodable {
        let ticker: TickerSymbol
        let exchange: ExchangeCode
        let days: Int?
        let model_id: Int64?
    }

    struct FutureSubmitted: ResponseEncodable {
        let status: String
        let task_id: String
    }

    @Sendable func future(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<FutureSubmitted> {
        let body = try await RequestInput.decodeJSON(FutureRequest.self, from: request, maxBytes: 16 * 1024)
        let days = body.days ?? 5
        guard (1...30).contains(days) else { throw APIError.unprocessable("days must be 1-30 trading sessions, got \(days)", code: "invalid_days") }
        let instrument = InstrumentKey(ticker: body.ticker, exchange: body.exchange)
        // Resolve the model now, so a request that cannot succeed is refused instead of queued.
        let model = try await self.hub.forecastModel(for: instrument, modelID: body.model_id)
        guard days <= model.hyperParameters.maxHorizon else {
            throw APIError.unprocessable("model \(model.id) forecasts at most \(model.hyperParameters.maxHorizon) sessions ahead", code: "invalid_days")
        }
        let task = try await self.supervisor.submitForecast(.init(instrument: instrument, days: days, modelID: model.id))
        return EditedResponse(status: .accepted, response: FutureSubmitted(status: "submitted", task_id: task.id))
    }

    @Sendable func futureStatus(_ request: Request, context: AppRequestContext) async throws -> TaskDTO {
        TaskDTO(try await self.forecastTask(context))
    }

    @Sendable func partialStatus(_ request: Request, context: AppRequestContext) async throws -> PartialStatusDTO {
        let task = try await self.forecastTask(context)
        var points = JSONValue(parsing: task.resultJSON)
        if let predictions = points["predictions"] { points = predictions }
        if case .null = points { points = .array([]) }
        return PartialStatusDTO(task_id: task.id, status: task.state.rawValue, progress: task.progress, result: points, error: task.error)
    }

    @Sendable func cancelFuture(_ request: Request, context: AppRequestContext) async throws -> TaskDTO {
        _ = try await self.forecastTask(context)
        return TaskDTO(try await self.supervisor.cancel(try TaskController.taskID(context)))
    }

    private func forecastTask(_ context: AppRequestContext) async throws -> TaskRecord {
        let task = try await self.supervisor.task(try TaskController.taskID(context))
        guard task.kind == .forecast else { throw APIError.notFound("task \(task.id) is a \(task.kind.rawValue) task, not a forecast", code: "task_not_found") }
        return task
    }
}
