import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationEssentialsCompat
import NIOHTTP1

/// The CLI's view of a running server: JSON requests with the admin key from `<data_dir>/admin.key`
/// (or `--api-key` / `STOCKCAST_API_KEY`).
struct ServerClient: Sendable {
    let baseURL: String
    let apiKey: String?

    /// The server at `baseURL` if `/health` answers within a second, else `nil`.
    static func probe(baseURL: String, apiKey: String?) async -> ServerClient? {
        var request = HTTPClientRequest(url: "\(baseURL)/health")
        request.method = .GET
        guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(1)), response.status == .ok else { return nil }
        return ServerClient(baseURL: baseURL, apiKey: apiKey)
    }

    /// Sends a request and decodes the JSON answer; non-2xx answers throw with the server's `detail`.
    func send<T: Decodable>(_ method: HTTPMethod, _ path: String, body: Data? = nil, contentType: String = "application/json", as type: T.Type) async throws -> T {
        var request = HTTPClientRequest(url: "\(self.baseURL)\(path)")
        request.method = method
        if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        let bytes = try await response.body.collect(upTo: 256 << 20)
        let data = Data(buffer: bytes)
        guard (200..<300).contains(response.status.code) else {
            let detail = (try? JSONDecoder().decode(ErrorBody.self, from: data))?.detail ?? String(decoding: data, as: UTF8.self)
            throw CLIError("server answered \(response.status.code): \(detail)")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(T.self, from: data)
    }
}

/// The `detail` of an error answer.
private struct ErrorBody: Decodable {
    let detail: String
}

/// A CLI failure with a message for the terminal.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
