import Foundation
import MarketData
import PredictionCore
import Testing

/// Exchange-local date conversion, on small documents whose timestamps fall on a different UTC date.
@Suite struct YahooChartParserTests {
    private func chart(zone: String?, offset: Int?, timestamps: [Int64]) -> [UInt8] {
        var meta: [String] = []
        if let zone { meta.append("\"exchangeTimezoneName\":\"\(zone)\"") }
        if let offset { meta.append("\"gmtoffset\":\(offset)") }
        let ones = "[" + timestamps.map { _ in "1.0" }.joined(separator: ",") + "]"
        let json = """
            {"chart":{"result":[{"meta":{\(meta.joined(separator: ","))},
            "timestamp":[\(timestamps.map(String.init).joined(separator: ","))],
            "indicators":{"quote":[{"open":\(ones),"high":\(ones),"low":\(ones),"close":\(ones),"volume":\(ones)}]}}],
            "error":null}}
            """
        return Array(json.utf8)
    }

    /// Midnight in Taipei is 16:00 UTC the day before; the session is the Taipei date.
    @Test func taipeiMidnightIsTheLocalDateNotTheUTCDate() throws {
        let midnight: Int64 = 1_709_222_400  // 2024-03-01 00:00 +08:00 = 2024-02-29 16:00Z
        let series = try YahooChartParser().parse(bytes: self.chart(zone: "Asia/Taipei", offset: 28_800, timestamps: [midnight]))
        #expect(series.rows.map(\.bar.session) == [day("2024-03-01")])
    }

    /// New York follows DST: 23:30 local is 04:30Z in winter and 03:30Z in summer; the session is the day before
    /// the UTC date in both (a fixed -4 h offset would get the winter one wrong).
    @Test func newYorkLateEveningUsesTheZoneRulesOfThatDate() throws {
        let winter: Int64 = 1_704_169_800  // 2024-01-02 04:30Z = 2024-01-01 23:30 EST
        let summer: Int64 = 1_719_891_000  // 2024-07-02 03:30Z = 2024-07-01 23:30 EDT
        let series = try YahooChartParser().parse(
            bytes: self.chart(zone: "America/New_York", offset: -14_400, timestamps: [winter, summer]))
        #expect(series.rows.map(\.bar.session) == [day("2024-01-01"), day("2024-07-01")])
    }

    @Test func unknownZoneNameFallsBackToTheOffset() throws {
        let midnight: Int64 = 1_709_222_400
        let series = try YahooChartParser().parse(bytes: self.chart(zone: "Nowhere/Atlantis", offset: 28_800, timestamps: [midnight]))
        #expect(series.rows.map(\.bar.session) == [day("2024-03-01")])
    }

    @Test func noZoneAtAllIsMalformed() throws {
        let error = #expect(throws: ProviderError.self) {
            try YahooChartParser().parse(bytes: self.chart(zone: nil, offset: nil, timestamps: [1_709_222_400]))
        }
        #expect(error?.code == .malformed)
    }

    @Test func otherChartErrorsAreMalformed() throws {
        let body = #"{"chart":{"result":null,"error":{"code":"Bad Request","description":"Invalid input - start date cannot be after end date"}}}"#
        let error = #expect(throws: ProviderError.self) { try YahooChartParser().parse(bytes: Array(body.utf8)) }
        #expect(error?.code == .malformed)
        #expect(error?.message.contains("start date") == true)
    }
}
