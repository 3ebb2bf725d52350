import Metrics
import PredictionCore
import Storage

/// Creates every counter and gauge whose label values are known at start, at zero, so each metric of
/// docs/STREAMS.md has a series from the first scrape (a dashboard never says "no data" because nothing happened yet).
public enum MetricCatalog {
    public static func registerKnownSeries() {
        for type in ModelType.allCases.map(\.rawValue) + ["unknown"] {
            for outcome in ["success", "failure"] {
                Counter(label: "predictions_total", dimensions: [("model_type", type), ("outcome", outcome)]).increment(by: 0)
            }
        }
        for kind in TaskKind.allCases {
            for outcome in ["completed", "failed", "cancelled", "interrupted"] {
                Counter(label: "training_tasks_total", dimensions: [("kind", kind.rawValue), ("outcome", outcome)]).increment(by: 0)
            }
        }
        for outcome in ["completed", "failed", "interrupted"] {
            Counter(label: "etl_runs_total", dimensions: [("outcome", outcome)]).increment(by: 0)
        }
        for action in ["inserted", "updated", "rejected", "flagged"] {
            Counter(label: "etl_rows_total", dimensions: [("action", action)]).increment(by: 0)
        }
        for kind in AlertKind.known {
            Counter(label: "alerts_raised_total", dimensions: [("kind", kind.rawValue)]).increment(by: 0)
            Gauge(label: "alerts_active", dimensions: [("kind", kind.rawValue)]).record(0)
        }
        // event_bus_events_total and event_bus_dropped_total: made by InProcessEventBus itself.
        for topic in EventTopic.allCases {
            Counter(label: "kafka_messages_produced_total", dimensions: [("topic", topic.rawValue)]).increment(by: 0)
            Gauge(label: "kafka_consumer_lag", dimensions: [("topic", topic.rawValue)]).record(0)
        }
        Counter(label: "kafka_produce_errors_total").increment(by: 0)
        Gauge(label: "kafka_connected").record(0)
        Gauge(label: "task_queue_depth").record(0)
        Gauge(label: "tasks_running").record(0)
    }
}
