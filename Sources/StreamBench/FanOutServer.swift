import Actors
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle

/// The server side of the benchmark: the real `InProcessEventBus` and `WebSocketBroadcaster` behind a Hummingbird
/// server on 127.0.0.1:0 with the App's WebSocket settings (maximum frame 64 KiB, pings every `websocket.ping_seconds`)
/// and `ConnectionPump` on `/ws/{channel}`.
struct FanOutServer {
    /// The bus the publisher publishes on.
    let bus: InProcessEventBus
    /// The broadcaster (a service of `group`).
    let broadcaster: WebSocketBroadcaster
    /// Server-side pump totals.
    let counters: PumpCounters
    /// The broadcaster then the HTTP server; shut down in reverse order.
    let group: ServiceGroup
    /// The listening port, known once the server runs.
    let port: OneShot<Int>

    /// Builds the parts; nothing runs until `group.run()`.
    init(options: BenchOptions, logger: Logger) {
        self.bus = InProcessEventBus()
        var configuration = WebSocketBroadcaster.Configuration()
        configuration.clientBuffer = options.buffer
        self.broadcaster = WebSocketBroadcaster(bus: self.bus, instance: "bench", configuration: configuration, logger: logger)
        self.counters = PumpCounters()
        let port = OneShot<Int>()
        self.port = port
        let streams = Router(context: PumpRequestContext.self)
        ConnectionPump(broadcaster: self.broadcaster, counters: self.counters, barrierFrames: options.barrierFrames).addRoutes(to: streams)
        let ping: AutoPingSetup = options.pingSeconds > 0 ? .enabled(timePeriod: .seconds(options.pingSeconds)) : .disabled
        let app = Application(
            router: Router(),
            server: .http1WebSocketUpgrade(webSocketRouter: streams, configuration: .init(ws: .init(maxFrameSize: 1 << 16, autoPing: ping))),
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "streambench", backlog: 1024),
            onServerRunning: { channel in port.fulfil(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        self.group = ServiceGroup(
            configuration: .init(services: [self.broadcaster, app], logger: logger)
        )
    }
}
