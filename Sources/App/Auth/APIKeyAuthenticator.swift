import Foundation
import HTTPTypes
import Logging
import Metrics
import Storage

/// Resolves presented API keys to stored records, with a short-lived cache so a busy client does not cost a query
/// per request (at most `maxCached` entries, each trusted for `cacheTTL`; revocation takes effect within that time
/// on other instances and at once on this one).
///
/// `verify` is the one place a key is accepted or refused, for HTTP routes and WebSocket upgrades alike:
/// - a valid key always authenticates, whatever failures its address or prefix had (so nobody behind the same proxy
///   can lock an operator out by sending bad keys);
/// - refusals are counted per (client address, presented prefix) by `FailedAuthLimiter`; beyond its limit the answer
///   is 429 with `Retry-After` instead of 401;
/// - every refusal is logged with the address, the presented prefix (never the key) and the reason, except that a
///   throttled (address, prefix) is logged once per window.
actor APIKeyAuthenticator {
    /// Why a presented key does not authenticate.
    enum Refusal: Error, Equatable {
        case unknown
        case revoked
        case expired(Date)
    }

    private struct Cached {
        let record: APIKeyRecord?
        let at: ContinuousClock.Instant
    }

    private let store: any APIKeyStore
    private let limiter: FailedAuthLimiter
    private let logger: Logger
    private let cacheTTL: Duration
    private let maxCached: Int
    private var cache: [String: Cached] = [:]
    private var lastTouched: [Int64: ContinuousClock.Instant] = [:]

    private static let failures = Counter(label: "stockcast_auth_failures_total")

    init(store: any APIKeyStore, limiter: FailedAuthLimiter, logger: Logger, cacheTTL: Duration = .seconds(10), maxCached: Int = 1024) {
        self.store = store
        self.limiter = limiter
        self.logger = logger
        self.cacheTTL = cacheTTL
        self.maxCached = maxCached
    }

    /// The active key matching `presented`, or why there is none.
    func authenticate(_ presented: String, now: Date = Date()) async throws -> Result<APIKeyRecord, Refusal> {
        let hash = APIKeySecret.hash(of: presented)
        let clock = ContinuousClock.now
        let record: APIKeyRecord?
        if let cached = self.cache[hash], clock - cached.at < self.cacheTTL {
            record = cached.record
        } else {
            record = try await self.store.apiKey(hash: hash)
            if self.cache.count >= self.maxCached { self.cache.removeAll(keepingCapacity: true) }
            self.cache[hash] = Cached(record: record, at: clock)
        }
        guard let record else { return .failure(.unknown) }
        if record.revokedAt != nil { return .failure(.revoked) }
        if let expiry = record.expiresAt, expiry <= now { return .failure(.expired(expiry)) }
        if self.lastTouched[record.id].map({ clock - $0 > .seconds(60) }) ?? true {
            self.lastTouched[record.id] = clock
            try? await self.store.touchAPIKey(id: record.id)
        }
        return .success(record)
    }

    /// The record of a valid key, else throws the API error the client gets (401, or 429 once this address has
    /// failed too often with this prefix), after logging the refusal.
    func verify(_ presented: String, address: String) async throws -> APIKeyRecord {
        let refusal: Refusal
        switch try await self.authenticate(presented) {
        case .success(let record): return record
        case .failure(let reason): refusal = reason
        }
        Self.failures.increment()
        let prefix = APIKeySecret.loggablePrefix(of: presented)
        let verdict = await self.limiter.recordFailure(address: address, prefix: prefix)
        let reason: String
        let code: String
        switch refusal {
        case .unknown: (reason, code) = ("unknown key", "invalid_api_key")
        case .revoked: (reason, code) = ("revoked key", "invalid_api_key")
        case .expired(let at): (reason, code) = ("key expired at \(at.formatted(.iso8601))", "expired_api_key")
        }
        if verdict.shouldLog {
            self.logger.warning(
                verdict.blockedFor == nil ? "API key refused" : "API key refused; further refusals for this address and prefix are throttled",
                metadata: ["address": "\(address)", "key_prefix": "\(prefix)", "reason": "\(reason)", "failures": "\(verdict.failures)"])
        }
        if let wait = verdict.blockedFor {
            throw APIError(
                .tooManyRequests, code: "auth_rate_limited", "too many failed authentications from \(address) with key \(prefix)…; retry in \(wait) s",
                headers: [.retryAfter: String(wait)])
        }
        let detail: String =
            switch refusal {
            case .unknown: "the API key is not valid (unknown)"
            case .revoked: "the API key has been revoked"
            case .expired(let at): "the API key expired at \(at.formatted(.iso8601)); ask an admin for a new one"
            }
        throw APIError(.unauthorized, code: code, detail, headers: [.wwwAuthenticate: "Bearer"])
    }

    /// Forgets cached lookups (after a revocation or rotation on this instance).
    func invalidate() {
        self.cache.removeAll()
    }
}
