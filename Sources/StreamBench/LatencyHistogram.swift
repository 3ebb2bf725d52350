/// Delivery latencies in microseconds, bucketed like HdrHistogram: exact below 128 µs, then 64 sub-buckets per power
/// of two (at most 1.6 % relative error), up to 2^34 µs (4.8 hours; larger values land in the last bucket). Fixed size:
/// 1,920 `UInt32` counters (7.5 KiB), so one per client costs 7.5 MB for 1,000 clients. Exact count, sum and maximum
/// are kept beside the buckets.
struct LatencyHistogram: Sendable {
    /// Bits of the exact range and sub-bucket resolution (128 exact values, 64 sub-buckets per octave above).
    static let subBucketBits = 7
    /// Largest power of two covered (2^34 µs).
    static let maxExponent = 34
    private static let exact = 1 << subBucketBits
    private static let half = exact / 2
    /// Number of counters.
    static let bucketCount = exact + (maxExponent - subBucketBits + 1) * half

    private var counts: [UInt32]
    /// Values recorded.
    private(set) var count: Int = 0
    /// Sum of the values, µs.
    private(set) var sum: UInt64 = 0
    /// Largest value, µs (exact).
    private(set) var max: UInt64 = 0

    /// An empty histogram.
    init() {
        self.counts = [UInt32](repeating: 0, count: Self.bucketCount)
    }

    /// Records one latency in microseconds.
    mutating func record(microseconds value: UInt64) {
        self.counts[Self.index(of: value)] &+= 1
        self.count += 1
        self.sum &+= value
        if value > self.max { self.max = value }
    }

    /// Adds every value of `other`.
    mutating func merge(_ other: LatencyHistogram) {
        for index in 0..<Self.bucketCount where other.counts[index] > 0 { self.counts[index] &+= other.counts[index] }
        self.count += other.count
        self.sum &+= other.sum
        self.max = Swift.max(self.max, other.max)
    }

    /// The value at quantile `q` (0…1), µs: the upper edge of the bucket holding the nearest-rank value, never above
    /// the exact maximum; 0 when empty.
    func quantile(_ q: Double) -> UInt64 {
        guard self.count > 0 else { return 0 }
        let rank = Swift.max(1, Int((q * Double(self.count)).rounded(.up)))
        var seen = 0
        for index in 0..<Self.bucketCount {
            seen += Int(self.counts[index])
            if seen >= rank { return Swift.min(Self.upperEdge(of: index), self.max) }
        }
        return self.max
    }

    /// Mean, µs; 0 when empty.
    var mean: Double { self.count > 0 ? Double(self.sum) / Double(self.count) : 0 }

    /// The bucket of `value`.
    static func index(of value: UInt64) -> Int {
        guard value >= UInt64(exact) else { return Int(value) }
        let exponent = Swift.min(63 - value.leadingZeroBitCount, maxExponent)
        let shift = exponent - (subBucketBits - 1)
        let top = Swift.min(Int(value >> UInt64(shift)), exact - 1)  // in half..<exact
        return exact + (exponent - subBucketBits) * half + (top - half)
    }

    /// The largest value that lands in bucket `index`.
    static func upperEdge(of index: Int) -> UInt64 {
        guard index >= exact else { return UInt64(index) }
        let offset = index - exact
        let exponent = offset / half + subBucketBits
        let top = half + offset % half
        let shift = exponent - (subBucketBits - 1)
        return (UInt64(top + 1) << UInt64(shift)) - 1
    }
}
