/// The command line of `StreamBench`: `--name value` pairs, each optional.
struct BenchOptions: Sendable {
    /// WebSocket clients in all, stalled ones included (`--clients`).
    var clients = 1000
    /// Clients that never read until the end of the run (`--stalled`).
    var stalled = 10
    /// Events published per second (`--rate`).
    var rate = 1000
    /// Seconds of publishing (`--seconds`).
    var seconds = 20
    /// Frames each client's outbox holds before it drops its oldest (`--buffer`, `websocket.client_buffer`).
    var buffer = 256
    /// Server ping period in seconds, 0 = no pings (`--ping-seconds`, `websocket.ping_seconds`).
    var pingSeconds = 30
    /// Clients connecting at once while the harness opens connections (`--connect-batch`).
    var connectBatch = 50
    /// Seconds the clients get after the last event before the run is declared incomplete (`--drain-timeout`).
    var drainTimeout = 120
    /// Peak RSS in MiB at which publishing stops early (`--max-rss-mb`): queues that are not bounded (event-loop task
    /// queues, see BENCHMARKS.md) grow when the machine cannot keep up, and the run must not take the machine with it.
    var maxResidentMiB = 4096
    /// When the pump's writer waits for the event loop (`--barrier`): n = after a batch once n frames were written
    /// since the last wait (32, as StreamRoutes does, is the default); 1 = after every batch (StreamRoutes at commit
    /// f4cd89c); 0 = never, as before that commit.
    var barrierFrames = 32
    /// Where the JSON result goes (`--out`); none = standard output only.
    var out: String?
    /// A name for this configuration, copied into the JSON (`--label`).
    var label = "fanout"

    /// Parses `arguments` (without the program name).
    ///
    /// - Throws: `BenchError` `.usage` on an unknown option, a missing value, a value out of range, or more stalled
    ///   clients than clients.
    init(arguments: [String]) throws {
        var index = 0
        var seen: Set<String> = []
        while index < arguments.count {
            let argument = arguments[index]
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw BenchError(.usage, "expected an option --name, got \"\(argument)\"")
            }
            guard index + 1 < arguments.count else { throw BenchError(.usage, "option \(argument) needs a value") }
            let name = String(argument.dropFirst(2))
            let value = arguments[index + 1]
            guard seen.insert(name).inserted else { throw BenchError(.usage, "option \(argument) is given twice") }
            switch name {
            case "clients": self.clients = try Self.integer(name, value, in: 1...20_000)
            case "stalled": self.stalled = try Self.integer(name, value, in: 0...20_000)
            case "rate": self.rate = try Self.integer(name, value, in: 1...100_000)
            case "seconds": self.seconds = try Self.integer(name, value, in: 1...3600)
            case "buffer": self.buffer = try Self.integer(name, value, in: 1...1_000_000)
            case "ping-seconds": self.pingSeconds = try Self.integer(name, value, in: 0...3600)
            case "connect-batch": self.connectBatch = try Self.integer(name, value, in: 1...10_000)
            case "drain-timeout": self.drainTimeout = try Self.integer(name, value, in: 1...3600)
            case "max-rss-mb": self.maxResidentMiB = try Self.integer(name, value, in: 64...1_048_576)
            case "barrier": self.barrierFrames = try Self.integer(name, value, in: 0...1_000_000)
            case "out": self.out = value
            case "label": self.label = value
            default: throw BenchError(.usage, "unknown option \(argument)")
            }
            index += 2
        }
        guard self.stalled < self.clients else {
            throw BenchError(.usage, "--stalled (\(self.stalled)) must be smaller than --clients (\(self.clients))")
        }
    }

    /// Events the publisher sends (rate × seconds).
    var events: Int { self.rate * self.seconds }

    private static func integer(_ name: String, _ text: String, in range: ClosedRange<Int>) throws -> Int {
        guard let value = Int(text), range.contains(value) else {
            throw BenchError(.usage, "--\(name) must be an integer in \(range.lowerBound)…\(range.upperBound), got \"\(text)\"")
        }
        return value
    }

    /// Usage text.
    static let usage = """
        usage: StreamBench [--clients N] [--stalled S] [--rate E] [--seconds D] [--buffer B] [--ping-seconds P]
                           [--connect-batch K] [--drain-timeout T] [--max-rss-mb M] [--barrier F]
                           [--out FILE.json] [--label NAME]
        Starts a WebSocket server on 127.0.0.1:0 with the real InProcessEventBus and WebSocketBroadcaster, connects N
        clients to /ws/predictions (S of them never read until the end), publishes E prediction events per second for
        D seconds and reports delivery latency, delivered and dropped frames, CPU and peak RSS. Publishing stops early
        when the peak RSS passes M MiB (the run is then reported as stopped early). The writer waits for the event loop
        after every batch (F 1, StreamRoutes), never (F 0, the pump before commit f4cd89c) or after a batch once F frames
        were written since its last wait.
        Defaults: N 1000, S 10, E 1000, D 20, B 256 (websocket.client_buffer), P 30 (websocket.ping_seconds),
        K 50, T 120, M 4096.
        """
}
