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

    public init(
        id: Int64, name: String, role: APIRole, prefix: String, hash: String, createdAt: Date, lastUsedAt: Date? = nil,
        revokedAt: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.role = role
        self.prefix = prefix
        self.hash = hash
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }
}
