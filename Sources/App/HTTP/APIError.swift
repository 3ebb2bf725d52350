import Foundation
import Hummingbird
import NIOCore
import NIOFoundationEssentialsCompat

/// An error that reaches an HTTP client as `{"detail": "...", "code": "..."}` with a 4xx/5xx status.
/// `detail` is written for the person reading it; `code` is stable for programs.
struct APIError: Error, HTTPResponseError, CustomStringConvertible {
    let status: HTTPResponse.Status
    let code: String
    let detail: String
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, code: String, _ detail: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers
    }

    var description: String { "\(self.status.code) \(self.code): \(self.detail)" }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Self.jsonResponse(status: self.status, code: self.code, detail: self.detail, headers: self.headers)
    }

    /// Builds the JSON error response (shared with the error middleware for framework errors).
    static func jsonResponse(status: HTTPResponse.Status, code: String, detail: String, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: Self.jsonBody(code: code, detail: detail))))
    }

    /// The error body `{"detail": ..., "code": ...}` as bytes (also written below the HTTP codec by the connection
    /// handlers).
    static func jsonBody(code: String, detail: String) -> [UInt8] {
        struct Body: Encodable {
            let detail: String
            let code: String
        }
        let data = (try? JSONEncoder().encode(Body(detail: detail, code: code))) ?? Data(#"{"detail":"error","code":"error"}"#.utf8)
        return Array(data)
    }

    // MARK: Common errors

    static func badRequest(_ detail: String, code: String = "bad_request") -> APIError { .init(.badRequest, code: code, detail) }
    static func unprocessable(_ detail: String, code: String = "validation_error") -> APIError { .init(.unprocessableContent, code: code, detail) }
    static func notFound(_ detail: String, code: String = "not_found") -> APIError { .init(.notFound, code: code, detail) }
    static func conflict(_ detail: String, code: String = "conflict") -> APIError { .init(.conflict, code: code, detail) }
}
