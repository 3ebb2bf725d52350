extension Duration {
    /// The duration in whole milliseconds (rounded down), clamped to `0...Int32.max` as librdkafka's `int timeout_ms`
    /// parameters and `*.ms` properties expect.
    var clampedMilliseconds: Int32 {
        let (seconds, attoseconds) = self.components
        if seconds < 0 || (seconds == 0 && attoseconds < 0) { return 0 }
        if seconds > Int64(Int32.max) / 1_000 { return Int32.max }
        return Int32(clamping: seconds * 1_000 + attoseconds / 1_000_000_000_000_000)
    }
}
