import MarketData

/// Turns a source (`csv:FILE`, `yahoo`, `stooq`) into the provider that fetches it. The App binds this to the real
/// providers (with their HTTP client and rate limits); tests bind it to providers of their own.
public protocol ProviderCatalog: Sendable {
    /// The provider for `source`; throws `ProviderError` (`.invalidSource`) when it cannot be served.
    func provider(for source: SourceSpec) throws -> any MarketDataProvider
}
