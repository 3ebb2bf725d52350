import Foundation
import Hummingbird
import Storage

/// Requires an API key of at least `minimum` role (`nil` = open route; a key that is presented must still be valid).
///
/// The key comes from `Authorization: Bearer <key>` only (never the URL). Missing key → 401; unknown, revoked or
/// expired → 401 (429 once the address has failed too often with that prefix, see `APIKeyAuthenticator.verify`);
/// role too low → 403.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let minimum: APIRole?
    let authenticator: APIKeyAuthenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let presented = request.headers[.authorization].flatMap(Self.bearerKey(fromHeader:))
        if self.minimum == nil, presented == nil {
            return try await next(request, context)
        }
        guard let presented else {
            throw APIError(
                .unauthorized, code: "missing_api_key",
                "this route needs an API key with role \(self.minimum?.rawValue ?? "viewer") or higher: send Authorization: Bearer <key>",
                headers: [.wwwAuthenticate: "Bearer"]
            )
        }
        let record = try await self.authenticator.verify(presented, address: context.remoteAddress?.ipAddress ?? "unknown")
        if let minimum = self.minimum, record.role < minimum {
            throw APIError(.forbidden, code: "insufficient_role", "this route needs role \(minimum.rawValue); the key \(record.prefix)… has role \(record.role.rawValue)")
        }
        context.apiKey = record
        return try await next(request, context)
    }

    /// The key of an `Authorization` header: `Bearer <key>`, or the bare key.
    static func bearerKey(fromHeader header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1)
        if parts.count == 2, parts[0].lowercased() == "bearer" {
            let key = parts[1].trimmingCharacters(in: .whitespaces)
            return key.isEmpty ? nil : key
        }
        let bare = header.trimmingCharacters(in: .whitespaces)
        return bare.isEmpty ? nil : bare
    }
}
