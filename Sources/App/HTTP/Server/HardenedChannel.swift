import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Wraps the HTTP/1.1 + WebSocket child channel with the connection defences: `ConnectionGuard` first (caps, first
/// head deadline and sizes), the inner channel's HTTP pipeline, then `FirstRequestGate` right after the HTTP decoder
/// (parse errors and refused upgrades answered in JSON). With TLS, this channel is wrapped in `TLSChannel`, so the
/// guard sees decrypted bytes and its deadline also bounds the handshake.
struct HardenedChannel<Inner: ServerChildChannel>: ServerChildChannel {
    typealias Value = Inner.Value

    let inner: Inner
    let limits: ConnectionLimits
    let counter: ConnectionCounter
    let upgradeCheck: FirstRequestGate.UpgradeCheck

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        do {
            try channel.pipeline.syncOperations.addHandler(ConnectionGuard(counter: self.counter, limits: self.limits))
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return self.inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let decoder = try channel.pipeline.syncOperations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try channel.pipeline.syncOperations.addHandler(FirstRequestGate(check: self.upgradeCheck), position: .after(decoder))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await self.inner.handle(value: value, logger: logger)
    }
}
