import Storage
import Testing

/// The behaviour every `StockCastStore` must have. `SQLiteStoreTests` and `PostgresStoreTests` run each case
/// against a fresh, running store of their backend, migrated unless the case `startsUnmigrated`.
enum StoreContract: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case migrationsAreIdempotent
    case rawUpsertCountsInsertsUpdatesAndUnchanged
    case rawValuesRoundTripBitExactly
    case nonFiniteAndNegativeZeroAreCanonical
    case duplicateSessionsInOneBatchCountOnce
    case realSeriesRoundTrips
    case cleanBarsRoundTripWithAndWithoutIndicators
    case cleanBarsPageByCursorAndRange
    case datasetsSummariseCleanBars
    case corporateActionsUpsertByKind
    case runsAreCreatedUpdatedAndRead
    case runsFilterAndPageNewestFirst
    case stepsAreUpsertedAndListedInPipelineOrder
    case issuesAppendAndPage
    case scheduleSlotIsClaimedOnce
    case trackedTickersAddUpdateRemove
    case apiKeysCreateLookupRevoke
    case auditLogAppendAndPage
    case concurrentUpsertsDoNotInterleave
    case modelsRegisterWithVersionsPerInstrument
    case hyperParametersRoundTripExactly
    case modelUpdateRoundTripsEveryField
    case concurrentRegistrationsGetConsecutiveVersions
    case aliasMovesAreAudited
    case concurrentAliasMovesFormOneChain
    case tasksRoundTripAndUpdate
    case tasksPageByCursorAndFilters
    case tasksAreClaimedLeasedAndFenced
    case concurrentClaimersGetDifferentTasks
    case runsOfAStoppedInstanceAreAdoptedOnce
    case predictionsInsertAndPage
    case predictionsAreScoredOnce
    case concurrentScorersScoreEachPredictionOnce
    case unscoredPredictionsFilterAndOrder
    case alertsRaiseDeduplicateAndResolve
    case serviceLevelAlertsDeduplicate
    case concurrentRaisesMakeOneActiveAlert
    case alertsPageByCursorAndFilters
    case migrationFromV2KeepsPredictions
    case migrationToV5KeysServiceAlertsByInstance

    var testDescription: String { self.rawValue }

    /// Whether the case gets an empty, unmigrated store (it builds the schema it needs itself).
    var startsUnmigrated: Bool { self == .migrationFromV2KeepsPredictions || self == .migrationToV5KeysServiceAlertsByInstance }

    /// Runs the case against `store`.
    func run(on store: any StockCastStore) async throws {
        switch self {
        case .migrationsAreIdempotent: try await Self.migrationsAreIdempotent(store)
        case .rawUpsertCountsInsertsUpdatesAndUnchanged: try await Self.rawUpsertCounts(store)
        case .rawValuesRoundTripBitExactly: try await Self.rawValuesRoundTripBitExactly(store)
        case .nonFiniteAndNegativeZeroAreCanonical: try await Self.nonFiniteAndNegativeZeroAreCanonical(store)
        case .duplicateSessionsInOneBatchCountOnce: try await Self.duplicateSessionsInOneBatchCountOnce(store)
        case .realSeriesRoundTrips: try await Self.realSeriesRoundTrips(store)
        case .cleanBarsRoundTripWithAndWithoutIndicators: try await Self.cleanBarsRoundTrip(store)
        case .cleanBarsPageByCursorAndRange: try await Self.cleanBarsPaging(store)
        case .datasetsSummariseCleanBars: try await Self.datasetsSummariseCleanBars(store)
        case .corporateActionsUpsertByKind: try await Self.corporateActionsUpsertByKind(store)
        case .runsAreCreatedUpdatedAndRead: try await Self.runsAreCreatedUpdatedAndRead(store)
        case .runsFilterAndPageNewestFirst: try await Self.runsFilterAndPage(store)
        case .stepsAreUpsertedAndListedInPipelineOrder: try await Self.stepsAreUpserted(store)
        case .issuesAppendAndPage: try await Self.issuesAppendAndPage(store)
        case .scheduleSlotIsClaimedOnce: try await Self.scheduleSlotIsClaimedOnce(store)
        case .trackedTickersAddUpdateRemove: try await Self.trackedTickers(store)
        case .apiKeysCreateLookupRevoke: try await Self.apiKeys(store)
        case .auditLogAppendAndPage: try await Self.auditLog(store)
        case .concurrentUpsertsDoNotInterleave: try await Self.concurrentUpsertsDoNotInterleave(store)
        case .modelsRegisterWithVersionsPerInstrument: try await Self.modelsRegisterWithVersionsPerInstrument(store)
        case .hyperParametersRoundTripExactly: try await Self.hyperParametersRoundTripExactly(store)
        case .modelUpdateRoundTripsEveryField: try await Self.modelUpdateRoundTripsEveryField(store)
        case .concurrentRegistrationsGetConsecutiveVersions: try await Self.concurrentRegistrationsGetConsecutiveVersions(store)
        case .aliasMovesAreAudited: try await Self.aliasMovesAreAudited(store)
        case .concurrentAliasMovesFormOneChain: try await Self.concurrentAliasMovesFormOneChain(store)
        case .tasksRoundTripAndUpdate: try await Self.tasksRoundTripAndUpdate(store)
        case .tasksPageByCursorAndFilters: try await Self.tasksPageByCursorAndFilters(store)
        case .tasksAreClaimedLeasedAndFenced: try await Self.tasksAreClaimedLeasedAndFenced(store)
        case .concurrentClaimersGetDifferentTasks: try await Self.concurrentClaimersGetDifferentTasks(store)
        case .runsOfAStoppedInstanceAreAdoptedOnce: try await Self.runsOfAStoppedInstanceAreAdoptedOnce(store)
        case .predictionsInsertAndPage: try await Self.predictionsInsertAndPage(store)
        case .predictionsAreScoredOnce: try await Self.predictionsAreScoredOnce(store)
        case .concurrentScorersScoreEachPredictionOnce: try await Self.concurrentScorersScoreEachPredictionOnce(store)
        case .unscoredPredictionsFilterAndOrder: try await Self.unscoredPredictionsFilterAndOrder(store)
        case .alertsRaiseDeduplicateAndResolve: try await Self.alertsRaiseDeduplicateAndResolve(store)
        case .serviceLevelAlertsDeduplicate: try await Self.serviceLevelAlertsDeduplicate(store)
        case .concurrentRaisesMakeOneActiveAlert: try await Self.concurrentRaisesMakeOneActiveAlert(store)
        case .alertsPageByCursorAndFilters: try await Self.alertsPageByCursorAndFilters(store)
        case .migrationFromV2KeepsPredictions: try await Self.migrationFromV2KeepsPredictions(store)
        case .migrationToV5KeysServiceAlertsByInstance: try await Self.migrationToV5KeysServiceAlertsByInstance(store)
        }
    }

    // MARK: Schema

    static func migrationsAreIdempotent(_ store: any StockCastStore) async throws {
        #expect(try await store.schemaVersion() == Migration.latestVersion)
        #expect(Migration.latestVersion >= 1)
        try await store.migrate()
        try await store.migrate()
        #expect(try await store.schemaVersion() == Migration.latestVersion)
        // The schema works after re-migrating: a write and a read.
        let key = TestData.instrument("MIGR")
        let counts = try await store.upsertRawBars(TestData.bars(count: 3), for: key, source: "test", runID: 1)
        #expect(counts == UpsertCounts(inserted: 3))
    }
}
