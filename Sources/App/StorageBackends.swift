import Foundation
import Logging
import Storage

/// The storage ports of one process, built from configuration: the only place that knows which backend serves which
/// port. One database (PostgreSQL when `storage.postgres.url` is set, else SQLite in `data_dir`) serves every record
/// port; artifacts live in an S3-compatible bucket when `artifacts.s3.endpoint` is set, else in `<data_dir>/artifacts`.
/// Another backend for a port is a new type plus one line here.
struct StorageBackends: Sendable {
    /// The database: its connections (a service), migrations and schema version.
    let database: any DatabaseService
    let prices: any PriceStore
    let runs: any ETLRunStore
    let tickers: any TrackedTickerStore
    let keys: any APIKeyStore
    let audit: any AuditStore
    let models: any ModelStore
    let tasks: any TaskStore
    let predictions: any PredictionStore
    let alerts: any AlertStore
    let artifacts: any ArtifactRepository

    /// Whether other processes may use the same database (PostgreSQL): work is then claimed, and start-up recovery
    /// touches only this instance's rows. SQLite belongs to one process.
    var sharedDatabase: Bool { self.database.backendName == "postgres" }

    /// Every port served by `store`, artifacts in `artifacts`.
    init(store: any StockCastStore, artifacts: any ArtifactRepository) {
        self.database = store
        self.prices = store
        self.runs = store
        self.tickers = store
        self.keys = store
        self.audit = store
        self.models = store
        self.tasks = store
        self.predictions = store
        self.alerts = store
        self.artifacts = artifacts
    }

    /// The backends `configuration` selects.
    static func make(_ configuration: AppConfiguration, logger: Logger) throws -> StorageBackends {
        let store: any StockCastStore =
            if let url = configuration.postgresURL {
                try PostgresStore(url: url, logger: logger)
            } else {
                SQLiteStore(path: configuration.dataDirectory.appendingPathComponent(configuration.sqliteFile).path, logger: logger)
            }
        let artifacts: any ArtifactRepository =
            if let s3 = configuration.artifactsS3 {
                S3ArtifactRepository(settings: s3)
            } else {
                LocalArtifactRepository(root: configuration.dataDirectory.appendingPathComponent("artifacts"))
            }
        return StorageBackends(store: store, artifacts: artifacts)
    }
}
