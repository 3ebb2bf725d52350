import Foundation
import PredictionCore
import Testing

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
