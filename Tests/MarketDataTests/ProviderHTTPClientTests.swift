import AsyncHTTPClient
import MarketData
import NIOCore
import Testing
import TestSupport

/// Transport behaviour shared by every provider, over a real socket.
@Suite struct ProviderHTTPClientTests {
    @Test func returnsStatusAndBody() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.init(status: 200, headers: [("X-Test", "1")], body: "hello"), path: "/a")
            let response = try await ProviderHTTPClient(source: "test", httpClient: client).get("\(server.baseURL)/a")
            #expect(response.status == 200)
            #expect(response.body == Array("hello".utf8))
        }
    }

    @Test func rateLimitWithAnHTTPDateAndWithoutRetryAfter() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.init(status: 429, headers: [("Retry-After", "Fri, 01 Jan 2100 00:00:00 GMT")]), path: "/a")
            server.enqueue(.init(status: 429), path: "/a")
            let http = ProviderHTTPClient(source: "test", httpClient: client)
            let dated = await #expect(throws: ProviderError.self) { try await http.get("\(server.baseURL)/a") }
            #expect(dated?.code == .rateLimited)
            #expect(dated?.retryAfterSeconds == RetryAfter.maxSeconds)
            let bare = await #expect(throws: ProviderError.self) { try await http.get("\(server.baseURL)/a") }
            #expect(bare?.code == .rateLimited)
            #expect(bare?.retryAfterSeconds == nil)
        }
    }

    @Test func truncatedBeforeAnyBodyByte() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.init(body: String(repeating: "x", count: 1_000), delivery: .truncated(afterBytes: 0)), path: "/a")
            let error = await #expect(throws: ProviderError.self) {
                try await ProviderHTTPClient(source: "test", httpClient: client).get("\(server.baseURL)/a")
            }
            #expect(error?.code == .truncated)
        }
    }

    @Test func connectionRefusedIsUnavailable() async throws {
        try await withServerAndClient { _, client in
            // Port 1 (tcpmux) has no listener on a test machine: the connection is refused. The client keeps
            // trying to connect until the request's deadline, so a short timeout keeps the test fast.
            let http = ProviderHTTPClient(
                source: "test", httpClient: client, configuration: .init(requestTimeout: .milliseconds(300)))
            let error = await #expect(throws: ProviderError.self) { try await http.get("http://127.0.0.1:1/a") }
            #expect(error?.code == .unavailable)
            #expect(error?.isTransient == true)
        }
    }

    @Test func noResponseTimesOut() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.init(delivery: .noResponse), path: "/a")
            let http = ProviderHTTPClient(
                source: "test", httpClient: client, configuration: .init(requestTimeout: .milliseconds(200)))
            let error = await #expect(throws: ProviderError.self) { try await http.get("\(server.baseURL)/a") }
            #expect(error?.code == .unavailable)
            #expect(error?.message.contains("timed out") == true)
        }
    }

    @Test func bodyThatStallsTimesOut() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.init(body: String(repeating: "x", count: 1_000), delivery: .stalled(afterBytes: 10)), path: "/a")
            let http = ProviderHTTPClient(
                source: "test", httpClient: client, configuration: .init(requestTimeout: .milliseconds(200)))
            let error = await #expect(throws: ProviderError.self) { try await http.get("\(server.baseURL)/a") }
            #expect(error?.code == .unavailable)
        }
    }

    @Test func oversizedBodyIsMalformed() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.init(body: String(repeating: "x", count: 5_000)), path: "/a")
            let http = ProviderHTTPClient(source: "test", httpClient: client, configuration: .init(maxBodyBytes: 1_000))
            let error = await #expect(throws: ProviderError.self) { try await http.get("\(server.baseURL)/a") }
            #expect(error?.code == .malformed)
            #expect(error?.isTransient == false)
        }
    }

    @Test func localRateLimiterGuardsTheSource() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.init(body: "one"), path: "/a")
            server.enqueue(.init(body: "two"), path: "/a")
            let bucket = TokenBucket(capacity: 1, refillPerSecond: 0.01, maxWaiters: 0)
            let http = ProviderHTTPClient(source: "test", httpClient: client, rateLimiter: bucket)
            _ = try await http.get("\(server.baseURL)/a")
            let error = await #expect(throws: ProviderError.self) { try await http.get("\(server.baseURL)/a") }
            #expect(error?.code == .rateLimited)
            #expect(server.receivedRequests.count == 1)
        }
    }
}
