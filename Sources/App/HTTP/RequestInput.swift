import Foundation
import Hummingbird
import NIOCore
import NIOFoundationEssentialsCompat
import PredictionCore

/// Reading and validating request input: every malformed value becomes a 400/413/422 `APIError` that names the
/// parameter, never a 500.
enum RequestInput {
    /// Collects at most `maxBytes` of the body (413 beyond) and decodes JSON (422 naming the field on mismatch).
    static func decodeJSON<T: Decodable>(_ type: T.Type, from request: Request, maxBytes: Int) async throws -> T {
        var request = request
        let buffer = try await self.collect(&request, maxBytes: maxBytes)
        guard buffer.readableBytes > 0 else { throw APIError.unprocessable("the request needs a JSON body", code: "missing_body") }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let data = Data(buffer: buffer)
        do {
            return try decoder.decode(T.self, from: data)
        } catch let error as DecodingError {
            throw APIError.unprocessable(Self.describe(error, body: data))
        } catch {
            throw APIError.unprocessable(Self.describe(nil, body: data))
        }
    }

    /// What a JSON document is at its top level (`an object`, `a number`, …), or `nil` when it is not JSON.
    static func jsonKind(of data: Data) -> String? {
        switch try? JSONDecoder().decode(JSONValue.self, from: data) {
        case .none: nil
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "true or false"
        case .null: "null"
        }
    }

    /// Collects at most `maxBytes` of the body; 413 beyond.
    static func collect(_ request: inout Request, maxBytes: Int) async throws -> ByteBuffer {
        do {
            return try await request.collectBody(upTo: maxBytes)
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, code: "body_too_large", "the request body is larger than \(maxBytes) bytes")
        }
    }

    /// Human-readable decoding failure with the JSON path of the offending field; at the top level it says what the
    /// body is (valid JSON of the wrong kind is not "invalid JSON").
    static func describe(_ error: DecodingError?, body: Data) -> String {
        let topLevel: Bool
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): topLevel = context.codingPath.isEmpty
        case .keyNotFound, .none: topLevel = error == nil
        @unknown default: topLevel = false
        }
        if topLevel {
            guard let kind = Self.jsonKind(of: body) else { return "the body is not valid JSON" }
            if case .typeMismatch(let type, _) = error { return "the body must be \(Self.typeName(type)), got \(kind)" }
            if case .valueNotFound(let type, _) = error { return "the body must be \(Self.typeName(type)), got \(kind)" }
            return "the body (\(kind)) does not match the expected shape"
        }
        return Self.describe(error!)
    }

    /// Human-readable decoding failure with the JSON path of the offending field.
    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            let text = codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.isEmpty ? "the body" : String(text.drop(while: { $0 == "." }))
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field \(path(context.codingPath + [key]))"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)) must be \(Self.typeName(type))"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)) must be \(Self.typeName(type)), got null"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "the body is not valid JSON" }
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "the body does not match the expected shape"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default:
            // A keyed container is decoded as a Dictionary (itself a Collection): that is a JSON object.
            if String(describing: type).hasPrefix("Dictionary") { "a JSON object" } else if type is any Collection.Type { "an array" } else { "a JSON object" }
        }
    }

    // MARK: Path parameters

    /// The `{ticker}` path parameter, validated.
    static func ticker(_ context: some RequestContext, name: String = "ticker") throws -> TickerSymbol {
        let raw = context.parameters.get(name) ?? ""
        let text = raw.removingPercentEncoding ?? raw
        guard let ticker = TickerSymbol(text) else {
            throw APIError.badRequest(
                "\"\(text)\" is not a ticker symbol (1-20 characters of A-Z 0-9 . - ^ = _)", code: "invalid_ticker"
            )
        }
        return ticker
    }

    /// An integer id path parameter.
    static func id(_ context: some RequestContext, name: String = "id") throws -> Int64 {
        let raw = context.parameters.get(name) ?? ""
        guard let id = Int64(raw), id > 0 else { throw APIError.badRequest("\(name) must be a positive integer, got \"\(raw)\"", code: "invalid_id") }
        return id
    }

    // MARK: Query parameters

    /// An optional query parameter as text (percent-decoded by the URI parser). Present but empty (`?limit=`) is
    /// returned as `""`, which every validating caller refuses with a 400: an empty value is a client mistake, not
    /// "use the default".
    static func query(_ request: Request, _ name: String) -> String? {
        request.uri.queryParameters.get(name)
    }

    /// `limit`: default when absent, 400 when not an integer in `1...max`.
    static func limit(_ request: Request, default defaultValue: Int, max: Int) throws -> Int {
        guard let text = self.query(request, "limit") else { return defaultValue }
        guard let value = Int(text), (1...max).contains(value) else {
            throw APIError.badRequest("limit must be an integer from 1 to \(max), got \"\(text)\"", code: "invalid_limit")
        }
        return value
    }

    /// `ticker` as a query parameter (a filter), 400 when it is not a ticker symbol.
    static func tickerFilter(_ request: Request) throws -> TickerSymbol? {
        guard let text = self.query(request, "ticker") else { return nil }
        guard let ticker = TickerSymbol(text) else { throw APIError.badRequest("\"\(text)\" is not a ticker symbol", code: "invalid_ticker") }
        return ticker
    }

    /// `cursor`: the positive id of the last row of the previous page (keyset paging), 400 otherwise.
    static func idCursor(_ request: Request) throws -> Int64? {
        guard let text = self.query(request, "cursor") else { return nil }
        guard let value = Int64(text), value > 0 else { throw APIError.badRequest("cursor must be a next_cursor value", code: "invalid_cursor") }
        return value
    }

    /// A `YYYY-MM-DD` query parameter.
    static func date(_ request: Request, _ name: String) throws -> SessionDate? {
        guard let text = self.query(request, name) else { return nil }
        guard let date = SessionDate(text) else {
            throw APIError.badRequest("\(name) must be a date as YYYY-MM-DD, got \"\(text)\"", code: "invalid_date")
        }
        return date
    }

    /// An exchange code query parameter.
    static func exchange(_ request: Request, _ name: String = "exchange") throws -> ExchangeCode? {
        guard let text = self.query(request, name) else { return nil }
        guard let code = ExchangeCode(text) else {
            throw APIError.badRequest("\(name) must be 1-16 characters of A-Z 0-9 . - _, got \"\(text)\"", code: "invalid_exchange")
        }
        return code
    }

    /// A required exchange code query parameter.
    static func requiredExchange(_ request: Request) throws -> ExchangeCode {
        guard let code = try self.exchange(request) else {
            throw APIError.badRequest("the exchange query parameter is required, e.g. ?exchange=NASDAQ", code: "missing_exchange")
        }
        return code
    }
}
