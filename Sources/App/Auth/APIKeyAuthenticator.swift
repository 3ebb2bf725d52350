import Foundation
import Storage

/// Resolves presented API keys to stored records, with a short-lived cache so a busy client does not cost a query
/// per request (at most `maxCached` entries, each trusted for `cacheTTL`; revocation takes effect within that time
/// on other instances and at once on this one).
actor APIKeyAuthenticator {
    private struct Cached {
        let record: APIKeyRecord?
        let at: ContinuousClock.Instant
    }

    private let store: any APIKeyStore
    private let cacheTTL: Duration
    private let maxCached: Int
    private var cache: [String: Cached] = [:]
    private var lastTouched: [Int64: ContinuousClock.Instant] = [:]

    init(store: any APIKeyStore, cacheTTL: Duration = .seconds(10), maxCached: Int = 1024) {
        self.store = store
        self.cacheTTL = cacheTTL
        self.maxCached = maxCached
    }

    /// The unrevoked key matching `presented`, or `nil`.
    func authenticate(_ presented: String) async throws -> APIKeyRecord? {
        let hash = APIKeySecret.hash(of: presented)
        let now = ContinuousClock.now
        if let cached = self.cache[hash], now - cached.at < self.cacheTTL {
            return cached.record
        }
        let record = try await self.store.apiKey(hash: hash)
        if self.cache.count >= self.maxCached { self.cache.removeAll(keepingCapacity: true) }
        self.cache[hash] = Cached(record: record, at: now)
        if let record, self.lastTouched[record.id].map({ now - $0 > .seconds(60) }) ?? true {
            self.lastTouched[record.id] = now
            try? await self.store.touchAPIKey(id: record.id)
        }
        return record
    }

    /// Forgets cached lookups (after a revocation on this instance).
    func invalidate() {
        self.cache.removeAll()
    }
}
