import Actors
import Foundation
import Hummingbird
import MarketData
import NIOFoundationEssentialsCompat
import PredictionCore
import Storage

/// `/api/datasets`: the stored series, their bars with indicators, and CSV upload.
struct DatasetController {
    let prices: any PriceStore
    let pipeline: MarketDataPipeline
    let configuration: AppConfiguration

    /// Read routes (open, or `viewer` when reads need a key).
    func addReadRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("/api/datasets", use: self.list)
        group.get("/api/datasets/{ticker}/prices", use: self.prices)
    }

    /// Write routes (`operator`).
    func addWriteRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("/api/datasets/{ticker}/import", use: self.importCSV)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> [DatasetDTO] {
        try await self.prices.datasets().map(DatasetDTO.init)
    }

    @Sendable func prices(_ request: Request, context: AppRequestContext) async throws -> PricePageDTO {
        let ticker = try RequestInput.ticker(context)
        let from = try RequestInput.date(request, "from")
        let to = try RequestInput.date(request, "to")
        if let from, let to, from > to {
            throw APIError.badRequest("from (\(from)) is after to (\(to))", code: "invalid_range")
        }
        let limit = try RequestInput.limit(request, default: 1000, max: self.configuration.maxPageSize)
        var cursor: SessionDate?
        if let text = RequestInput.query(request, "cursor") {
            guard let date = SessionDate(text) else {
                throw APIError.badRequest("cursor must be the next_cursor of a previous page, got \"\(text)\"", code: "invalid_cursor")
            }
            cursor = date
        }
        let instrument = try await self.resolveInstrument(ticker, exchange: try RequestInput.exchange(request))
        let bars = try await self.prices.cleanBars(for: instrument, from: from, through: to, after: cursor, limit: limit + 1)
        let page = Array(bars.prefix(limit))
        return PricePageDTO(
            ticker: instrument.ticker.rawValue, exchange: instrument.exchange.rawValue, count: page.count,
            next_cursor: bars.count > limit ? page.last?.session.description : nil, prices: page.map(PriceDTO.init)
        )
    }

    @Sendable func importCSV(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<RunDTO> {
        let ticker = try RequestInput.ticker(context)
        let exchange = try RequestInput.requiredExchange(request)
        var request = request
        let body = try await RequestInput.collect(&request, maxBytes: self.configuration.maxUploadBytes)
        guard body.readableBytes > 0 else { throw APIError.unprocessable("the request body must be a CSV file", code: "missing_body") }
        do throws(ProviderError) {
            try CSVPriceParser.checkHeader(Array(buffer: body))
        } catch {
            throw APIError.unprocessable("the body is not a price CSV: \(error.message)", code: "invalid_csv")
        }
        let uploads = self.configuration.importDirectory.appendingPathComponent("uploads")
        try FileManager.default.createDirectory(at: uploads, withIntermediateDirectories: true)
        let stamp = Int(Date().timeIntervalSince1970)
        let safeName = ticker.rawValue.replacingOccurrences(of: "^", with: "_")
        let file = uploads.appendingPathComponent("\(safeName)-\(exchange.rawValue)-\(stamp)-\(UUID().uuidString.prefix(8)).csv")
        try Data(buffer: body).write(to: file, options: .atomic)
        let run = try await self.pipeline.submit(
            InstrumentKey(ticker: ticker, exchange: exchange), source: "csv:uploads/\(file.lastPathComponent)", trigger: .upload
        )
        return EditedResponse(status: .accepted, headers: [.location: "/api/etl/runs/\(run.id)"], response: RunDTO(run))
    }

    /// The instrument named by ticker and optional exchange: 404 when the ticker has no data, 400 when it is listed
    /// on several exchanges and none was given.
    func resolveInstrument(_ ticker: TickerSymbol, exchange: ExchangeCode?) async throws -> InstrumentKey {
        let exchanges = try await self.prices.exchanges(listing: ticker)
        if let exchange {
            guard exchanges.contains(exchange) else {
                throw APIError.notFound("no data for \(ticker) on \(exchange); known exchanges for it: \(exchanges.map(\.rawValue))", code: "dataset_not_found")
            }
            return InstrumentKey(ticker: ticker, exchange: exchange)
        }
        switch exchanges.count {
        case 0: throw APIError.notFound("no data for ticker \(ticker); GET /api/datasets lists what is stored", code: "dataset_not_found")
        case 1: return InstrumentKey(ticker: ticker, exchange: exchanges[0])
        default:
            throw APIError.badRequest(
                "\(ticker) is stored for several exchanges (\(exchanges.map(\.rawValue).joined(separator: ", "))); add ?exchange=",
                code: "ambiguous_exchange"
            )
        }
    }
}
