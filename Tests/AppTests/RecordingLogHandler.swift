import Logging
import Synchronization

/// A log handler that keeps every record (message and metadata as text), for tests that read what was logged.
final class LogRecords: Sendable {
    private let lines = Mutex<[String]>([])

    /// A logger writing here (at `trace`, so nothing is filtered).
    func logger(label: String = "test") -> Logger {
        Logger(label: label) { _ in Handler(records: self) }
    }

    /// Every record as one line: level, message, then `key=value` metadata sorted by key.
    var all: [String] { self.lines.withLock { $0 } }

    fileprivate func append(_ line: String) {
        self.lines.withLock { $0.append(line) }
    }

    private struct Handler: LogHandler {
        let records: LogRecords
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { self.metadata[key] }
            set { self.metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = self.metadata.merging(event.metadata ?? [:]) { _, new in new }
            let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            self.records.append("\(event.level) \(event.message) \(fields)")
        }
    }
}
