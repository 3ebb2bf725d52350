import Foundation
import Storage
import Testing

@Suite struct AlertKindTests {
    @Test func builtInKindsHaveTheirNames() {
        let kinds: [AlertKind] = [.returnDrift, .forecastError, .lowCoverage, .staleData, .errorRate, .latency]
        #expect(
            kinds.map(\.rawValue) == ["return_drift", "forecast_error", "low_coverage", "stale_data", "error_rate", "latency"])
        #expect(AlertKind(rawValue: "return_drift") == .returnDrift)
    }

    @Test func onlyLowerSnakeNamesAreKinds() {
        for valid in ["a", "model_age_90d", "x1", "a_", String(repeating: "k", count: AlertKind.maxLength)] {
            #expect(AlertKind(rawValue: valid)?.rawValue == valid, "\(valid)")
        }
        for invalid in ["", "Return_drift", "return-drift", "1st", "_x", "a b", "caf\u{00e9}", String(repeating: "k", count: 65)] {
            #expect(AlertKind(rawValue: invalid) == nil, "\(invalid)")
        }
    }

    @Test func kindsCodeAsTheirNames() throws {
        let data = try JSONEncoder().encode([AlertKind.staleData])
        #expect(String(decoding: data, as: UTF8.self) == #"["stale_data"]"#)
        #expect(try JSONDecoder().decode([AlertKind].self, from: Data(#"["custom_kind"]"#.utf8)).first?.rawValue == "custom_kind")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([AlertKind].self, from: Data(#"["Bad Kind"]"#.utf8)) }
    }
}
