import struct Foundation.Date
import PostgresNIO
import PredictionCore

extension PostgresStore {
    private static let rawBarColumns = """
        (session_date - DATE '1970-01-01') AS day, open, high, low, close, volume, source_adj_close
        """
    private static let cleanBarColumns =
        "(session_date - DATE '1970-01-01') AS day, open, high, low, close, volume, source_adj_close, "
        + "adjustment_factor, " + IndicatorSet.columnNames.joined(separator: ", ") + ", flagged"

    private static let rawBarConflict = """
        ON CONFLICT (ticker, exchange, session_date) DO UPDATE SET open = EXCLUDED.open, high = EXCLUDED.high,
            low = EXCLUDED.low, close = EXCLUDED.close, volume = EXCLUDED.volume,
            source_adj_close = EXCLUDED.source_adj_close, source = EXCLUDED.source, run_id = EXCLUDED.run_id,
            written_at = EXCLUDED.written_at
        """

    private static func decodeRawBar(_ row: PostgresRow) throws -> PriceBar {
        let row = row.makeRandomAccess()
        return try self.decodeRawBar(row)
    }

    private static func decodeRawBar(_ row: PostgresRandomAccessRow) throws -> PriceBar {
        PriceBar(
            session: try row.session("day"), open: try row.value("open", Double.self),
            high: try row.value("high", Double.self), low: try row.value("low", Double.self),
            close: try row.value("close", Double.self), volume: try row.value("volume", Int64.self),
            sourceAdjustedClose: try row.value("source_adj_close", Double?.self))
    }

    private static func decodeCleanBar(_ row: PostgresRow) throws -> CleanBar {
        let row = row.makeRandomAccess()
        return CleanBar(
            bar: try self.decodeRawBar(row), adjustmentFactor: try row.value("adjustment_factor", Double.self),
            indicators: IndicatorSet(values: try IndicatorSet.columnNames.map { try row.value($0, Double?.self) }),
            flagged: try row.value("flagged", Bool.self))
    }

    private static func decodeCorporateAction(_ row: PostgresRow) throws -> CorporateAction {
        let row = row.makeRandomAccess()
        return CorporateAction(
            session: try row.session("day"), kind: try row.enumValue(CorporateAction.Kind.self, "kind"),
            value: try row.value("value", Double.self))
    }

    /// Advisory-lock namespaces (first key of `pg_advisory_xact_lock(int4, int4)`), one per upserted table.
    enum UpsertLock: Int32 {
        case rawBars = 0x5343_0001
        case corporateActions = 0x5343_0002
        case cleanBars = 0x5343_0003
    }

    /// Serialises upserts of one instrument's rows in one table until the transaction ends, so the
    /// read-compare-write of concurrent upserts cannot interleave (READ COMMITTED alone would let two
    /// transactions both count the same new row as inserted). Other instruments are not blocked (a hash
    /// collision only serialises two instruments needlessly).
    func lock(_ table: UpsertLock, of instrument: InstrumentKey, on connection: PostgresConnection) async throws {
        try await self.rows(
            "SELECT pg_advisory_xact_lock(\(table.rawValue), hashtext(\(instrument.description)))", on: connection)
    }

    // MARK: PriceStore

    public func upsertRawBars(_ bars: [PriceBar], for instrument: InstrumentKey, source: String, runID: Int64)
        async throws -> UpsertCounts
    {
        guard let range = UpsertPlan<PriceBar>.keyRange(of: bars) else { return UpsertCounts() }
        let (ticker, exchange) = (instrument.ticker.rawValue, instrument.exchange.rawValue)
        let writtenAt = StoredTimestamp.now()
        return try await self.transaction { connection in
            try await self.lock(.rawBars, of: instrument, on: connection)
            let stored = try await self.rows(
                """
                SELECT \(unescaped: Self.rawBarColumns) FROM raw_bars
                WHERE ticker = \(ticker) AND exchange = \(exchange)
                    AND session_date BETWEEN DATE '1970-01-01' + \(range.lowerBound.dayNumber)::int4
                    AND DATE '1970-01-01' + \(range.upperBound.dayNumber)::int4
                ORDER BY session_date
                """, on: connection
            ).map(Self.decodeRawBar)
            let plan = try UpsertPlan(incoming: bars, stored: stored)
            // New rows need no conflict handling (this transaction holds the instrument's lock and just read
            // them as absent), and a plain INSERT is about twice as fast as INSERT … ON CONFLICT on the server.
            for (rows, upsert) in [(plan.inserts, false), (plan.updates, true)] {
                for chunk in rows.chunks(of: Self.rowsPerStatement) {
                    let columns = PostgresBarColumns(chunk)
                    try await self.rows(
                        """
                        INSERT INTO raw_bars (ticker, exchange, session_date, open, high, low, close, volume,
                            source_adj_close, source, run_id, written_at)
                        SELECT \(ticker), \(exchange), DATE '1970-01-01' + t.day, t.open, t.high, t.low, t.close,
                            t.volume, t.adj, \(source), \(runID), \(writtenAt)
                        FROM unnest(\(columns.days)::int4[], \(columns.opens)::float8[], \(columns.highs)::float8[],
                            \(columns.lows)::float8[], \(columns.closes)::float8[], \(columns.volumes)::int8[],
                            \(PostgresNullableArray(columns.adjustedCloses))::float8[])
                            AS t(day, open, high, low, close, volume, adj)
                        \(unescaped: upsert ? Self.rawBarConflict : "")
                        """, on: connection)
                }
            }
            return plan.counts
        }
    }

    public func rawBars(for instrument: InstrumentKey) async throws -> [PriceBar] {
        try await self.rows(
            """
            SELECT \(unescaped: Self.rawBarColumns) FROM raw_bars
            WHERE ticker = \(instrument.ticker.rawValue) AND exchange = \(instrument.exchange.rawValue)
            ORDER BY session_date
            """
        ).map(Self.decodeRawBar)
    }

    public func upsertCorporateActions(_ actions: [CorporateAction], for instrument: InstrumentKey) async throws
        -> UpsertCounts
    {
        guard let range = UpsertPlan<CorporateAction>.keyRange(of: actions) else { return UpsertCounts() }
        let (ticker, exchange) = (instrument.ticker.rawValue, instrument.exchange.rawValue)
        let writtenAt = StoredTimestamp.now()
        return try await self.transaction { connection in
            try await self.lock(.corporateActions, of: instrument, on: connection)
            let stored = try await self.rows(
                """
                SELECT (session_date - DATE '1970-01-01') AS day, kind, value FROM corporate_actions
                WHERE ticker = \(ticker) AND exchange = \(exchange)
                    AND session_date BETWEEN DATE '1970-01-01' + \(range.lowerBound.session.dayNumber)::int4
                    AND DATE '1970-01-01' + \(range.upperBound.session.dayNumber)::int4
                ORDER BY session_date, kind
                """, on: connection
            ).map(Self.decodeCorporateAction)
            let plan = try UpsertPlan(incoming: actions, stored: stored)
            for chunk in plan.rowsToWrite.chunks(of: Self.rowsPerStatement) {
                try await self.rows(
                    """
                    INSERT INTO corporate_actions (ticker, exchange, session_date, kind, value, written_at)
                    SELECT \(ticker), \(exchange), DATE '1970-01-01' + t.day, t.kind, t.value, \(writtenAt)
                    FROM unnest(\(chunk.map(\.session.dayNumber))::int4[], \(chunk.map(\.kind.rawValue))::text[],
                        \(chunk.map(\.value))::float8[]) AS t(day, kind, value)
                    ON CONFLICT (ticker, exchange, session_date, kind) DO UPDATE SET value = EXCLUDED.value,
                        written_at = EXCLUDED.written_at
                    """, on: connection)
            }
            return plan.counts
        }
    }

    public func corporateActions(for instrument: InstrumentKey) async throws -> [CorporateAction] {
        try await self.rows(
            """
            SELECT (session_date - DATE '1970-01-01') AS day, kind, value FROM corporate_actions
            WHERE ticker = \(instrument.ticker.rawValue) AND exchange = \(instrument.exchange.rawValue)
            ORDER BY session_date, kind
            """
        ).map(Self.decodeCorporateAction)
    }

    public func upsertCleanBars(_ bars: [CleanBar], for instrument: InstrumentKey) async throws -> UpsertCounts {
        guard let range = UpsertPlan<CleanBar>.keyRange(of: bars) else { return UpsertCounts() }
        let (ticker, exchange) = (instrument.ticker.rawValue, instrument.exchange.rawValue)
        let writtenAt = StoredTimestamp.now()
        return try await self.transaction { connection in
            try await self.lock(.cleanBars, of: instrument, on: connection)
            let stored = try await self.rows(
                """
                SELECT \(unescaped: Self.cleanBarColumns) FROM clean_bars
                WHERE ticker = \(ticker) AND exchange = \(exchange)
                    AND session_date BETWEEN DATE '1970-01-01' + \(range.lowerBound.dayNumber)::int4
                    AND DATE '1970-01-01' + \(range.upperBound.dayNumber)::int4
                ORDER BY session_date
                """, on: connection
            ).map(Self.decodeCleanBar)
            let plan = try UpsertPlan(incoming: bars, stored: stored)
            for (rows, upsert) in [(plan.inserts, false), (plan.updates, true)] {
                for chunk in rows.chunks(of: Self.rowsPerStatement) {
                    try await self.rows(
                        Self.cleanBarInsert(
                            chunk, ticker: ticker, exchange: exchange, writtenAt: writtenAt, upsert: upsert),
                        on: connection)
                }
            }
            if !plan.inserts.isEmpty || !plan.updates.isEmpty {
                try await self.rows(
                    """
                    INSERT INTO clean_bar_summaries (ticker, exchange, bar_count, first_session, last_session,
                        flagged_count, last_written)
                    SELECT ticker, exchange, count(*), min(session_date), max(session_date),
                        count(*) FILTER (WHERE flagged), max(written_at)
                    FROM clean_bars WHERE ticker = \(ticker) AND exchange = \(exchange) GROUP BY ticker, exchange
                    ON CONFLICT (ticker, exchange) DO UPDATE SET bar_count = EXCLUDED.bar_count,
                        first_session = EXCLUDED.first_session, last_session = EXCLUDED.last_session,
                        flagged_count = EXCLUDED.flagged_count, last_written = EXCLUDED.last_written
                    """, on: connection)
            }
            return plan.counts
        }
    }

    public func cleanBars(
        for instrument: InstrumentKey, from: SessionDate?, through: SessionDate?, after cursor: SessionDate?, limit: Int
    ) async throws -> [CleanBar] {
        let bounds = SessionBounds(from: from, through: through, after: cursor)
        guard limit > 0, !bounds.isEmpty else { return [] }
        return try await self.rows(
            """
            SELECT \(unescaped: Self.cleanBarColumns) FROM clean_bars
            WHERE ticker = \(instrument.ticker.rawValue) AND exchange = \(instrument.exchange.rawValue)
                AND session_date >= DATE '1970-01-01' + \(bounds.lower?.dayNumber ?? -1_000_000)::int4
                AND session_date <= DATE '1970-01-01' + \(bounds.upper?.dayNumber ?? 1_000_000)::int4
            ORDER BY session_date LIMIT \(limit)
            """
        ).map(Self.decodeCleanBar)
    }

    public func datasets() async throws -> [DatasetSummary] {
        try await self.rows(
            """
            SELECT c.ticker, c.exchange, c.bar_count, (c.first_session - DATE '1970-01-01') AS first_day,
                (c.last_session - DATE '1970-01-01') AS last_day, c.flagged_count, c.last_written,
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
            let row = row.makeRandomAccess()
            return DatasetSummary(
                instrument: try row.instrument(), firstSession: try row.session("first_day"),
                lastSession: try row.session("last_day"), count: try row.value("bar_count", Int.self),
                flaggedCount: try row.value("flagged_count", Int.self),
                lastUpdated: try row.value("last_written", Date.self), source: try row.value("source", String?.self))
        }
    }

    public func exchanges(listing ticker: TickerSymbol) async throws -> [ExchangeCode] {
        try await self.rows(
            "SELECT exchange FROM clean_bar_summaries WHERE ticker = \(ticker.rawValue) ORDER BY exchange"
        ).map { row in
            guard let code = ExchangeCode(try row.makeRandomAccess().value("exchange", String.self)) else {
                throw StorageError(.corruptRow, "stored column exchange has an unexpected value")
            }
            return code
        }
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    func chunks(of size: Int) -> [ArraySlice<Element>] {
        precondition(size > 0)
        return stride(from: 0, to: self.count, by: size).map { self[$0..<Swift.min($0 + size, self.count)] }
    }
}
