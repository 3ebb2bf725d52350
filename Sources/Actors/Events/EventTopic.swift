/// The five event topics (Kafka topic names, kept from the original where it had them).
public enum EventTopic: String, CaseIterable, Sendable, Codable {
    case predictions = "stock_predictions"
    case metrics = "monitoring_metrics"
    case alerts = "stock_alerts"
    case tasks = "task_events"
    case models = "model_events"
}
