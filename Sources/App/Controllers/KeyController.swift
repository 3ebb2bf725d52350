import Foundation
import Hummingbird
import Logging
import Storage

/// `/api/keys` (admin only): create, list, rotate and revoke API keys; `/api/audit`: the audit log. Every creation,
/// rotation and revocation is logged with the admin key that did it (prefixes only, never a key).
struct KeyController {
    let keys: any APIKeyStore
    let audit: any AuditStore
    let authenticator: APIKeyAuthenticator
    let configuration: AppConfiguration
    let logger: Logger

    /// Longest lifetime a key may be given, and the longest rotation grace period.
    static let maxLifetimeDays = 3650
    static let maxGraceSeconds = 7 * 86_400

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
        group.post("/api/keys/{id}/rotate", use: self.rotate)
        group.delete("/api/keys/{id}", use: self.revoke)
        group.get("/api/audit", use: self.audit)
    }

    /// Body of `POST /api/keys`.
    struct CreateRequest: Decodable {
        let name: String
        let role: APIRole
        /// Days until the key stops working; absent = never.
        let expires_in_days: Int?
    }

    /// Body of `POST /api/keys/{id}/rotate` (optional).
    struct RotateRequest: Decodable {
        /// Seconds the old key keeps working (0 = revoked at once).
        let grace_seconds: Int?
        /// Lifetime of the new key; absent = the old key's lifetime, or none.
        let expires_in_days: Int?
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<APIKeyDTO> {
        let body = try await RequestInput.decodeJSON(CreateRequest.self, from: request, maxBytes: 16 * 1024)
        let name = body.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(name.count) else { throw APIError.unprocessable("name must be 1-100 characters", code: "invalid_name") }
        let expiresAt = try Self.expiry(days: body.expires_in_days)
        let secret = APIKeySecret()
        let record = try await self.keys.createAPIKey(
            NewAPIKey(name: name, role: body.role, prefix: secret.prefix, hash: secret.hash, expiresAt: expiresAt))
        self.logger.notice(
            "API key created",
            metadata: ["key_id": "\(record.id)", "key_prefix": "\(record.prefix)", "role": "\(record.role.rawValue)",
                       "expires_at": "\(expiresAt.map { $0.formatted(.iso8601) } ?? "never")", "by": "\(Self.actor(context))"])
        return EditedResponse(status: .created, response: APIKeyDTO(record, secret: secret.value))
    }

    /// `GET /api/keys?limit=&cursor=`: ascending by id; the next page's cursor in `X-Next-Cursor`.
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let limit = try RequestInput.limit(request, default: 100, max: 1000)
        let keys = try await self.keys.apiKeys(after: try RequestInput.idCursor(request), limit: limit + 1)
        let page = Array(keys.prefix(limit))
        var response = try context.responseEncoder.encode(page.map { APIKeyDTO($0) }, from: request, context: context)
        if keys.count > limit, let last = page.last { response.headers[.init("X-Next-Cursor")!] = String(last.id) }
        return response
    }

    @Sendable func rotate(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<APIKeyDTO> {
        let id = try RequestInput.id(context)
        var request = request
        let hasBody = try await RequestInput.collect(&request, maxBytes: 16 * 1024).readableBytes > 0
        let body = hasBody ? try await RequestInput.decodeJSON(RotateRequest.self, from: request, maxBytes: 16 * 1024) : RotateRequest(grace_seconds: nil, expires_in_days: nil)
        let grace = body.grace_seconds ?? 0
        guard (0...Self.maxGraceSeconds).contains(grace) else {
            throw APIError.unprocessable("grace_seconds must be 0-\(Self.maxGraceSeconds)", code: "invalid_grace")
        }
        guard let old = try await self.keys.apiKey(id: id), old.isActive() else {
            throw APIError.notFound("no active API key with id \(id)", code: "key_not_found")
        }
        let lifetime = old.expiresAt.map { $0.timeIntervalSince(old.createdAt) }
        let expiresAt = try body.expires_in_days.map { try Self.expiry(days: $0) } ?? lifetime.map { Date().addingTimeInterval($0) }
        let secret = APIKeySecret()
        let replacement = NewAPIKey(name: old.name, role: old.role, prefix: secret.prefix, hash: secret.hash, expiresAt: expiresAt)
        guard let rotated = try await self.keys.rotateAPIKey(id: id, replacement: replacement, retiredAt: grace > 0 ? Date().addingTimeInterval(Double(grace)) : nil) else {
            throw APIError.notFound("no active API key with id \(id)", code: "key_not_found")
        }
        await self.authenticator.invalidate()
        AdminKeyFile(url: self.configuration.adminKeyFile).follow(retiredHash: old.hash, replacement: secret.value, logger: self.logger)
        self.logger.notice(
            "API key rotated",
            metadata: ["key_id": "\(old.id)", "key_prefix": "\(old.prefix)", "new_key_id": "\(rotated.new.id)", "new_key_prefix": "\(rotated.new.prefix)",
                       "grace_seconds": "\(grace)", "by": "\(Self.actor(context))"])
        return EditedResponse(status: .created, response: APIKeyDTO(rotated.new, secret: secret.value))
    }

    @Sendable func revoke(_ request: Request, context: AppRequestContext) async throws -> MessageDTO {
        let id = try RequestInput.id(context)
        guard let key = try await self.keys.apiKey(id: id), key.revokedAt == nil else {
            throw APIError.notFound("no active API key with id \(id)", code: "key_not_found")
        }
        if key.role == .admin, key.isActive(), try await self.keys.activeAdminKeyCount(at: Date()) <= 1 {
            throw APIError.conflict("key \(id) is the last active admin key; create another admin key first", code: "last_admin_key")
        }
        guard try await self.keys.revokeAPIKey(id: id) else { throw APIError.notFound("no active API key with id \(id)", code: "key_not_found") }
        await self.authenticator.invalidate()
        AdminKeyFile(url: self.configuration.adminKeyFile).follow(retiredHash: key.hash, replacement: nil, logger: self.logger)
        self.logger.notice("API key revoked", metadata: ["key_id": "\(id)", "key_prefix": "\(key.prefix)", "by": "\(Self.actor(context))"])
        return MessageDTO(message: "key \(id) (\(key.prefix)…) revoked")
    }

    /// `GET /api/audit?limit=&cursor=`: changes made through the API, newest first; next page in `X-Next-Cursor`.
    @Sendable func audit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let limit = try RequestInput.limit(request, default: 100, max: 1000)
        let events = try await self.audit.auditEvents(before: try RequestInput.idCursor(request), limit: limit + 1)
        let page = Array(events.prefix(limit))
        var response = try context.responseEncoder.encode(page.map(AuditEventDTO.init), from: request, context: context)
        if events.count > limit, let last = page.last { response.headers[.init("X-Next-Cursor")!] = String(last.id) }
        return response
    }

    static func expiry(days: Int?) throws -> Date? {
        guard let days else { return nil }
        guard (1...Self.maxLifetimeDays).contains(days) else {
            throw APIError.unprocessable("expires_in_days must be 1-\(Self.maxLifetimeDays)", code: "invalid_expiry")
        }
        return Date().addingTimeInterval(Double(days) * 86_400)
    }

    /// `name (prefix…)` of the key making a request, for logs and the audit log.
    static func actor(_ context: AppRequestContext) -> String {
        context.apiKey.map { "\($0.name) (\($0.prefix)…)" } ?? "anonymous"
    }
}

/// One entry of `GET /api/audit`.
struct AuditEventDTO: ResponseCodable {
    let id: Int64
    let at: Date
    let key_id: Int64?
    let actor: String
    let role: String
    let action: String
    let target: String
    let status: Int
    let address: String

    init(_ event: AuditEvent) {
        self.id = event.id
        self.at = event.at
        self.key_id = event.keyID
        self.actor = event.actor
        self.role = event.role.rawValue
        self.action = event.action
        self.target = event.target
        self.status = event.status
        self.address = event.address
    }
}
