import CoreMetrics
import Prometheus

/// The process's one Prometheus registry. swift-metrics is bootstrapped with it once per process (a second bootstrap
/// would trap), before any component creates its counters; `GET /metrics` renders it.
enum PrometheusExporter {
    /// Every metric of this process.
    static let registry = PrometheusCollectorRegistry()

    private static let bootstrapOnce: Void = {
        var factory = PrometheusMetricsFactory(registry: registry)
        // Predictions take microseconds and HTTP requests milliseconds: buckets from 100 µs to 30 s.
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30),
        ]
        // Training and forecast tasks take seconds to minutes.
        factory.durationHistogramBuckets["training_task_duration_seconds"] = [
            .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
            .seconds(120), .seconds(300), .seconds(600), .seconds(1800),
        ]
        MetricsSystem.bootstrap(factory)
    }()

    /// Bootstraps swift-metrics with the registry (idempotent).
    static func bootstrap() {
        _ = Self.bootstrapOnce
    }

    /// The exposition text.
    static func render() -> [UInt8] {
        Self.registry.emitToBuffer()
    }
}
