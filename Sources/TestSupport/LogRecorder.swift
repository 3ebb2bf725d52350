import Foundation
import Logging
import Synchronization

/// An observable log sink for tests: every record of a logger made by ``logger(label:level:)`` is published on
/// ``records`` (which a test awaits instead of sleeping) and kept for ``all`` (which a test reads afterwards). Both
/// keep the newest 10,000 records. Records are also printed when the environment variable `STOCKCAST_TEST_LOG` names
/// a level (`debug`, `info`, `warning`, ...).
public final class LogRecorder: Sendable {
    /// One log record.
    public struct Record: Sendable {
        public var level: Logger.Level
        public var message: String
        public var metadata: [String: String]

        /// Level, message, then `key=value` metadata sorted by key.
        public var line: String {
            let fields = self.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            return "\(self.level) \(self.message) \(fields)"
        }
    }

    /// Most records kept by `records` and `all`.
    public static let capacity = 10_000
    /// Every record as it is logged.
    public let records: AsyncStream<Record>
    private let continuation: AsyncStream<Record>.Continuation
    private let kept = Mutex<[Record]>([])

    public init() {
        (self.records, self.continuation) = AsyncStream.makeStream(of: Record.self, bufferingPolicy: .bufferingNewest(Self.capacity))
    }

    /// A logger that records here from `level` up (default `trace`: nothing is filtered).
    public func logger(label: String = "test", level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: label) { _ in Handler(recorder: self) }
        logger.logLevel = level
        return logger
    }

    /// Every record kept so far, as lines (see `Record.line`).
    public var all: [String] { self.kept.withLock { $0.map(\.line) } }

    fileprivate func record(_ record: Record) {
        self.kept.withLock { kept in
            if kept.count == Self.capacity { kept.removeFirst() }
            kept.append(record)
        }
        self.continuation.yield(record)
        if let threshold = Self.printLevel, record.level >= threshold { print(record.line) }
    }

    /// `STOCKCAST_TEST_LOG=<level>`: print records from that level up.
    private static let printLevel = ProcessInfo.processInfo.environment["STOCKCAST_TEST_LOG"].flatMap(Logger.Level.init(rawValue:))

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { self.metadata[key] }
            set { self.metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = self.metadata.merging(event.metadata ?? [:]) { _, new in new }
            self.recorder.record(Record(level: event.level, message: event.message.description, metadata: merged.mapValues(\.description)))
        }
    }
}
