import struct Foundation.Date
import PredictionCore
import ServiceLifecycle

/// Raw bars, corporate actions and cleaned bars with indicators, keyed by (ticker, exchange, session date).
///
/// Every write is an upsert: writing the same rows again inserts nothing and updates nothing (`unchanged`),
/// which is what makes re-running an ETL a no-op. Implementations compare incoming rows with stored ones and
/// only write rows that are new or different.
public protocol PriceStore: Sendable {
    /// Upserts raw bars of one instrument. `source` and `runID` record provenance of rows that are written.
    func upsertRawBars(_ bars: [PriceBar], for instrument: InstrumentKey, source: String, runID: Int64) async throws
        -> UpsertCounts
    /// All raw bars of an instrument, ascending by session.
    func rawBars(for instrument: InstrumentKey) async throws -> [PriceBar]
    /// Upserts dividend and split events (key: instrument, session, kind).
    func upsertCorporateActions(_ actions: [CorporateAction], for instrument: InstrumentKey) async throws -> UpsertCounts
    /// All corporate actions of an instrument, ascending by session.
    func corporateActions(for instrument: InstrumentKey) async throws -> [CorporateAction]
    /// Upserts cleaned bars (prices, adjustment factor, indicators, flag) of one instrument.
    func upsertCleanBars(_ bars: [CleanBar], for instrument: InstrumentKey) async throws -> UpsertCounts
    /// Cleaned bars, ascending, with `from`/`through` inclusive bounds, starting strictly after `cursor`, at most `limit`.
    func cleanBars(
        for instrument: InstrumentKey, from: SessionDate?, through: SessionDate?, after cursor: SessionDate?, limit: Int
    ) async throws -> [CleanBar]
    /// One summary per instrument that has cleaned bars, ordered by ticker then exchange.
    func datasets() async throws -> [DatasetSummary]
    /// Exchanges on which `ticker` has cleaned bars, ascending.
    func exchanges(listing ticker: TickerSymbol) async throws -> [ExchangeCode]
}

/// The ETL run history: runs, their steps, and every rejected or flagged row.
public protocol ETLRunStore: Sendable {
    /// Creates a `pending` run and returns it with its id.
    func createRun(_ run: NewETLRun) async throws -> ETLRun
    /// Overwrites the mutable fields of a run (status, times, counts, error).
    func updateRun(_ run: ETLRun) async throws
    /// Inserts or replaces the step `(runID, name)`.
    func recordStep(_ step: ETLStep) async throws
    /// One run, or `nil`.
    func run(id: Int64) async throws -> ETLRun?
    /// The steps of a run in pipeline order.
    func steps(ofRun id: Int64) async throws -> [ETLStep]
    /// Runs matching `filter`, newest first (descending id), with id < `cursor` when given, at most `limit`.
    func runs(matching filter: ETLRunFilter, before cursor: Int64?, limit: Int) async throws -> [ETLRun]
    /// Appends issues to a run's report (sequence numbers continue from what is stored).
    func appendIssues(_ issues: [RowIssue], toRun id: Int64) async throws
    /// A run's issues in report order with sequence > `cursor`, at most `limit`.
    func issues(ofRun id: Int64, after cursor: Int?, limit: Int) async throws -> [StoredRowIssue]
    /// Claims a named schedule slot (e.g. `etl-daily:2024-03-01`) for `instance`; `true` only for the first claimant,
    /// so exactly one instance runs each scheduled job even when several share the database.
    func claimScheduleSlot(_ slot: String, instance: String) async throws -> Bool
    /// Records that `instance` is alive at `at`.
    func recordHeartbeat(instance: String, at: Date) async throws
    /// Takes over the runs of every instance whose last heartbeat is before `staleBefore` (not `instance` itself): in
    /// one transaction their `running` runs become `failed` with `reason` and their `pending` runs become `instance`'s.
    /// Each run is adopted by exactly one of several concurrent callers. Returns both lists.
    func adoptRuns(instance: String, staleBefore: Date, reason: String) async throws -> (failed: [ETLRun], adopted: [ETLRun])
}

/// The tracked-ticker list (the "ETL list").
public protocol TrackedTickerStore: Sendable {
    /// Adds a ticker or changes its source; returns `true` when it was not tracked before.
    func track(_ ticker: TrackedTicker) async throws -> Bool
    /// Every tracked ticker, ordered by ticker then exchange.
    func trackedTickers() async throws -> [TrackedTicker]
    /// Removes a ticker; `false` when it was not tracked.
    func untrack(_ instrument: InstrumentKey) async throws -> Bool
}

/// Hashed API keys.
public protocol APIKeyStore: Sendable {
    /// Stores a new key (only its hash) and returns the record.
    func createAPIKey(_ key: NewAPIKey) async throws -> APIKeyRecord
    /// The key with this hash in any state (revoked and expired ones included: the caller says why it is refused), or `nil`.
    func apiKey(hash: String) async throws -> APIKeyRecord?
    /// The key with this id in any state, or `nil`.
    func apiKey(id: Int64) async throws -> APIKeyRecord?
    /// Keys with id above `cursor`, ascending by id, revoked and expired ones included.
    func apiKeys(after cursor: Int64?, limit: Int) async throws -> [APIKeyRecord]
    /// Admin keys that authenticate at `now` (not revoked, not expired).
    func activeAdminKeyCount(at now: Date) async throws -> Int
    /// Revokes a key; `false` when there is no such unrevoked key.
    func revokeAPIKey(id: Int64) async throws -> Bool
    /// In one transaction: stores `replacement` and retires key `id` in its favour (`replaced_by`): revoked now when
    /// `retiredAt` is `nil`, else expiring then (a grace period for clients still holding it). `nil` when key `id`
    /// is not active.
    func rotateAPIKey(id: Int64, replacement: NewAPIKey, retiredAt: Date?) async throws -> (old: APIKeyRecord, new: APIKeyRecord)?
    /// Records a successful use (best effort, may be throttled by the caller).
    func touchAPIKey(id: Int64) async throws
}

/// The audit log: appended for every change made through the API, read newest first.
public protocol AuditStore: Sendable {
    /// Appends one event (its `id` and `at` are assigned by the store).
    func appendAuditEvent(_ event: AuditEvent) async throws
    /// Events with id below `cursor`, newest first.
    func auditEvents(before cursor: Int64?, limit: Int) async throws -> [AuditEvent]
}

/// The database behind the ports: its connections (a `Service`: `run()` keeps them alive until graceful shutdown and
/// then closes them; queries may only be made while it runs), its schema and its health.
public protocol DatabaseService: Service {
    /// `sqlite` or `postgres`.
    var backendName: String { get }
    /// Applies pending migrations (idempotent, safe to call from several instances at once).
    func migrate() async throws
    /// Checks the backend answers and returns the applied schema version.
    func schemaVersion() async throws -> Int
}

/// Everything StockCast persists, in one backend. Implemented by `SQLiteStore` (embedded default) and
/// `PostgresStore`; both pass the same test suite (`StorageTests`). Components never take this whole: each takes the
/// ports it uses (`PriceStore`, `ModelStore`, ...), which the composition root hands out.
public protocol StockCastStore:
    PriceStore, ETLRunStore, TrackedTickerStore, APIKeyStore, AuditStore, ModelStore, TaskStore, PredictionStore, AlertStore, DatabaseService
{}

/// The model registry's records: models, aliases and the alias audit log.
public protocol ModelStore: Sendable {
    /// Registers a model with the next version number of its instrument (status `registered`).
    func createModel(_ model: NewModel) async throws -> ModelRecord
    /// One model, or `nil`.
    func model(id: Int64) async throws -> ModelRecord?
    /// Models ascending by id, optionally of one instrument, skipping `offset`, at most `limit`.
    func models(of instrument: InstrumentKey?, offset: Int, limit: Int) async throws -> [ModelRecord]
    /// Overwrites the mutable fields (status, run id, URI, metrics, artifact, training facts, error). With a `fence`, only
    /// while that task attempt is still held, checked in the same statement (`.superseded` otherwise): the result of a
    /// training whose task was reclaimed can never overwrite the newer attempt's.
    func updateModel(_ model: ModelRecord, fencedBy fence: TaskFence?) async throws
    /// Deletes a model and its alias rows (the audit log keeps its history); `false` when absent.
    func deleteModel(id: Int64) async throws -> Bool
    /// Current aliases of an instrument.
    func aliases(of instrument: InstrumentKey) async throws -> [ModelAlias: Int64]
    /// Moves `alias` of `instrument` to `model` (`nil` clears it) and appends the audit event, in one transaction.
    /// Returns the stored event.
    func moveAlias(
        _ alias: ModelAlias, of instrument: InstrumentKey, to model: Int64?, actor: String, reason: String, metricsJSON: String?
    ) async throws -> AliasEvent
    /// Audit events, newest first, of an instrument and/or involving a model, at most `limit`.
    func aliasEvents(of instrument: InstrumentKey?, involving model: Int64?, limit: Int) async throws -> [AliasEvent]
}

extension ModelStore {
    /// Overwrites the mutable fields of a model, unfenced.
    public func updateModel(_ model: ModelRecord) async throws {
        try await self.updateModel(model, fencedBy: nil)
    }
}

/// Background tasks (training, multi-day forecasts); they survive restarts.
public protocol TaskStore: Sendable {
    /// Stores a new task.
    func createTask(_ task: TaskRecord) async throws
    /// Overwrites a task's state, progress, message, result, error and times, fenced on its attempt: `.superseded`
    /// when the stored task has moved to another attempt (a later claim), `.notFound` when it does not exist.
    func updateTask(_ task: TaskRecord) async throws
    /// Claims the oldest task waiting for a worker for `instance`: a `pending` one, or a `running` one whose lease
    /// expired before `now` after fewer than `maxAttempts` attempts. It becomes `running` with `owner`, a lease until
    /// `leaseUntil` and `attempt` + 1 (the previous owner is fenced off); a cancel asked before stays asked. Each task
    /// goes to exactly one of several concurrent claimers.
    func claimTask(instance: String, now: Date, leaseUntil: Date, maxAttempts: Int) async throws -> TaskRecord?
    /// Running tasks whose lease expired before `now` after `maxAttempts` attempts become `failed` with `reason`;
    /// returns them.
    func failAbandonedTasks(now: Date, maxAttempts: Int, reason: String) async throws -> [TaskRecord]
    /// Extends to `until` the lease that `instance` holds on attempt `attempt` of task `id`. Returns whether a cancel
    /// was requested, or `nil` when that lease is no longer held (the task was reclaimed, ended or deleted).
    func renewTaskLease(id: String, instance: String, attempt: Int, until: Date) async throws -> Bool?
    /// Asks the owner of a running task to stop (it sees the flag at its next heartbeat); `false` when not running.
    func requestTaskCancel(id: String) async throws -> Bool
    /// One task, or `nil`.
    func task(id: String) async throws -> TaskRecord?
    /// Tasks newest first (by creation), filtered, created strictly before the task `cursor` when given, at most `limit`.
    func tasks(state: TaskState?, kind: TaskKind?, before cursor: String?, limit: Int) async throws -> [TaskRecord]
    /// How many tasks are in `state` (the queue depth, for `pending`).
    func taskCount(state: TaskState) async throws -> Int
    /// Deletes a task that has ended (completed, failed or cancelled); `false` when there is no such finished task.
    func deleteFinishedTask(id: String) async throws -> Bool
}

/// Predictions (single and multi-day points).
public protocol PredictionStore: Sendable {
    /// Stores predictions (ids assigned in order) and returns them.
    func insertPredictions(_ predictions: [PredictionRecord]) async throws -> [PredictionRecord]
    /// Predictions newest first (descending id), optionally of one ticker, with id < `cursor`, at most `limit`.
    func predictions(ticker: TickerSymbol?, before cursor: Int64?, limit: Int) async throws -> [PredictionRecord]
    /// Unscored predictions of `instrument` whose target_date <= `through`, oldest target first (then id), at most `limit`.
    func unscoredPredictions(of instrument: InstrumentKey, through: SessionDate, limit: Int) async throws -> [PredictionRecord]
    /// Sets actual_close and scored_at of each id (one transaction); ids already scored are left unchanged (idempotent:
    /// returns only the ids it scored now, in input order). Unknown ids are skipped; of an id given twice the first
    /// score counts. A NaN close refuses the whole batch (`.invalidValue`).
    func scorePredictions(_ scores: [PredictionScore], at: Date) async throws -> [Int64]
    /// Scored predictions of `instrument`, latest target_date first (then id desc), at most `limit`.
    func scoredPredictions(of instrument: InstrumentKey, limit: Int) async throws -> [PredictionRecord]
}

/// Alerts raised by the anomaly detector and the service monitor: at most one active alert per kind and instrument
/// across every instance sharing the database (raised once per system), and one per kind and instance for
/// service-level alerts (no instrument: each instance's 5xx rate or latency is its own).
public protocol AlertStore: Sendable {
    /// Raises `alert` unless an alert of the same kind and instrument is active; then that one is updated (messages,
    /// details, target_date, updated_at) and returned with isNew = false. Safe under concurrent callers and several
    /// instances. `.invalidValue` when `details` is not JSON.
    func raiseAlert(_ alert: NewAlert) async throws -> (alert: AlertRecord, isNew: Bool)
    /// Resolves the active alert of kind+instrument (a service-level one, `instrument` nil, of `instance`) if there is
    /// one and returns it (state resolved, resolvedAt and updatedAt = at); `nil` when none is active.
    func resolveAlert(kind: AlertKind, instrument: InstrumentKey?, instance: String, at: Date) async throws -> AlertRecord?
    /// Active alerts, newest first (id desc), at most `limit`.
    func activeAlerts(limit: Int) async throws -> [AlertRecord]
    /// Alerts newest first (id desc), optionally filtered by state and ticker, id < cursor, at most `limit` (keyset paging).
    func alerts(state: AlertState?, ticker: TickerSymbol?, before cursor: Int64?, limit: Int) async throws -> [AlertRecord]
}
