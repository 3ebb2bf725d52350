import PredictionCore
import SQLiteNIO

extension SQLiteStore {
    // MARK: Statements

    /// Raw bars: ticker, exchange, source, run and write time bound once per statement.
    static let rawBarInsert = SQLiteBulkInsert(
        table: "raw_bars",
        columns: [
            ("ticker", .shared(1)), ("exchange", .shared(2)), ("session_date", .row), ("open", .row), ("high", .row),
            ("low", .row), ("close", .row), ("volume", .row), ("source_adj_close", .row), ("source", .shared(3)),
            ("run_id", .shared(4)), ("written_at", .shared(5)),
        ],
        key: ["ticker", "exchange", "session_date"])

    /// Corporate actions, keyed by session and kind.
    static let corporateActionInsert = SQLiteBulkInsert(
        table: "corporate_actions",
        columns: [
            ("ticker", .shared(1)), ("exchange", .shared(2)), ("session_date", .row), ("kind", .row), ("value", .row),
            ("written_at", .shared(3)),
        ],
        key: ["ticker", "exchange", "session_date", "kind"])

    /// Cleaned bars with all indicator columns.
    static let cleanBarInsert = SQLiteBulkInsert(
        table: "clean_bars",
        columns: [
            ("ticker", .shared(1)), ("exchange", .shared(2)), ("session_date", .row), ("open", .row), ("high", .row),
            ("low", .row), ("close", .row), ("volume", .row), ("source_adj_close", .row), ("adjustment_factor", .row),
        ] + IndicatorSet.columnNames.map { ($0, SQLiteBulkInsert.Slot.row) } + [
            ("flagged", .row), ("written_at", .shared(3)),
        ],
        key: ["ticker", "exchange", "session_date"])

    private static let rawBarColumns = "session_date, open, high, low, close, volume, source_adj_close"
    private static let cleanBarColumns =
        "session_date, open, high, low, close, volume, source_adj_close, adjustment_factor, "
        + IndicatorSet.columnNames.joined(separator: ", ") + ", flagged"

    private static func instrumentBinds(_ instrument: InstrumentKey) -> [SQLiteData] {
        [.text(instrument.ticker.rawValue), .text(instrument.exchange.rawValue)]
    }

    private static func decodeRawBar(_ row: SQLiteRow) throws -> PriceBar {
        PriceBar(
            session: try row.sessionDate("session_date"), open: try row.double("open"), high: try row.double("high"),
            low: try row.double("low"), close: try row.double("close"), volume: try row.int64("volume"),
            sourceAdjustedClose: try row.optionalDouble("source_adj_close"))
    }

    private static func decodeCleanBar(_ row: SQLiteRow) throws -> CleanBar {
        CleanBar(
            bar: try self.decodeRawBar(row), adjustmentFactor: try row.double("adjustment_factor"),
            indicators: IndicatorSet(values: try IndicatorSet.columnNames.map { try row.optionalDouble($0) }),
            flagged: try row.bool("flagged"))
    }

    private static func bindBar(_ bar: PriceBar, into binds: inout [SQLiteData]) {
        binds.append(.session(bar.session))
        binds.append(.float(bar.open))
        binds.append(.float(bar.high))
        binds.append(.float(bar.low))
        binds.append(.float(bar.close))
        binds.append(.int64(bar.volume))
        binds.append(.optionalFloat(bar.sourceAdjustedClose))
    }

    // MARK: PriceStore

    public func upsertRawBars(_ bars: [PriceBar], for instrument: InstrumentKey, source: String, runID: Int64)
        async throws -> UpsertCounts
    {
        guard let range = UpsertPlan<PriceBar>.keyRange(of: bars) else { return UpsertCounts() }
        let writtenAt = StoredTimestamp.now()
        return try await self.write { session in
            let stored = try await session.query(
                "SELECT \(Self.rawBarColumns) FROM raw_bars"
                    + " WHERE ticker = ?1 AND exchange = ?2 AND session_date BETWEEN ?3 AND ?4"
                    + " ORDER BY session_date",
                Self.instrumentBinds(instrument) + [.session(range.lowerBound), .session(range.upperBound)]
            ).map(Self.decodeRawBar)
            let plan = try UpsertPlan(incoming: bars, stored: stored)
            try await Self.rawBarInsert.execute(
                plan.rowsToWrite,
                shared: Self.instrumentBinds(instrument) + [.text(source), .int64(runID), .timestamp(writtenAt)],
                on: session, bind: Self.bindBar)
            return plan.counts
        }
    }

    public func rawBars(for instrument: InstrumentKey) async throws -> [PriceBar] {
        try await self.read { session in
            try await session.query(
                "SELECT \(Self.rawBarColumns) FROM raw_bars WHERE ticker = ?1 AND exchange = ?2 ORDER BY session_date",
                Self.instrumentBinds(instrument)
            ).map(Self.decodeRawBar)
        }
    }

    public func upsertCorporateActions(_ actions: [CorporateAction], for instrument: InstrumentKey) async throws
        -> UpsertCounts
    {
        guard let range = UpsertPlan<CorporateAction>.keyRange(of: actions) else { return UpsertCounts() }
        let writtenAt = StoredTimestamp.now()
        return try await self.write { session in
            let stored = try await session.query(
                "SELECT session_date, kind, value FROM corporate_actions"
                    + " WHERE ticker = ?1 AND exchange = ?2 AND session_date BETWEEN ?3 AND ?4"
                    + " ORDER BY session_date, kind",
                Self.instrumentBinds(instrument)
                    + [.session(range.lowerBound.session), .session(range.upperBound.session)]
            ).map(Self.decodeCorporateAction)
            let plan = try UpsertPlan(incoming: actions, stored: stored)
            try await Self.corporateActionInsert.execute(
                plan.rowsToWrite, shared: Self.instrumentBinds(instrument) + [.timestamp(writtenAt)], on: session
            ) { action, binds in
                binds.append(.session(action.session))
                binds.append(.text(action.kind.rawValue))
                binds.append(.float(action.value))
            }
            return plan.counts
        }
    }

    private static func decodeCorporateAction(_ row: SQLiteRow) throws -> CorporateAction {
        CorporateAction(
            session: try row.sessionDate("session_date"), kind: try row.enumValue(CorporateAction.Kind.self, "kind"),
            value: try row.double("value"))
    }

    public func corporateActions(for instrument: InstrumentKey) async throws -> [CorporateAction] {
        try await self.read { session in
            try await session.query(
                "SELECT session_date, kind, value FROM corporate_actions WHERE ticker = ?1 AND exchange = ?2"
                    + " ORDER BY session_date, kind",
                Self.instrumentBinds(instrument)
            ).map(Self.decodeCorporateAction)
        }
    }

    public func upsertCleanBars(_ bars: [CleanBar], for instrument: InstrumentKey) async throws -> UpsertCounts {
        guard let range = UpsertPlan<CleanBar>.keyRange(of: bars) else { return UpsertCounts() }
        let writtenAt = StoredTimestamp.now()
        return try await self.write { session in
            let stored = try await session.query(
                "SELECT \(Self.cleanBarColumns) FROM clean_bars"
                    + " WHERE ticker = ?1 AND exchange = ?2 AND session_date BETWEEN ?3 AND ?4"
                    + " ORDER BY session_date",
                Self.instrumentBinds(instrument) + [.session(range.lowerBound), .session(range.upperBound)]
            ).map(Self.decodeCleanBar)
            let plan = try UpsertPlan(incoming: bars, stored: stored)
            try await Self.cleanBarInsert.execute(
                plan.rowsToWrite, shared: Self.instrumentBinds(instrument) + [.timestamp(writtenAt)], on: session
            ) { clean, binds in
                Self.bindBar(clean.bar, into: &binds)
                binds.append(.float(clean.adjustmentFactor))
                for value in clean.indicators.values {
                    binds.append(.optionalFloat(value))
                }
                binds.append(.integer(clean.flagged ? 1 : 0))
            }
            if !plan.inserts.isEmpty || !plan.updates.isEmpty {
                try await session.query(
                    """
                    INSERT INTO clean_bar_summaries (ticker, exchange, bar_count, first_session, last_session,
                        flagged_count, last_written)
                    SELECT ticker, exchange, COUNT(*), MIN(session_date), MAX(session_date), SUM(flagged),
                        MAX(written_at)
                    FROM clean_bars WHERE ticker = ?1 AND exchange = ?2 GROUP BY ticker, exchange
                    ON CONFLICT (ticker, exchange) DO UPDATE SET bar_count = excluded.bar_count,
                        first_session = excluded.first_session, last_session = excluded.last_session,
                        flagged_count = excluded.flagged_count, last_written = excluded.last_written
                    """, Self.instrumentBinds(instrument))
            }
            return plan.counts
        }
    }

    public func cleanBars(
        for instrument: InstrumentKey, from: SessionDate?, through: SessionDate?, after cursor: SessionDate?, limit: Int
    ) async throws -> [CleanBar] {
        let bounds = SessionBounds(from: from, through: through, after: cursor)
        guard limit > 0, !bounds.isEmpty else { return [] }
        return try await self.read { session in
            // '0' sorts before and '9' after every YYYY-MM-DD text, so open bounds stay one index range.
            try await session.query(
                "SELECT \(Self.cleanBarColumns) FROM clean_bars"
                    + " WHERE ticker = ?1 AND exchange = ?2 AND session_date >= ?3 AND session_date <= ?4"
                    + " ORDER BY session_date LIMIT ?5",
                Self.instrumentBinds(instrument) + [
                    .text(bounds.lower?.storageText ?? "0"), .text(bounds.upper?.storageText ?? "9"),
                    .integer(limit),
                ]
            ).map(Self.decodeCleanBar)
        }
    }

    public func datasets() async throws -> [DatasetSummary] {
        try await self.read { session in
            try await session.query(
                """
                SELECT c.ticker, c.exchange, c.bar_count, c.first_session, c.last_session, c.flagged_count,
                    c.last_written,
                    COALESCE(
                        (SELECT r.source FROM etl_runs r
                            WHERE r.ticker = c.ticker AND r.exchange = c.exchange AND r.status = 'completed'
                            ORDER BY r.id DESC LIMIT 1),
                        (SELECT b.source FROM raw_bars b
                            WHERE b.ticker = c.ticker AND b.exchange = c.exchange
                            ORDER BY b.session_date DESC LIMIT 1)
                    ) AS source
                FROM clean_bar_summaries AS c
                ORDER BY c.ticker, c.exchange
                """
            ).map { row in
                DatasetSummary(
                    instrument: try row.instrument(), firstSession: try row.sessionDate("first_session"),
                    lastSession: try row.sessionDate("last_session"), count: try row.int("bar_count"),
                    flaggedCount: try row.int("flagged_count"), lastUpdated: try row.timestamp("last_written"),
                    source: try row.optionalText("source"))
            }
        }
    }

    public func exchanges(listing ticker: TickerSymbol) async throws -> [ExchangeCode] {
        try await self.read { session in
            try await session.query(
                "SELECT exchange FROM clean_bar_summaries WHERE ticker = ?1 ORDER BY exchange",
                [.text(ticker.rawValue)]
            ).map { row in
                guard let code = ExchangeCode(try row.text("exchange")) else {
                    throw StorageError(.corruptRow, "stored column exchange has an unexpected value")
                }
                return code
            }
        }
    }
}
