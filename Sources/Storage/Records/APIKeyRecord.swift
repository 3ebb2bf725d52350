import struct Foundation.Date

/// Roles, ordered: `viewer` < `operator` < `admin`.
public enum APIRole: String, Hashable, Sendable, Codable, Comparable, CaseIterable {
    case viewer, `operator`, admin

    private var rank: Int {
        switch self {
        case .viewer: 0
        case .operator: 1
        case .admin: 2
        }
    }

    public static func < (lhs: APIRole, rhs: APIRole) -> Bool { lhs.rank < rhs.rank }
}

/// A stored API key: only the SHA-256 of the secret is kept, plus a short prefix to recognise it in lists.
public struct APIKeyRecord: Hashable, Sendable, Codable {
    public var id: Int64
    public var name: String
    public var role: APIRole
    /// First characters of the key (`sck_ab12…`), safe to show.
    public var prefix: String
    /// Lower-case hex SHA-256 of the full key.
    public var hash: String
    public var createdAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?
    /// After this instant the key no longer authenticates; `nil` = never expires.
    public var expiresAt: Date?
    /// The key a rotation created to replace this one.
    public var replacedBy: Int64?

    public init(
        id: Int64, name: String, role: APIRole, prefix: String, hash: String, createdAt: Date, lastUsedAt: Date? = nil,
        revokedAt: Date? = nil, expiresAt: Date? = nil, replacedBy: Int64? = nil
    ) {
        self.id = id
        self.name = name
        self.role = role
        self.prefix = prefix
        self.hash = hash
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
        self.expiresAt = expiresAt
        self.replacedBy = replacedBy
    }

    /// Whether the key authenticates at `now`: not revoked and not expired.
    public func isActive(at now: Date = Date()) -> Bool {
        self.revokedAt == nil && (self.expiresAt.map { now < $0 } ?? true)
    }
}

/// A key to store: the secret itself never reaches the store.
public struct NewAPIKey: Hashable, Sendable {
    public var name: String
    public var role: APIRole
    public var prefix: String
    public var hash: String
    public var expiresAt: Date?

    public init(name: String, role: APIRole, prefix: String, hash: String, expiresAt: Date? = nil) {
        self.name = name
        self.role = role
        self.prefix = prefix
        self.hash = hash
        self.expiresAt = expiresAt
    }
}

/// One change made through the API, as the audit log keeps it.
public struct AuditEvent: Hashable, Sendable, Codable {
    public var id: Int64
    public var at: Date
    /// The key that made the change (`nil` if it was since deleted from the store).
    public var keyID: Int64?
    /// `name (prefix…)` of that key; never the key.
    public var actor: String
    /// Its role at the time.
    public var role: APIRole
    /// Method and route pattern, e.g. `POST /api/keys/{id}/rotate`.
    public var action: String
    /// The path requested, e.g. `/api/keys/3/rotate`.
    public var target: String
    /// HTTP status of the answer.
    public var status: Int
    /// Client address.
    public var address: String

    public init(
        id: Int64, at: Date, keyID: Int64?, actor: String, role: APIRole, action: String, target: String, status: Int, address: String
    ) {
        self.id = id
        self.at = at
        self.keyID = keyID
        self.actor = actor
        self.role = role
        self.action = action
        self.target = target
        self.status = status
        self.address = address
    }
}
