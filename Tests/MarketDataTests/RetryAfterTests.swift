import Foundation
import MarketData
import Testing

@Suite struct RetryAfterTests {
    private let now = Date(timeIntervalSince1970: 1_445_412_450)  // Wed, 21 Oct 2015 07:27:30 GMT

    @Test func readsDeltaSeconds() {
        #expect(RetryAfter.seconds(from: "120", now: self.now) == 120)
        #expect(RetryAfter.seconds(from: " 7 ", now: self.now) == 7)
        #expect(RetryAfter.seconds(from: "0", now: self.now) == 0)
    }

    @Test func readsAnHTTPDate() {
        #expect(RetryAfter.seconds(from: "Wed, 21 Oct 2015 07:28:00 GMT", now: self.now) == 30)
        #expect(RetryAfter.seconds(from: "Wed, 21 Oct 2015 07:00:00 GMT", now: self.now) == 0)
    }

    @Test func clampsHugeValues() {
        #expect(RetryAfter.seconds(from: "99999999999999", now: self.now) == RetryAfter.maxSeconds)
        #expect(RetryAfter.seconds(from: "Fri, 01 Jan 2100 00:00:00 GMT", now: self.now) == RetryAfter.maxSeconds)
    }

    @Test(arguments: [nil, "", "soon", "-5", "1.5", "Wed, 32 Oct 2015 07:28:00 GMT", "21 Oct 2015 07:28:00"])
    func ignoresAnythingElse(header: String?) {
        #expect(RetryAfter.seconds(from: header, now: self.now) == nil)
    }
}
