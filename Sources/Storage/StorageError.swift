import PredictionCore

/// Why a store operation failed. `description` is safe to show a user: it never contains SQL, bound values or
/// connection strings (the underlying driver error is logged by the store, not carried here).
public typealias StorageError = CodedError<StorageFailure>

/// The domain of `StorageError`.
public enum StorageFailure {}

extension ErrorCode where Domain == StorageFailure {
    /// A database URL or path that cannot be used.
    public static var invalidConfiguration: Self { Self("invalid_configuration") }
    /// A value that cannot be stored (e.g. a NaN price).
    public static var invalidValue: Self { Self("invalid_value") }
    /// The row to update does not exist.
    public static var notFound: Self { Self("not_found") }
    /// The store has shut down (`run()` returned).
    public static var closed: Self { Self("closed") }
    /// The database could not be opened or reached.
    public static var unavailable: Self { Self("unavailable") }
    /// A stored row could not be decoded (wrong type, unknown enum value).
    public static var corruptRow: Self { Self("corrupt_row") }
    /// A schema migration failed; the schema is left at the last applied version.
    public static var migrationFailed: Self { Self("migration_failed") }
    /// The row changed hands: a task update by an owner whose attempt was superseded by a later claim.
    public static var superseded: Self { Self("superseded") }
    /// A statement failed (constraint violation, lost connection, ...).
    public static var queryFailed: Self { Self("query_failed") }
}

extension CodedError where Domain == StorageFailure {
    /// Whether the store could not be reached (the call may succeed once it answers again).
    public var isOutage: Bool { self.code == .unavailable || self.code == .closed }
}
