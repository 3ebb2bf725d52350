import Actors
import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import HummingbirdWSTesting
import HummingbirdWebSocket
import Logging
import NIOCore
import Testing

@testable import App

/// The live side over real sockets: WebSocket channels, `/metrics`, `/api/alerts`.
@Suite(.timeLimit(.minutes(5))) struct StreamsAPITests {
    /// Reads text frames until `predicate` accepts one (or `limit` frames passed); returns the accepted one.
    static func next(
        _ inbound: WebSocketInboundStream, limit: Int = 200, where predicate: ([String: Any]) -> Bool
    ) async throws -> [String: Any]? {
        var iterator = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
        for _ in 0..<limit {
            guard let message = try await iterator.next() else { return nil }
            guard case .text(let text) = message, let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { continue }
            if predicate(object) { return object }
        }
        return nil
    }

    @Test func predictionAppearsOnTheWebSocketAndMetricsCountIt() async throws {
        let harness = try AppTestHarness(sampleData: true, metricsInterval: 1)
        try await harness.testLive { client in
            let key = try await ForecastingAPITests.ready(harness)
            let model = try await ForecastingAPITests.register(client, key: key, [
                "ticker": "GOOG", "exchange": "NASDAQ", "model_type": "drift", "features": [], "val_size": 0.2, "hyper_parameters": [:],
            ])
            _ = try await ForecastingAPITests.train(client, harness: harness, key: key, model: model)
            let port = try #require(client.port)
            let connected = Promise()
            let predicted = Task {
                try await connected.wait()
                try await client.execute(
                    uri: "/api/predict/", method: .post, headers: .bearer(key),
                    body: try JSON.body(["ticker": "GOOG", "exchange": "NASDAQ", "target_date": "2013-03-04", "model_id": model])
                ) { #expect($0.status == .ok, "\(String(buffer: $0.body))") }
            }
            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/ws/predictions?tickers=GOOG", logger: .init(label: "ws")) { inbound, _, _ in
                var iterator = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                guard case .text(let helloText) = try await iterator.next() else { Issue.record("no hello"); return }
                #expect(helloText.contains("\"type\":\"hello\""))
                await connected.complete()
                while let message = try await iterator.next() {
                    guard case .text(let text) = message, text.contains("\"type\":\"prediction\"") else { continue }
                    let event = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
                    #expect(event["ticker"] as? String == "GOOG")
                    #expect(event["target_date"] as? String == "2013-03-04")
                    #expect(event["model_metadata_id"] as? Int == model)
                    #expect(event["model_type"] as? String == "drift")
                    #expect(event["schema_version"] as? Int == 1)
                    #expect(event["lower_95"] as? Double != nil)
                    return
                }
                Issue.record("the socket closed before the prediction arrived")
            }
            try await predicted.value

            let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            let samples = MetricSamples(exposition: metrics)
            #expect(samples.sum("predictions_total", where: ["model_type": "drift", "outcome": "success"]) >= 1)
            #expect(samples.sum("http_requests_total", where: ["route": "/api/predict", "method": "POST", "status": "200"]) >= 1)
            #expect(samples.sum("training_tasks_total", where: ["kind": "train", "outcome": "completed"]) >= 1)
            #expect(samples.sum("etl_runs_total", where: ["outcome": "completed"]) >= 2)
            #expect(samples.sum("etl_rows_total", where: ["action": "inserted"]) > 1000)
            #expect(samples.sum("websocket_frames_sent_total", where: ["channel": "predictions"]) >= 1)
            #expect(samples.sum("process_resident_memory_bytes") > 0)
            #expect(samples.sum("process_cpu_seconds_total") > 0)
            #expect(samples.sum("process_open_fds") > 0)
        }
    }

    @Test func metricsChannelCarriesTheOriginalKeysWithRealValues() async throws {
        let harness = try AppTestHarness(metricsInterval: 1)
        try await harness.testLive { client in
            for _ in 0..<3 { try await client.execute(uri: "/health", method: .get) { _ in } }
            let port = try #require(client.port)
            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/ws/metrics", logger: .init(label: "ws")) { inbound, _, _ in
                // The second digest after connecting has rates over a full interval.
                let digest = try await Self.next(inbound) { ($0["type"] as? String) == "metrics" && (($0["metrics"] as? [String: Double])?["http_requests_total"] ?? 0) >= 3 }
                let metrics = try #require(digest?["metrics"] as? [String: Double])
                for key in ["cpu_usage_seconds_total", "memory_resident_bytes", "http_requests_total", "http_request_duration_avg", "predict_success_total", "predict_failure_total", "predict_duration_avg"] {
                    #expect(metrics[key] != nil, "missing \(key)")
                }
                #expect((metrics["memory_resident_bytes"] ?? 0) > 1_000_000)
                #expect((metrics["http_request_duration_avg"] ?? 0) > 0, "the original's avg was always 0")
                #expect(digest?["timestamp"] as? Int != nil)
            }
        }
    }

    @Test func upgradesAreCheckedBeforeTheSocketOpens() async throws {
        let harness = try AppTestHarness()
        try await harness.testLive { client in
            let port = try #require(client.port)
            // Unknown channel, foreign origin, plain GET: refused with a JSON error, nothing upgraded.
            try await client.execute(uri: "/ws/tasks", method: .get) { response in
                #expect(response.status.code == 426)
                #expect(String(buffer: response.body).contains("websocket_required"))
            }
            try await client.execute(uri: "/ws/nope", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body).contains("unknown_channel"))
            }
            try await client.execute(uri: "/ws/alerts", method: .get, headers: [.origin: "http://evil.example"]) { response in
                #expect(response.status == .forbidden)
                #expect(String(buffer: response.body).contains("origin_not_allowed"))
            }
            // A WebSocket client from a foreign origin is refused at the upgrade.
            var foreign = WebSocketClientConfiguration()
            foreign.additionalHeaders = [.origin: "http://evil.example"]
            await #expect(throws: (any Error).self) {
                try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/ws/alerts", configuration: foreign, logger: .init(label: "ws")) { _, _, _ in
                    Issue.record("a foreign origin was upgraded")
                }
            }
            // A non-browser client (Origin ws://127.0.0.1) on the server's host is accepted.
            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/ws/alerts", logger: .init(label: "ws")) { inbound, _, _ in
                let hello = try await Self.next(inbound) { $0["type"] as? String == "hello" }
                #expect(hello?["channel"] as? String == "alerts")
            }
        }
    }

    /// Origins come from configuration and the bound port, never from the Host header (DNS rebinding).
    @Test func browserOriginsMustBeTheServersOwnOrListed() {
        let derived = PublicOrigins(configured: [], additional: ["https://dash.example.com"], host: "127.0.0.1", port: 0, secure: false)
        derived.bound(port: 8080)
        #expect(derived.origins == ["http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080"])
        #expect(derived.allows("http://127.0.0.1:8080"))
        #expect(derived.allows("http://localhost:8080"))
        #expect(derived.allows("https://dash.example.com/"))
        #expect(derived.allows("ws://127.0.0.1"))
        #expect(!derived.allows("http://127.0.0.1:9999"))
        #expect(!derived.allows("http://evil.example"))
        #expect(!derived.allows("ws://evil.example"))
        #expect(!derived.allows("null"))
        let configured = PublicOrigins(configured: ["https://StockCast.example.com"], additional: [], host: "0.0.0.0", port: 8080, secure: false)
        #expect(configured.origins == ["https://stockcast.example.com"])
        #expect(configured.allows("https://stockcast.example.com"))
        #expect(configured.allows("wss://stockcast.example.com"))
        #expect(!configured.allows("http://127.0.0.1:8080"))
    }

    @Test func alertsAreListedAndBadQueriesAreRefused() async throws {
        let harness = try AppTestHarness()
        try await harness.test { client in
            try await client.execute(uri: "/api/alerts?state=active", method: .get) { response throws in
                #expect(response.status == .ok)
                #expect((try JSON.object(response.body)["alerts"] as? [Any])?.isEmpty == true)
            }
            try await client.execute(uri: "/api/alerts?state=sleeping", method: .get) { response throws in
                #expect(response.status == .badRequest)
                #expect(try JSON.object(response.body)["code"] as? String == "invalid_state")
            }
            try await client.execute(uri: "/api/alerts?limit=0", method: .get) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/api/auth/me", method: .get) { #expect($0.status == .unauthorized) }
            let key = try harness.adminKey
            try await client.execute(uri: "/api/auth/me", method: .get, headers: .bearer(key)) { response throws in
                #expect(try JSON.object(response.body)["role"] as? String == "admin")
            }
            try await client.execute(uri: "/api/models/features", method: .get) { response throws in
                let catalog = try JSON.object(response.body)
                #expect((catalog["model_types"] as? [String])?.contains("xgboost") == true)
                let features = try #require(catalog["features"] as? [[String: Any]])
                #expect(features.contains { $0["name"] as? String == "return_lag_1" && ($0["original_names"] as? [String])?.contains("Close") == true })
            }
            try await client.execute(uri: "/api/ui/config", method: .get) { response in
                let config = try JSON.object(response.body)
                #expect(config["kafka"] as? Bool == false)
                #expect(config["grafana_url"] == nil || config["grafana_url"] is NSNull)
            }
        }
    }
}

/// Completes once; waiters wait until then.
actor Promise {
    private var done = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func complete() {
        self.done = true
        for waiter in self.waiters { waiter.resume() }
        self.waiters.removeAll()
    }

    func wait() async throws {
        if self.done { return }
        await withCheckedContinuation { self.waiters.append($0) }
    }
}
