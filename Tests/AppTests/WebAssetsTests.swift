import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PredictionCore
import Testing

@testable import App

/// The web UI's static lists that mirror server facts stay in step with the server.
@Suite struct WebAssetsTests {
    static let web = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/App/Resources/Web")

    @Test func featureGroupsHoldExactlyTheCatalog() throws {
        let text = try String(contentsOf: Self.web.appendingPathComponent("js/features.js"), encoding: .utf8)
        let groups = try #require(text.range(of: "FEATURE_GROUPS = [").flatMap { start in
            text[start.upperBound...].range(of: "];").map { text[start.upperBound..<$0.lowerBound] }
        })
        // Feature names are the quoted lower_snake strings inside the groups (group titles contain spaces or capitals).
        let names = groups.matches(of: /'([a-z0-9_]+)'/).map { String($0.1) }
        #expect(Set(names) == Set(FeatureCatalog.validNames), "UI only: \(Set(names).subtracting(FeatureCatalog.validNames)); server only: \(Set(FeatureCatalog.validNames).subtracting(names))")
        #expect(names.count == Set(names).count, "a feature is listed twice")
        let legacy = try #require(text.range(of: "LEGACY_FEATURES = [").flatMap { start in
            text[start.upperBound...].range(of: "];").map { text[start.upperBound..<$0.lowerBound] }
        })
        #expect(Set(legacy.matches(of: /'([A-Za-z0-9_]+)'/).map { String($0.1) }) == Set(FeatureCatalog.originalNames.map(\.name)))
    }
}

@Suite struct StaticCompressionTests {
    @Test func uiFilesAreGzippedForClientsThatAcceptIt() async throws {
        let harness = try AppTestHarness()
        let plain = try Data(contentsOf: WebAssetsTests.web.appendingPathComponent("js/main.js"))
        try await harness.test { client in
            try await client.execute(uri: "/js/main.js", method: .get, headers: [.acceptEncoding: "br;q=1, gzip;q=0.8"]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentEncoding] == "gzip")
                #expect(response.headers[.vary] == "Accept-Encoding")
                let body = Array(response.body.readableBytesView)
                #expect(body.prefix(2) == [0x1f, 0x8b], "gzip magic")
                #expect(body.count < plain.count / 2)
            }
            // Without Accept-Encoding, or refusing gzip: the file as it is.
            for headers: HTTPFields in [[:], [.acceptEncoding: "gzip;q=0"]] {
                try await client.execute(uri: "/js/main.js", method: .get, headers: headers) { response in
                    #expect(response.headers[.contentEncoding] == nil)
                    #expect(Data(response.body.readableBytesView) == plain)
                }
            }
            // API responses are never compressed here.
            try await client.execute(uri: "/api/ui/config", method: .get, headers: [.acceptEncoding: "gzip"]) { response in
                #expect(response.headers[.contentEncoding] == nil)
            }
        }
    }
}
