import Hummingbird
import Logging

/// One log line per request (`log.access`): method, path (never the query, which may carry data a user would not
/// want in logs), status, duration and client address, at `info`. Sits outside the error middleware, so failed
/// requests are logged with the status their client got.
struct AccessLogMiddleware<Context: RequestContext & RemoteAddressRequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            self.log(request, context: context, status: Int(response.status.code), since: started)
            return response
        } catch {
            self.log(request, context: context, status: (error as? any HTTPResponseError).map { Int($0.status.code) } ?? 500, since: started)
            throw error
        }
    }

    private func log(_ request: Request, context: Context, status: Int, since started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        self.logger.info(
            "\(request.method) \(request.uri.path) \(status)",
            metadata: ["ms": "\((milliseconds * 10).rounded() / 10)", "address": "\(context.remoteAddress?.ipAddress ?? "-")"])
    }
}
