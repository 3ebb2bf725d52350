import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// Serves the web UI's text files (HTML, CSS, JavaScript, JSON, SVG) gzip-compressed to clients that accept it. Each
/// file is compressed once per ETag and kept (at most `maxEntries` files of at most `maxFileBytes` each; a larger
/// file goes out uncompressed). Sits just outside `FileMiddleware`, so API responses are never touched.
struct StaticCompressionMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Files kept compressed.
    static var maxEntries: Int { 256 }
    /// Largest file compressed.
    static var maxFileBytes: Int { 4 << 20 }

    private let cache = GzipCache()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        guard request.method == .get, response.status == .ok, context.endpointPath == nil || context.endpointPath == "FileMiddleware",
            response.headers[.contentEncoding] == nil, let etag = response.headers[.eTag],
            let type = response.headers[.contentType], Self.isText(type), Self.acceptsGzip(request.headers[.acceptEncoding]),
            let length = response.body.contentLength, length <= Self.maxFileBytes
        else { return response }
        let key = "\(request.uri.path) \(etag)"
        var compressed = self.cache.files.withLock { $0[key] }
        if compressed == nil {
            let collector = BodyCollector()
            try await response.body.write(collector)
            guard let gzipped = Gzip.compress(collector.buffer), gzipped.readableBytes < collector.buffer.readableBytes else {
                var plain = response
                plain.body = .init(byteBuffer: collector.buffer)
                return plain
            }
            compressed = gzipped
            self.cache.files.withLock { cache in
                if cache.count >= Self.maxEntries { cache.removeAll(keepingCapacity: true) }
                cache[key] = gzipped
            }
        }
        var headers = response.headers
        headers[.contentEncoding] = "gzip"
        headers[.contentLength] = String(compressed!.readableBytes)
        headers[.vary] = "Accept-Encoding"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: compressed!))
    }

    static func isText(_ contentType: String) -> Bool {
        let type = contentType.lowercased()
        return type.hasPrefix("text/") || type.contains("javascript") || type.contains("json") || type.contains("svg")
    }

    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        return header.split(separator: ",").contains { part in
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.first?.lowercased() == "gzip" else { return false }
            return !fields.dropFirst().contains { $0.replacingOccurrences(of: " ", with: "") == "q=0" }
        }
    }
}

/// Compressed files by path and ETag.
final class GzipCache: Sendable {
    let files = Mutex<[String: ByteBuffer]>([:])
}

/// Collects a response body (the file FileMiddleware read) into one buffer.
final class BodyCollector: ResponseBodyWriter {
    var buffer = ByteBuffer()

    func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        self.buffer.writeBuffer(&buffer)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
