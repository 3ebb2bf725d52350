import Foundation
import Logging

/// An observable log sink: every record a logger made by ``logger(label:)`` emits is published on ``records``,
/// which a test awaits instead of sleeping. Records are also printed when the environment variable `KAFKA_TEST_LOG`
/// names a level (`debug`, `info`, `warning`, ...).
final class LogRecorder: Sendable {
    /// One log record.
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    /// Every record, newest 10,000 kept for a slow reader.
    let records: AsyncStream<Record>
    private let continuation: AsyncStream<Record>.Continuation

    init() {
        (self.records, self.continuation) = AsyncStream.makeStream(
            of: Record.self, bufferingPolicy: .bufferingNewest(10_000))
    }

    /// A logger (level `.debug`) that records into this recorder.
    func logger(label: String) -> Logger {
        var logger = Logger(label: label) { _ in Handler(continuation: self.continuation) }
        logger.logLevel = .debug
        return logger
    }

    private struct Handler: LogHandler {
        let continuation: AsyncStream<Record>.Continuation
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { self.metadata[key] }
            set { self.metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = self.metadata.merging(event.metadata ?? [:]) { $1 }
            let record = Record(
                level: event.level, message: event.message.description,
                metadata: merged.mapValues { $0.description }
            )
            self.continuation.yield(record)
            if let threshold = Environment.printLevel, event.level >= threshold {
                print("[\(event.level)] \(record.message) \(record.metadata)")
            }
        }
    }
}

/// Test-run switches read from the environment.
enum Environment {
    /// `KAFKA_TEST_LOG=<level>`: print the clients' logs from that level up.
    static let printLevel = ProcessInfo.processInfo.environment["KAFKA_TEST_LOG"].flatMap(Logger.Level.init(rawValue:))
}
