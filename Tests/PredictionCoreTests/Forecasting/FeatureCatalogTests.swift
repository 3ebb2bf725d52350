import PredictionCore
import Testing

@Suite struct FeatureCatalogTests {
    @Test func originalNamesMapToScaleFreeFeatures() throws {
        let original = [
            "Open", "High", "Low", "Close", "Volume", "MA5", "MA10", "EMA12", "EMA26", "MACD", "MACD_signal",
            "MACD_hist", "BB_upper", "BB_middle", "BB_lower", "VOL_MA10", "RSI",
        ]
        let resolved = try FeatureCatalog.resolve(original)
        #expect(
            resolved == [
                .openToClose, .highToClose, .lowToClose, .returnLag1, .volumeZScore20, .closeToSMA5, .closeToSMA10,
                .closeToEMA12, .closeToEMA26, .macdNorm, .macdSignalNorm, .macdHistNorm, .closeToBBUpper, .closeToSMA20,
                .closeToBBLower, .volumeToMA10, .rsi14,
            ]
        )
    }

    @Test func ourNamesAreSnakeCaseAndResolveToThemselves() throws {
        #expect(FeatureCatalog.validNames.count == FeatureName.allCases.count)
        for name in FeatureCatalog.validNames {
            #expect(name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" }, "\(name)")
            #expect(try FeatureCatalog.resolve([name]).map(\.rawValue) == [name])
        }
    }

    @Test func duplicatesAreRemovedKeepingTheFirstOccurrenceAlsoAfterMapping() throws {
        let resolved = try FeatureCatalog.resolve(["MA5", "Close", "return_lag_1", "close_to_sma5", "ma5", " RSI ", "rsi14"])
        #expect(resolved == [.closeToSMA5, .returnLag1, .rsi14])
    }

    @Test func anEmptyListIsTheDocumentedDefaultSet() throws {
        let resolved = try FeatureCatalog.resolve([])
        #expect(resolved == FeatureCatalog.defaultFeatures)
        #expect(resolved.count == 19)
        #expect(Set(resolved).count == resolved.count)
        #expect(resolved.contains(.dayOfWeek) && resolved.contains(.volumeZScore20) && resolved.contains(.returnLag20))
    }

    @Test func unknownNamesAreRejectedListingEveryValidName() {
        #expect {
            try FeatureCatalog.resolve(["MA5", "MA50", "sentiment"])
        } throws: { error in
            guard let error = error as? ForecastError, error.code == .unknownFeature else { return false }
            let listed = FeatureCatalog.acceptedNames.allSatisfy { error.message.contains($0) }
            return error.message.contains("\"MA50\"") && error.message.contains("\"sentiment\"") && listed
        }
        #expect(FeatureCatalog.acceptedNames.contains("VOL_MA10") && FeatureCatalog.acceptedNames.contains("day_of_week"))
    }
}
