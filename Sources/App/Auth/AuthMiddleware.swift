import Foundation
import Hummingbird
import Metrics
import Storage

/// Requires an API key of at least `minimum` role (`nil` = open route; a key that is presented must still be valid).
///
/// The key comes from `Authorization: Bearer <key>` or, for WebSocket upgrades, the `token` query parameter.
/// Missing or unknown key → 401; role too low → 403; too many failures from one address → 429. Failures are counted
/// in `stockcast_auth_failures_total`.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let minimum: APIRole?
    let authenticator: APIKeyAuthenticator
    let limiter: FailedAuthLimiter

    private static let failures = Counter(label: "stockcast_auth_failures_total")

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let presented = Self.presentedKey(request)
        if self.minimum == nil, presented == nil {
            return try await next(request, context)
        }
        let address = context.remoteAddress?.ipAddress ?? "unknown"
        if let wait = await self.limiter.blockedFor(address) {
            throw APIError(
                .tooManyRequests, code: "auth_rate_limited", "too many failed authentications from \(address); retry in \(wait) s",
                headers: [.retryAfter: String(wait)]
            )
        }
        guard let presented else {
            throw APIError(
                .unauthorized, code: "missing_api_key",
                "this route needs an API key with role \(self.minimum?.rawValue ?? "viewer") or higher: send Authorization: Bearer <key>",
                headers: [.wwwAuthenticate: "Bearer"]
            )
        }
        guard let record = try await self.authenticator.authenticate(presented) else {
            Self.failures.increment()
            await self.limiter.recordFailure(address)
            throw APIError(.unauthorized, code: "invalid_api_key", "the API key is not valid (unknown or revoked)", headers: [.wwwAuthenticate: "Bearer"])
        }
        if let minimum = self.minimum, record.role < minimum {
            throw APIError(.forbidden, code: "insufficient_role", "this route needs role \(minimum.rawValue); the key \(record.prefix)… has role \(record.role.rawValue)")
        }
        context.apiKey = record
        return try await next(request, context)
    }

    /// The key from `Authorization: Bearer` or the `token` query parameter.
    static func presentedKey(_ request: Request) -> String? {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                let key = parts[1].trimmingCharacters(in: .whitespaces)
                return key.isEmpty ? nil : key
            }
            return header.isEmpty ? nil : header
        }
        return request.uri.queryParameters.get("token").flatMap { $0.isEmpty ? nil : $0 }
    }
}
