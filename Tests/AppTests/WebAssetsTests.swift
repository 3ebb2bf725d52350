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

    /// The form's placeholders are the defaults the server applies to a field left empty, per model type (one set of
    /// defaults for API, CLI and UI), and each input's range is the one the registration accepts.
    @Test func hyperParameterDefaultsAndRangesAreTheServers() throws {
        let text = try String(contentsOf: Self.web.appendingPathComponent("js/features.js"), encoding: .utf8)
        let table = try #require(text.range(of: "HYPER_PARAMETERS = {").map { text[$0.upperBound...] })
        func rows(_ section: String) throws -> [(name: String, value: String, max: Double?)] {
            let body = try #require(table.range(of: "  \(section): [").flatMap { start in
                table[start.upperBound...].range(of: "],\n").map { table[start.upperBound..<$0.lowerBound] }
            }, "section \(section)")
            return body.matches(of: /\['([a-z_]+)', '[^']*', ('[^']*'|[0-9.]+),(?: \{[^}]*max: ([0-9.]+))?/).map {
                (String($0.1), String($0.2).trimmingCharacters(in: CharacterSet(charactersIn: "'")), $0.3.flatMap { Double($0) })
            }
        }
        let maxima = ["n_estimators": 2000.0, "max_depth": 16, "learning_rate": 1, "subsample": 1, "colsample_bynode": 1, "max_horizon": 30, "refit_every": 500]
        for type in ModelType.allCases {
            let defaults = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(HyperParameters(for: type))) as? [String: Any])
            let shown = try rows("common") + rows(type.rawValue)
            #expect(!shown.isEmpty)
            for row in shown {
                if let list = defaults[row.name] as? [Double] {
                    #expect(row.value.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) } == list, "\(type) \(row.name)")
                } else {
                    #expect(Double(row.value) == (defaults[row.name] as? NSNumber)?.doubleValue, "\(type) \(row.name): UI \(row.value), server \(defaults[row.name] ?? "none")")
                }
                if let max = row.max, let limit = maxima[row.name] { #expect(max == limit, "\(row.name) max") }
            }
        }
        // The limits above are the registration's: one past each is refused.
        for (name, limit) in maxima {
            var overrides = HyperParameterOverrides()
            switch name {
            case "n_estimators": overrides.nEstimators = Int(limit) + 1
            case "max_depth": overrides.maxDepth = Int(limit) + 1
            case "max_horizon": overrides.maxHorizon = Int(limit) + 1
            case "refit_every": overrides.refitEvery = Int(limit) + 1
            case "learning_rate": overrides.learningRate = limit + 0.01
            case "subsample": overrides.subsample = limit + 0.01
            default: overrides.colsampleByNode = limit + 0.01
            }
            #expect(throws: APIError.self, "\(name) above \(limit)") { try ModelController.validate(overrides.applied(to: HyperParameters())) }
        }
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
