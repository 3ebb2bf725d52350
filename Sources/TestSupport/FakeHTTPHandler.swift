import Foundation
import NIOCore
import NIOHTTP1

/// The per-connection handler of `FakeHTTPServer`: collects a request, records it, writes the canned response.
/// Runs on the connection's event loop only.
final class FakeHTTPHandler: ChannelInboundHandler {
    /// Decoded request parts from `configureHTTPServerPipeline`.
    typealias InboundIn = HTTPServerRequestPart
    /// Response parts for the HTTP encoder.
    typealias OutboundOut = HTTPServerResponsePart

    private let server: FakeHTTPServer
    private var head: HTTPRequestHead?

    /// Creates the handler for one connection of `server`.
    init(server: FakeHTTPServer) {
        self.server = server
    }

    /// Collects the request head; on the end of the request, records it and answers.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head = self.head else { return }
            self.head = nil
            let response = self.server.respond(to: Self.record(head))
            self.write(response, keepAlive: head.isKeepAlive, context: context)
        }
    }

    private func write(_ response: FakeHTTPServer.CannedResponse, keepAlive: Bool, context: ChannelHandlerContext) {
        if response.delivery == .noResponse { return }
        var headers = HTTPHeaders(response.headers.map { ($0.name, $0.value) })
        if !headers.contains(name: "Content-Length") {
            headers.add(name: "Content-Length", value: String(response.body.count))
        }
        let sentBytes: Int
        switch response.delivery {
        case .truncated(let afterBytes):
            sentBytes = max(0, min(afterBytes, response.body.count))
            headers.replaceOrAdd(name: "Connection", value: "close")
        case .stalled(let afterBytes):
            sentBytes = max(0, min(afterBytes, response.body.count))
        case .complete, .noResponse:
            sentBytes = response.body.count
        }
        let head = HTTPResponseHead(
            version: .http1_1, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(self.wrapOutboundOut(.head(head)), promise: nil)
        if sentBytes > 0 {
            let buffer = context.channel.allocator.buffer(bytes: response.body[0..<sentBytes])
            context.write(self.wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let channel = context.channel
        switch response.delivery {
        case .truncated:
            // Flush what we have and hang up without the end of the message.
            context.flush()
            channel.close(promise: nil)
        case .stalled:
            context.flush()
        case .complete, .noResponse:
            context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in
                if !keepAlive { channel.close(promise: nil) }
            }
        }
    }

    private static func record(_ head: HTTPRequestHead) -> FakeHTTPServer.RecordedRequest {
        let uri = head.uri
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let rawPath = parts.first.map(String.init) ?? uri
        var query: [String: String] = [:]
        if parts.count == 2 {
            for item in parts[1].split(separator: "&") {
                let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(pair[0]).removingPercentEncoding ?? String(pair[0])
                let value = pair.count == 2 ? (String(pair[1]).removingPercentEncoding ?? String(pair[1])) : ""
                query[name] = value
            }
        }
        var headers: [String: String] = [:]
        for (name, value) in head.headers { headers[name.lowercased()] = value }
        return FakeHTTPServer.RecordedRequest(
            method: head.method.rawValue, uri: uri, path: rawPath.removingPercentEncoding ?? rawPath, query: query,
            headers: headers)
    }
}
