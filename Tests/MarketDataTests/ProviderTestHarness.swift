import AsyncHTTPClient
import MarketData
import PredictionCore
import TestSupport

/// Starts a `FakeHTTPServer` and a fresh `HTTPClient`, runs `body`, and shuts both down even when it throws.
func withServerAndClient<Result>(
    _ body: (FakeHTTPServer, HTTPClient) async throws -> Result
) async throws -> Result {
    let client = HTTPClient()
    do {
        let result = try await FakeHTTPServer.withRunning { server in try await body(server, client) }
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}

/// A ticker on an exchange; traps on invalid test input.
func instrument(_ ticker: String, _ exchange: String) -> InstrumentKey {
    InstrumentKey(ticker: TickerSymbol(ticker)!, exchange: ExchangeCode(exchange)!)
}

/// A date from `YYYY-MM-DD`; traps on invalid test input.
func day(_ text: String) -> SessionDate {
    SessionDate(text)!
}

/// The bytes of a provider fixture (`Sources/TestSupport/Fixtures/providers/NAME`).
func providerFixture(_ name: String) throws -> String {
    try Fixtures.text("providers/\(name)")
}
