import Actors
import Foundation
import Hummingbird
import PredictionCore
import Storage

/// `GET /metrics` (Prometheus text), `GET /api/alerts` (stored alerts, paged) and `GET /api/ui/config` (what the web UI
/// needs to know about this server).
struct MonitoringController {
    let alerts: any AlertStore
    let configuration: AppConfiguration

    func addOpenRoutes(to router: Router<AppRequestContext>) {
        Self.addMetricsRoute(to: router)
        router.get("/api/ui/config", use: self.uiConfig)
    }

    /// `GET /metrics`, on every instance whatever its roles.
    static func addMetricsRoute(to router: Router<AppRequestContext>) {
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: PrometheusExporter.render()))
            )
        }
    }

    func addReadRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("/api/alerts", use: self.alerts)
    }

    struct UIConfigDTO: ResponseEncodable {
        let instance: String
        let grafana_url: String?
        let prometheus_url: String?
        let read_requires_key: Bool
        let kafka: Bool
    }

    @Sendable func uiConfig(_ request: Request, context: AppRequestContext) async throws -> UIConfigDTO {
        UIConfigDTO(
            instance: self.configuration.instanceID, grafana_url: self.configuration.grafanaURL,
            prometheus_url: self.configuration.prometheusURL, read_requires_key: self.configuration.readRequiresKey,
            kafka: self.configuration.kafka.bootstrapServers != nil
        )
    }

    struct AlertDTO: Encodable {
        let id: Int64
        let kind: String
        let state: String
        let ticker: String?
        let exchange: String?
        let target_date: String?
        let messages: [String]
        let details: JSONValue?
        let raised_at: Date
        let updated_at: Date
        let resolved_at: Date?
        let instance: String

        init(_ alert: AlertRecord) {
            self.id = alert.id
            self.kind = alert.kind.rawValue
            self.state = alert.state.rawValue
            self.ticker = alert.instrument?.ticker.rawValue
            self.exchange = alert.instrument?.exchange.rawValue
            self.target_date = alert.targetDate?.description
            self.messages = alert.messages
            self.details = JSONValue(parsing: alert.details)
            self.raised_at = alert.raisedAt
            self.updated_at = alert.updatedAt
            self.resolved_at = alert.resolvedAt
            self.instance = alert.instance
        }
    }

    struct AlertPageDTO: ResponseEncodable {
        let alerts: [AlertDTO]
        let next_cursor: Int64?
    }

    @Sendable func alerts(_ request: Request, context: AppRequestContext) async throws -> AlertPageDTO {
        let limit = try RequestInput.limit(request, default: 50, max: 500)
        let state = try RequestInput.query(request, "state").map { text -> AlertState? in
            if text == "all" { return nil }
            guard let state = AlertState(rawValue: text) else {
                throw APIError.badRequest("state must be active, resolved or all, got \"\(text)\"", code: "invalid_state")
            }
            return state
        } ?? nil
        let ticker = try RequestInput.tickerFilter(request)
        let cursor = try RequestInput.idCursor(request)
        let rows = try await self.alerts.alerts(state: state, ticker: ticker, before: cursor, limit: limit + 1)
        let page = Array(rows.prefix(limit))
        return AlertPageDTO(alerts: page.map(AlertDTO.init), next_cursor: rows.count > limit ? page.last?.id : nil)
    }
}
