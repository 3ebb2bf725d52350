import Actors
import Foundation
import Hummingbird
import PredictionCore
import Storage

/// ETL routes: `POST /api/run-etl` (the original's path, now real), runs and their reports, retry, tracked tickers.
struct ETLController {
    let runs: any ETLRunStore
    let pipeline: MarketDataPipeline
    let scheduler: ETLScheduler
    let configuration: AppConfiguration
    let sources: SourcePolicy

    /// Entries accepted by one `POST /api/run-etl`.
    static let maxRunsPerRequest = 100

    func addReadRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("/api/etl/runs", use: self.listRuns)
        group.get("/api/etl/runs/{id}", use: self.runDetail)
        group.get("/api/etl/runs/{id}/issues", use: self.runIssues)
        group.get("/api/etl/tickers", use: self.listTracked)
    }

    func addWriteRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("/api/run-etl", use: self.runETL)
        group.post("/api/etl/runs/{id}/retry", use: self.retry)
        group.post("/api/etl/tickers", use: self.track)
        group.delete("/api/etl/tickers/{ticker}", use: self.untrack)
    }

    /// One entry of `POST /api/run-etl`.
    struct RunRequest: Decodable {
        let ticker: TickerSymbol
        let exchange: ExchangeCode
        let source: String?
    }

    @Sendable func runETL(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<RunSubmissionDTO> {
        let entries = try await RequestInput.decodeJSON([RunRequest].self, from: request, maxBytes: self.configuration.maxBodyBytes)
        guard !entries.isEmpty else { throw APIError.unprocessable("the body must list at least one {ticker, exchange}", code: "empty_request") }
        guard entries.count <= Self.maxRunsPerRequest else {
            throw APIError.unprocessable("at most \(Self.maxRunsPerRequest) entries per request, got \(entries.count)", code: "too_many_entries")
        }
        let tracked = Dictionary(try await self.scheduler.trackedTickers().map { ($0.instrument, $0.source) }, uniquingKeysWith: { a, _ in a })
        // Validate everything before starting anything, so a bad entry changes nothing.
        var planned: [(InstrumentKey, String)] = []
        for entry in entries {
            let instrument = InstrumentKey(ticker: entry.ticker, exchange: entry.exchange)
            let source = try self.sources.apiSource(entry.source ?? tracked[instrument] ?? "yahoo")
            planned.append((instrument, source))
        }
        var runs: [ETLRun] = []
        for (instrument, source) in planned {
            runs.append(try await self.pipeline.submit(instrument, source: source, trigger: .manual))
        }
        return EditedResponse(
            status: .accepted,
            response: RunSubmissionDTO(
                message: "\(runs.count) ETL run(s) queued; follow them at GET /api/etl/runs/{id}", run_ids: runs.map(\.id),
                runs: runs.map(RunDTO.init)
            )
        )
    }

    @Sendable func listRuns(_ request: Request, context: AppRequestContext) async throws -> RunPageDTO {
        let limit = try RequestInput.limit(request, default: 50, max: 500)
        var filter = ETLRunFilter()
        filter.ticker = try RequestInput.tickerFilter(request)
        if let text = RequestInput.query(request, "status") {
            guard let status = RunStatus(rawValue: text) else {
                throw APIError.badRequest("status must be one of \(RunStatus.allCases.map(\.rawValue).joined(separator: ", "))", code: "invalid_status")
            }
            filter.status = status
        }
        let cursor = try RequestInput.idCursor(request)
        let runs = try await self.runs.runs(matching: filter, before: cursor, limit: limit + 1)
        let page = Array(runs.prefix(limit))
        return RunPageDTO(runs: page.map(RunDTO.init), next_cursor: runs.count > limit ? page.last?.id : nil)
    }

    @Sendable func runDetail(_ request: Request, context: AppRequestContext) async throws -> RunDetailDTO {
        let run = try await self.existingRun(context)
        let steps = try await self.runs.steps(ofRun: run.id)
        let pageSize = 200
        let issues = try await self.runs.issues(ofRun: run.id, after: nil, limit: pageSize + 1)
        let page = Array(issues.prefix(pageSize))
        return RunDetailDTO(
            run: RunDTO(run), steps: steps.map(StepDTO.init), issues: page.map(IssueDTO.init),
            issues_next_cursor: issues.count > pageSize ? page.last?.sequence : nil
        )
    }

    @Sendable func runIssues(_ request: Request, context: AppRequestContext) async throws -> IssuePageDTO {
        let run = try await self.existingRun(context)
        let limit = try RequestInput.limit(request, default: 200, max: 5000)
        var cursor: Int?
        if let text = RequestInput.query(request, "cursor") {
            guard let value = Int(text), value >= 0 else { throw APIError.badRequest("cursor must be a next_cursor value", code: "invalid_cursor") }
            cursor = value
        }
        let issues = try await self.runs.issues(ofRun: run.id, after: cursor, limit: limit + 1)
        let page = Array(issues.prefix(limit))
        return IssuePageDTO(run_id: run.id, issues: page.map(IssueDTO.init), next_cursor: issues.count > limit ? page.last?.sequence : nil)
    }

    @Sendable func retry(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<RunDTO> {
        let id = try RequestInput.id(context)
        let run = try await self.pipeline.retry(runID: id)
        return EditedResponse(status: .accepted, headers: [.location: "/api/etl/runs/\(run.id)"], response: RunDTO(run))
    }

    /// `GET /api/etl/tickers?limit=&cursor=`: by ticker then exchange; the next page's cursor (`TICKER@EXCHANGE` of the
    /// last row) in `X-Next-Cursor`.
    @Sendable func listTracked(_ request: Request, context: AppRequestContext) async throws -> Response {
        let limit = try RequestInput.limit(request, default: 1000, max: 1000)
        var rows = try await self.scheduler.trackedTickers()
        if let cursor = RequestInput.query(request, "cursor") {
            let parts = cursor.split(separator: "@", maxSplits: 1).map(String.init)
            guard parts.count == 2, TickerSymbol(parts[0]) != nil, ExchangeCode(parts[1]) != nil else {
                throw APIError.badRequest("cursor must be the X-Next-Cursor of a previous page (TICKER@EXCHANGE), got \"\(cursor)\"", code: "invalid_cursor")
            }
            rows.removeAll { ($0.instrument.ticker.rawValue, $0.instrument.exchange.rawValue) <= (parts[0], parts[1]) }
        }
        let page = Array(rows.prefix(limit))
        var response = try context.responseEncoder.encode(page.map(TrackedTickerDTO.init), from: request, context: context)
        if rows.count > limit, let last = page.last {
            response.headers[.init("X-Next-Cursor")!] = "\(last.instrument.ticker.rawValue)@\(last.instrument.exchange.rawValue)"
        }
        return response
    }

    /// Body of `POST /api/etl/tickers`.
    struct TrackRequest: Decodable {
        let ticker: TickerSymbol
        let exchange: ExchangeCode
        let source: String?
    }

    @Sendable func track(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<TrackedTickerDTO> {
        let body = try await RequestInput.decodeJSON(TrackRequest.self, from: request, maxBytes: self.configuration.maxBodyBytes)
        let source = try self.sources.apiSource(body.source ?? "yahoo")
        let tracked = TrackedTicker(instrument: InstrumentKey(ticker: body.ticker, exchange: body.exchange), source: source, addedAt: Date())
        let (stored, isNew) = try await self.scheduler.track(tracked)
        return EditedResponse(status: isNew ? .created : .ok, response: TrackedTickerDTO(stored))
    }

    @Sendable func untrack(_ request: Request, context: AppRequestContext) async throws -> MessageDTO {
        let ticker = try RequestInput.ticker(context)
        let exchange = try RequestInput.requiredExchange(request)
        guard try await self.scheduler.untrack(InstrumentKey(ticker: ticker, exchange: exchange)) else {
            throw APIError.notFound("\(ticker) on \(exchange) is not tracked", code: "ticker_not_tracked")
        }
        return MessageDTO(message: "\(ticker) on \(exchange) is no longer tracked; its stored data is kept")
    }

    private func existingRun(_ context: AppRequestContext) async throws -> ETLRun {
        let id = try RequestInput.id(context)
        guard let run = try await self.runs.run(id: id) else { throw APIError.notFound("no ETL run with id \(id)", code: "run_not_found") }
        return run
    }
}
