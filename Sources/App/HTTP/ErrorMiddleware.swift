import Actors
import PredictionCore
import Foundation
import Hummingbird
import Logging
import MarketData
import NIOCore
import Storage

/// Turns every error into the JSON error body `{"detail", "code"}`: our `APIError`s as they are, domain errors with
/// their status, framework errors (404 route, 413 body, 405) with a readable message, and anything else into a 500
/// whose detail hides internals (the full error is logged with the request id).
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return Self.finish(error, request: request)
        } catch let error as PipelineError {
            let status: HTTPResponse.Status =
                switch error.code {
                case .runNotFound: .notFound
                case .notRetryable, .runNotLocal: .conflict
                case .queueFull: .tooManyRequests
                default: .serviceUnavailable
                }
            return APIError.jsonResponse(status: status, code: error.code.description, detail: error.message)
        } catch let error as RegistryError {
            let status: HTTPResponse.Status =
                switch error.code {
                case .modelNotFound, .taskNotFound, .datasetNotFound: .notFound
                case .notTrained, .conflict, .gateFailed, .noChampion: .conflict
                case .invalidRequest: .unprocessableContent
                case .queueFull: .tooManyRequests
                default: .serviceUnavailable
                }
            return APIError.jsonResponse(status: status, code: error.code.description, detail: error.message)
        } catch let error as StorageError where error.code == .unavailable || error.code == .closed {
            return APIError.jsonResponse(
                status: .serviceUnavailable, code: "storage_unavailable", detail: "the database is unavailable; retry shortly",
                headers: [.retryAfter: "1"])
        } catch let error as ForecastError {
            return APIError.jsonResponse(status: .unprocessableContent, code: "forecast_error", detail: error.message)
        } catch let error as ProviderError {
            return APIError.jsonResponse(status: .badRequest, code: error.code.description, detail: error.message)
        } catch let error as NIOTooManyBytesError {
            _ = error
            return APIError.jsonResponse(status: .contentTooLarge, code: "body_too_large", detail: "the request body is larger than this route accepts")
        } catch let error as HTTPError
            where error.status == .notFound
            && !RouteIndex.documented.methods(at: request.uri.path).isEmpty
            && !RouteIndex.documented.methods(at: request.uri.path).contains(request.method.rawValue)
        {
            let allowed = RouteIndex.documented.methods(at: request.uri.path)
            return APIError.jsonResponse(
                status: .methodNotAllowed, code: "method_not_allowed",
                detail: "method \(request.method) is not allowed on \(request.uri.path); allowed: \(allowed.joined(separator: ", "))",
                headers: [.allow: allowed.joined(separator: ", ")])
        } catch let error as HTTPError {
            let detail: String =
                switch error.status {
                case .notFound: "no route \(request.method) \(request.uri.path)"
                case .methodNotAllowed: "method \(request.method) is not allowed on \(request.uri.path)"
                case .contentTooLarge: "the request body is larger than this route accepts"
                default: error.body ?? error.status.reasonPhrase
                }
            let code = error.status == .notFound ? "route_not_found" : error.status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_")
            return APIError.jsonResponse(status: error.status, code: code, detail: detail, headers: error.headers)
        } catch let error as any HTTPResponseError where error.status.code < 500 {
            return APIError.jsonResponse(status: error.status, code: "bad_request", detail: "\(error)")
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            return APIError.jsonResponse(
                status: .internalServerError, code: "internal_error",
                detail: "internal error (request id \(context.logger[metadataKey: "hb.request.id"]?.description ?? "-")); see the server log"
            )
        }
    }

    private static func finish(_ error: APIError, request: Request) -> Response {
        APIError.jsonResponse(status: error.status, code: error.code, detail: error.detail, headers: error.headers)
    }
}
