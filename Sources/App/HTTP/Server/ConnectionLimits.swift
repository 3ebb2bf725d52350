import NIOConcurrencyHelpers
import NIOCore

/// What one server accepts from its clients before the HTTP code sees a request: connection caps, the time a client
/// has to send its first request head, and the size of a request line and head. Read from `http.*` (README).
struct ConnectionLimits: Sendable {
    /// `http.max_connections`: open connections at once (WebSockets included). Defaults to `4096`; never more than
    /// half the process's descriptor limit (see `FileDescriptorLimit`), so descriptors remain for the database,
    /// files and Kafka whatever clients do.
    var maxConnections = 4096
    /// `http.max_connections_per_address`: open connections from one client address. Defaults to `1024`; behind a
    /// reverse proxy every client has the proxy's address, so set it to `max_connections` there.
    var maxConnectionsPerAddress = 1024
    /// `http.header_timeout_seconds`: time from accepting a connection to the end of its first request head (a client
    /// that connects and sends nothing, or trickles a head, is closed then). Defaults to `20`.
    var headerTimeout: Duration = .seconds(20)
    /// `http.idle_timeout_seconds`: how long a keep-alive connection may wait between requests. Defaults to `60`.
    var idleTimeout: Duration = .seconds(60)
    /// Longest request line (method, target, version) accepted; 414 beyond. 8 KiB, as nginx's default buffers.
    var maxRequestLineBytes = 8 * 1024
    /// Largest request head (request line and headers); 431 beyond.
    var maxHeaderBytes = 32 * 1024
    /// Most header fields in one request; 431 beyond.
    var maxHeaderCount = 100

    /// The defaults.
    init() {}
}

/// Open connections, in total and per client address, shared by every connection's `ConnectionGuard` (one lock,
/// held for a dictionary update). Holds at most `maxConnections` addresses, since every counted address has an open
/// connection.
final class ConnectionCounter: Sendable {
    /// Why a connection was turned away.
    enum Refusal: Equatable {
        case serverFull
        case addressFull
    }

    private struct Counts {
        var total = 0
        var byAddress: [String: Int] = [:]
    }

    private let counts = NIOLockedValueBox(Counts())
    /// Cap on all connections.
    let maxConnections: Int
    /// Cap per client address.
    let maxPerAddress: Int

    init(maxConnections: Int, maxPerAddress: Int) {
        self.maxConnections = maxConnections
        self.maxPerAddress = maxPerAddress
    }

    /// Counts a new connection from `address`, or says why it must be refused (then nothing is counted).
    func admit(_ address: String) -> Refusal? {
        self.counts.withLockedValue { counts in
            guard counts.total < self.maxConnections else { return .serverFull }
            let current = counts.byAddress[address, default: 0]
            guard current < self.maxPerAddress else { return .addressFull }
            counts.total += 1
            counts.byAddress[address] = current + 1
            return nil
        }
    }

    /// Forgets a connection that `admit` counted.
    func release(_ address: String) {
        self.counts.withLockedValue { counts in
            counts.total -= 1
            let remaining = counts.byAddress[address, default: 1] - 1
            counts.byAddress[address] = remaining > 0 ? remaining : nil
        }
    }

    /// Open connections now (for `/metrics`).
    var open: Int { self.counts.withLockedValue { $0.total } }
}
