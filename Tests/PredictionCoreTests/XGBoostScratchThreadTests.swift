import Foundation
@testable import PredictionCore
import Testing

@Suite struct XGBoostScratchThreadTests {
    @Test func runsTheWorkOnAnotherThreadAndReturnsItsResult() {
        let caller = pthread_self()
        var ranElsewhere = false
        let value = XGBoostScratchThread.run { () -> Int in
            ranElsewhere = pthread_equal(pthread_self(), caller) == 0
            return 42
        }
        #expect(value == 42)
        #expect(ranElsewhere)
    }

    @Test func errorsComeBackAsResults() {
        let result = XGBoostScratchThread.run { Result<Int, any Error> { throw XGBoostError(.libraryFailure, "boom") } }
        #expect(throws: XGBoostError(.libraryFailure, "boom")) { try result.get() }
    }
}
