import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import NIOCore
import Testing

@testable import App

/// Issue 9 (3, 4, 8): what reaches the server below the router. Every case here got no answer, or an empty one,
/// before: malformed requests now get a JSON 400/414/431 and a close, idle connections are closed, caps hold, and a
/// refused WebSocket upgrade gets its JSON error.
@Suite struct ConnectionHardeningTests {
    static let get = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"

    @Test func malformedRequestsGetAJSONErrorAndAClose() async throws {
        let harness = try AppTestHarness()
        try await harness.testLive { client in
            let port = try #require(client.port)
            let big = String(repeating: "a", count: 100 * 1024)
            let cases: [(String, String, Int, String)] = [
                ("invalid request line", "GARBAGE\r\n\r\n", 400, "malformed_request"),
                ("100 KB URL", "GET /health?\(big) HTTP/1.1\r\nHost: x\r\n\r\n", 414, "request_line_too_long"),
                ("100 KB header", Self.get + "X-Big: \(big)\r\n\r\n", 431, "headers_too_large"),
                ("10,000 headers", Self.get + (0..<10_000).map { "X-H\($0): 1\r\n" }.joined() + "\r\n", 431, "too_many_headers"),
                ("CL and TE", "POST /api/run-etl HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "malformed_request"),
                ("duplicate CL", "POST /api/run-etl HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\n[]", 400, "malformed_request"),
                ("negative CL", "POST /api/run-etl HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", 400, "malformed_request"),
            ]
            for (name, request, status, code) in cases {
                let answer = try await RawHTTP.exchange(port: port, request)
                #expect(answer.status == status, "\(name): \(answer.text.prefix(300))")
                #expect(answer.body.contains("\"code\":\"\(code)\""), "\(name): \(answer.body)")
                #expect(answer.closed, "\(name): the connection stayed open")
            }
            // A later malformed request on a keep-alive connection is answered and closed too.
            let second = try await RawHTTP.exchange(port: port, Self.get + "\r\n" + "GARBAGE\r\n\r\n")
            #expect(second.text.hasPrefix("HTTP/1.1 200"))
            #expect(second.text.contains("HTTP/1.1 400"), "\(second.text)")
            #expect(second.closed)
            // The server is fine afterwards.
            try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test func idleAndSlowConnectionsAreClosedAtTheHeaderDeadline() async throws {
        let harness = try AppTestHarness { $0.connections.headerTimeout = .seconds(1) }
        try await harness.testLive { client in
            let port = try #require(client.port)
            let silent = try await RawHTTP.exchange(port: port, "", timeout: .seconds(10))
            #expect(silent.closed && silent.text.isEmpty)
            let trickled = try await RawHTTP.exchange(port: port, "GET /health HTTP/1.1\r\nHo", timeout: .seconds(10))
            #expect(trickled.closed)
            #expect(trickled.status == 408, "\(trickled.text)")
        }
    }

    @Test func connectionsPerAddressAreCappedWithoutStarvingOthers() async throws {
        let harness = try AppTestHarness { $0.connections.maxConnectionsPerAddress = 4 }
        try await harness.testLive { client in
            let port = try #require(client.port)
            let refused = try await RawHTTP.withIdleConnections(4, port: port, from: "127.0.0.2") {
                try await Task.sleep(for: .milliseconds(200))
                return try await RawHTTP.exchange(port: port, Self.get + "\r\n", from: "127.0.0.2")
            }
            #expect(refused.status == 503, "\(refused.text)")
            #expect(refused.body.contains("too_many_connections_from_address"))
            #expect(refused.text.contains("Retry-After: 1"))
            #expect(refused.closed)
            // Another address is served at once.
            let other = try await RawHTTP.exchange(port: port, Self.get + "Connection: close\r\n\r\n", from: "127.0.0.3")
            #expect(other.status == 200, "\(other.text)")
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(String(buffer: response.body).contains("http_connections_refused_total{reason=\"address_full\"} 1"))
            }
        }
    }

    /// Refused upgrades get their JSON error (they got an empty 400); origins are checked against the server's own,
    /// never the Host header; keys never travel in the URL.
    @Test func refusedWebSocketUpgradesGetTheirJSONError() async throws {
        let harness = try AppTestHarness(readRequiresKey: true)
        try await harness.testLive { client in
            let port = try #require(client.port)
            let key = try harness.adminKey
            func upgrade(_ path: String, _ headers: [String] = []) -> String {
                "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + headers.map { $0 + "\r\n" }.joined() + "\r\n"
            }
            let rebinding = try await RawHTTP.exchange(
                port: port, upgrade("/ws/alerts", ["Origin: http://evil.example"]).replacingOccurrences(of: "Host: 127.0.0.1:\(port)", with: "Host: evil.example"))
            #expect(rebinding.status == 403, "\(rebinding.text)")
            #expect(rebinding.body.contains("origin_not_allowed"))
            #expect(rebinding.closed)
            let unknown = try await RawHTTP.exchange(port: port, upgrade("/ws/nope"))
            #expect(unknown.status == 404 && unknown.body.contains("unknown_channel"), "\(unknown.text)")
            let keyless = try await RawHTTP.exchange(port: port, upgrade("/ws/alerts", ["Origin: http://127.0.0.1:\(port)"]))
            #expect(keyless.status == 401 && keyless.body.contains("missing_api_key"), "\(keyless.text)")
            let inURL = try await RawHTTP.exchange(port: port, upgrade("/ws/alerts?token=\(key)"))
            #expect(inURL.status == 400 && inURL.body.contains("key_in_url"), "\(inURL.text)")
            let wrong = try await RawHTTP.exchange(port: port, upgrade("/ws/alerts", ["Sec-WebSocket-Protocol: stockcast, bearer.sck_wrong\(String(repeating: "0", count: 60))"]))
            #expect(wrong.status == 401 && wrong.body.contains("invalid_api_key"), "\(wrong.text)")
            // A browser offers ["stockcast", "bearer.<key>"]: the upgrade succeeds and the server selects "stockcast".
            let accepted = try await RawHTTP.exchange(
                port: port, upgrade("/ws/alerts", ["Origin: http://127.0.0.1:\(port)", "Sec-WebSocket-Protocol: stockcast, bearer.\(key)"]),
                timeout: .seconds(1))
            #expect(accepted.status == 101, "\(accepted.text)")
            #expect(accepted.text.lowercased().contains("sec-websocket-protocol: stockcast\r\n"))
            #expect(accepted.text.contains("\"type\":\"hello\""))
            // A program may send Authorization instead.
            var configuration = WebSocketClientConfiguration()
            configuration.additionalHeaders = [.authorization: "Bearer \(key)"]
            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/ws/alerts", configuration: configuration, logger: .init(label: "ws")) { inbound, _, _ in
                var iterator = inbound.messages(maxSize: 1 << 16).makeAsyncIterator()
                guard case .text(let hello) = try await iterator.next() else { Issue.record("no hello"); return }
                #expect(hello.contains("\"type\":\"hello\""))
            }
        }
    }
}
