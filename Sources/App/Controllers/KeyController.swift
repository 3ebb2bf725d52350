import Foundation
import Hummingbird
import Storage

/// `/api/keys` (admin only): create, list and revoke API keys.
struct KeyController {
    let store: any StockCastStore
    let authenticator: APIKeyAuthenticator
    let configuration: AppConfiguration

    /// `GET /api/auth/me`: the presented key's name, role and prefix (any valid key).
    func addIdentityRoute(to group: RouterGroup<AppRequestContext>) {
        group.get("/api/auth/me") { _, context -> APIKeyDTO in
            guard let key = context.apiKey else {
                throw APIError(.unauthorized, code: "missing_api_key", "send Authorization: Bearer <key> to see whose key it is")
            }
            return APIKeyDTO(key)
        }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("/api/keys", use: self.create)
        group.get("/api/keys", use: self.list)
        group.delete("/api/keys/{id}", use: self.revoke)
    }

    /// Body of `POST /api/keys`.
    struct CreateRequest: Decodable {
        let name: String
        let role: APIRole
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<APIKeyDTO> {
        let body = try await RequestInput.decodeJSON(CreateRequest.self, from: request, maxBytes: 16 * 1024)
        let name = body.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(name.count) else { throw APIError.unprocessable("name must be 1-100 characters", code: "invalid_name") }
        let secret = APIKeySecret()
        let record = try await self.store.createAPIKey(name: name, role: body.role, prefix: secret.prefix, hash: secret.hash)
        return EditedResponse(status: .created, response: APIKeyDTO(record, secret: secret.value))
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> [APIKeyDTO] {
        try await self.store.apiKeys().map { APIKeyDTO($0) }
    }

    @Sendable func revoke(_ request: Request, context: AppRequestContext) async throws -> MessageDTO {
        let id = try RequestInput.id(context)
        let keys = try await self.store.apiKeys()
        guard let key = keys.first(where: { $0.id == id && $0.revokedAt == nil }) else {
            throw APIError.notFound("no active API key with id \(id)", code: "key_not_found")
        }
        let activeAdmins = keys.filter { $0.role == .admin && $0.revokedAt == nil }
        if key.role == .admin, activeAdmins.count == 1 {
            throw APIError.conflict("key \(id) is the last active admin key; create another admin key first", code: "last_admin_key")
        }
        _ = try await self.store.revokeAPIKey(id: id)
        await self.authenticator.invalidate()
        return MessageDTO(message: "key \(id) (\(key.prefix)…) revoked")
    }
}
