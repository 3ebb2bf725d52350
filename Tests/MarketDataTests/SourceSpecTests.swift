import MarketData
import Testing

@Suite struct SourceSpecTests {
    @Test(arguments: [
        ("yahoo", SourceSpec.yahoo),
        (" Yahoo ", SourceSpec.yahoo),
        ("STOOQ", SourceSpec.stooq),
        ("csv:/data/goog.csv", SourceSpec.csv(path: "/data/goog.csv")),
        ("csv:relative/dir/file.csv", SourceSpec.csv(path: "relative/dir/file.csv")),
        ("CSV:C:/prices.csv", SourceSpec.csv(path: "C:/prices.csv")),
    ])
    func parsesValidForms(text: String, expected: SourceSpec) throws {
        #expect(try SourceSpec(parsing: text) == expected)
    }

    @Test(arguments: ["", "google", "yahoo2", "csv:", "csv:   ", "file:/x.csv", "stooq:aapl"])
    func rejectsAnythingElseListingTheValidForms(text: String) throws {
        let error = #expect(throws: ProviderError.self) { try SourceSpec(parsing: text) }
        #expect(error?.code == .invalidSource)
        #expect(error?.message.contains("csv:FILE, yahoo, stooq") == true)
    }

    @Test(arguments: [SourceSpec.yahoo, .stooq, .csv(path: "/tmp/a b.csv"), .csv(path: "data/x.csv")])
    func descriptionRoundTrips(spec: SourceSpec) throws {
        #expect(try SourceSpec(parsing: spec.description) == spec)
    }

    @Test func descriptionIsTheCommandLineSyntax() {
        #expect(SourceSpec.csv(path: "/d/f.csv").description == "csv:/d/f.csv")
        #expect(SourceSpec.yahoo.description == "yahoo")
        #expect(SourceSpec.stooq.description == "stooq")
    }
}
