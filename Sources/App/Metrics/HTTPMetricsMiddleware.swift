import Dispatch
import Hummingbird
import Metrics
import Synchronization

/// Counts every request by route pattern, method and status (`http_requests_total`) and times it
/// (`http_request_duration_seconds`, to the response head). Outermost middleware, so it sees the status the client gets.
/// Requests that match no route are labelled `static` (served by the web UI's files) or `unmatched` (404), which keeps
/// label cardinality bounded by the route table.
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    private let cache = HTTPMetricsCache()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        let method = request.method.rawValue
        do {
            let response = try await next(request, context)
            let route = context.endpointPath.flatMap { $0 == "FileMiddleware" ? nil : $0 } ?? (response.status == .notFound ? "unmatched" : "static")
            self.cache.record(route: route, method: method, status: response.status.code, since: start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            self.cache.record(route: context.endpointPath ?? "unmatched", method: method, status: status, since: start)
            throw error
        }
    }
}

/// Metric handles per (route, method, status), so the hot path does one dictionary lookup under a lock.
final class HTTPMetricsCache: Sendable {
    private struct Key: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    private let handles = Mutex<[Key: (Counter, Timer)]>([:])

    func record(route: String, method: String, status: Int, since start: UInt64) {
        let key = Key(route: route, method: method, status: status)
        let (counter, timer) = self.handles.withLock { handles in
            if let found = handles[key] { return found }
            let made = (
                Counter(label: "http_requests_total", dimensions: [("route", route), ("method", method), ("status", String(status))]),
                Timer(label: "http_request_duration_seconds", dimensions: [("route", route), ("method", method)])
            )
            handles[key] = made
            return made
        }
        counter.increment()
        timer.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - start))
    }
}
