import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// The one place where market-data providers talk HTTP: rate limiting, timeouts, size limits and the mapping of
/// transport outcomes to `ProviderError`.
///
/// - Every request first takes a token from `rateLimiter` (when set).
/// - HTTP 429 → `.rateLimited` with `retryAfterSeconds` from `Retry-After` (delta-seconds or HTTP-date).
/// - HTTP 5xx, connection failures and timeouts → `.unavailable`.
/// - A body shorter than its `Content-Length`, or a connection closed mid-body → `.truncated`.
/// - A body over `Configuration.maxBodyBytes` → `.malformed` (nothing a provider asks for is that large).
/// - Any other status (2xx, 404, other 4xx) is returned for the provider to interpret.
///
/// It never retries: the pipeline retries transient errors with backoff, honouring `retryAfterSeconds`.
/// Cancellation of the calling task is rethrown as `CancellationError`.
public struct ProviderHTTPClient: Sendable {
    /// Limits and headers for a source.
    public struct Configuration: Sendable {
        /// Time allowed for the whole request: until the response head, and again for reading the body.
        public var requestTimeout: TimeAmount
        /// Largest response body accepted, in bytes (default 50 MB).
        public var maxBodyBytes: Int
        /// `User-Agent` header (Yahoo answers 429 to requests without a browser-like agent).
        public var userAgent: String

        /// Creates a configuration; defaults: 30 s timeout, 50 MB body limit.
        public init(
            requestTimeout: TimeAmount = .seconds(30), maxBodyBytes: Int = 50 * 1024 * 1024,
            userAgent: String = "Mozilla/5.0 (compatible; stockcast/1.0)"
        ) {
            self.requestTimeout = requestTimeout
            self.maxBodyBytes = maxBodyBytes
            self.userAgent = userAgent
        }
    }

    /// A response whose status the provider must interpret (anything but 429 and 5xx), with its whole body.
    public struct Response: Sendable {
        /// HTTP status code.
        public var status: Int
        /// Response headers.
        public var headers: HTTPHeaders
        /// The complete body.
        public var body: [UInt8]
    }

    /// The source name used in error messages (`yahoo`, `stooq`).
    public let source: String
    /// The shared HTTP client (owned and shut down by the caller).
    public let httpClient: HTTPClient
    /// Optional rate limiter, shared by every request to this source.
    public let rateLimiter: TokenBucket?
    /// Limits and headers.
    public let configuration: Configuration
    /// Request logger.
    public let logger: Logger

    /// Creates a client for one source.
    public init(
        source: String, httpClient: HTTPClient, rateLimiter: TokenBucket? = nil,
        configuration: Configuration = Configuration(), logger: Logger = Logger(label: "stockcast.marketdata")
    ) {
        self.source = source
        self.httpClient = httpClient
        self.rateLimiter = rateLimiter
        self.configuration = configuration
        self.logger = logger
    }

    /// GETs `url` and returns the full response, or throws `ProviderError` / `CancellationError` (see the type doc).
    public func get(_ url: String) async throws -> Response {
        try await self.rateLimiter?.acquire()
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "User-Agent", value: self.configuration.userAgent)
        request.headers.add(name: "Accept", value: "*/*")

        let response: HTTPClientResponse
        do {
            response = try await self.httpClient.execute(
                request, deadline: .now() + self.configuration.requestTimeout, logger: self.logger)
        } catch {
            throw self.transportError(error, receivingBody: false)
        }
        let status = Int(response.status.code)
        self.logger.debug("market data response", metadata: ["source": "\(self.source)", "status": "\(status)"])

        if status == 429 {
            let seconds = RetryAfter.seconds(from: response.headers.first(name: "Retry-After"))
            throw ProviderError(
                .rateLimited,
                "\(self.source) is rate limiting requests (HTTP 429)"
                    + (seconds.map { "; retry after \(Int($0.rounded(.up))) s" } ?? ""),
                retryAfterSeconds: seconds)
        }
        if status >= 500 {
            throw ProviderError(.unavailable, "\(self.source) answered HTTP \(status)")
        }

        let body = try await self.collectBody(response.body)
        if let declared = response.headers.first(name: "Content-Length").flatMap(Int.init), body.readableBytes < declared {
            throw ProviderError(
                .truncated, "\(self.source) response ended after \(body.readableBytes) of \(declared) bytes")
        }
        return Response(status: status, headers: response.headers, body: Array(buffer: body))
    }

    /// Reads the body within the request timeout and the size limit.
    private func collectBody(_ body: HTTPClientResponse.Body) async throws -> ByteBuffer {
        let limit = self.configuration.maxBodyBytes
        let timeout = self.configuration.requestTimeout
        do {
            return try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
                group.addTask { try await body.collect(upTo: limit) }
                group.addTask {
                    try await Task.sleep(for: .nanoseconds(timeout.nanoseconds))
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let buffer = first else {
                    throw ProviderError(.unavailable, "\(self.source) did not send the whole response in time")
                }
                return buffer
            }
        } catch is NIOTooManyBytesError {
            throw ProviderError(.malformed, "\(self.source) response is larger than the \(limit)-byte limit")
        } catch let error as ProviderError {
            throw error
        } catch {
            throw self.transportError(error, receivingBody: true)
        }
    }

    /// Maps an error from the HTTP stack to `ProviderError` (or rethrows cancellation).
    private func transportError(_ error: any Error, receivingBody: Bool) -> any Error {
        if error is CancellationError || Task.isCancelled { return CancellationError() }
        if let error = error as? ProviderError { return error }
        if let clientError = error as? HTTPClientError {
            switch clientError {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout, .getConnectionFromPoolTimeout:
                return ProviderError(.unavailable, "request to \(self.source) timed out")
            case .remoteConnectionClosed where receivingBody:
                return ProviderError(.truncated, "\(self.source) closed the connection before the response was complete")
            case .cancelled:
                return CancellationError()
            default:
                return ProviderError(.unavailable, "request to \(self.source) failed: \(clientError)")
            }
        }
        if error is HTTPParserError, receivingBody {
            return ProviderError(.truncated, "\(self.source) response body ended early")
        }
        return ProviderError(.unavailable, "cannot reach \(self.source): \(String(describing: error).prefix(200))")
    }
}
