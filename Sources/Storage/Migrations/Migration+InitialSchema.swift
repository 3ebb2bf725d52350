extension Migration {
    /// Version 1: prices, ETL history, schedule claims, tracked tickers and API keys.
    ///
    /// `clean_bar_summaries` holds one row per instrument with cleaned bars (count, first/last session, flagged
    /// count, last write), recomputed inside every `upsertCleanBars` transaction that writes, so `datasets()`
    /// does not scan millions of bars.
    static let initialSchema = Migration(
        version: 1,
        name: "initial_schema",
        sqlite: [
            """
            CREATE TABLE raw_bars (
                ticker TEXT NOT NULL,
                exchange TEXT NOT NULL,
                session_date TEXT NOT NULL,
                open REAL NOT NULL,
                high REAL NOT NULL,
                low REAL NOT NULL,
                close REAL NOT NULL,
                volume INTEGER NOT NULL,
                source_adj_close REAL,
                source TEXT NOT NULL,
                run_id INTEGER NOT NULL,
                written_at INTEGER NOT NULL,
                PRIMARY KEY (ticker, exchange, session_date)
            ) STRICT, WITHOUT ROWID
            """,
            """
            CREATE TABLE corporate_actions (
                ticker TEXT NOT NULL,
                exchange TEXT NOT NULL,
                session_date TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('dividend', 'split')),
                value REAL NOT NULL,
                written_at INTEGER NOT NULL,
                PRIMARY KEY (ticker, exchange, session_date, kind)
            ) STRICT, WITHOUT ROWID
            """,
            """
            CREATE TABLE clean_bars (
                ticker TEXT NOT NULL,
                exchange TEXT NOT NULL,
                session_date TEXT NOT NULL,
                open REAL NOT NULL,
                high REAL NOT NULL,
                low REAL NOT NULL,
                close REAL NOT NULL,
                volume INTEGER NOT NULL,
                source_adj_close REAL,
                adjustment_factor REAL NOT NULL,
                ma5 REAL, ma10 REAL, ema12 REAL, ema26 REAL, macd REAL, macd_signal REAL, macd_hist REAL,
                bb_upper REAL, bb_middle REAL, bb_lower REAL, vol_ma10 REAL, rsi14 REAL, log_return REAL,
                volatility20 REAL,
                flagged INTEGER NOT NULL CHECK (flagged IN (0, 1)),
                written_at INTEGER NOT NULL,
                PRIMARY KEY (ticker, exchange, session_date)
            ) STRICT, WITHOUT ROWID
            """,
            """
            CREATE TABLE clean_bar_summaries (
                ticker TEXT NOT NULL,
                exchange TEXT NOT NULL,
                bar_count INTEGER NOT NULL,
                first_session TEXT NOT NULL,
                last_session TEXT NOT NULL,
                flagged_count INTEGER NOT NULL,
                last_written INTEGER NOT NULL,
                PRIMARY KEY (ticker, exchange)
            ) STRICT, WITHOUT ROWID
            """,
            """
            CREATE TABLE tracked_tickers (
                ticker TEXT NOT NULL,
                exchange TEXT NOT NULL,
                source TEXT NOT NULL,
                added_at INTEGER NOT NULL,
                PRIMARY KEY (ticker, exchange)
            ) STRICT, WITHOUT ROWID
            """,
            """
            CREATE TABLE etl_runs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                ticker TEXT NOT NULL,
                exchange TEXT NOT NULL,
                source TEXT NOT NULL,
                run_trigger TEXT NOT NULL,
                status TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                started_at INTEGER,
                finished_at INTEGER,
                read_count INTEGER NOT NULL DEFAULT 0,
                inserted_count INTEGER NOT NULL DEFAULT 0,
                updated_count INTEGER NOT NULL DEFAULT 0,
                unchanged_count INTEGER NOT NULL DEFAULT 0,
                rejected_count INTEGER NOT NULL DEFAULT 0,
                flagged_count INTEGER NOT NULL DEFAULT 0,
                error TEXT,
                retry_of INTEGER REFERENCES etl_runs (id)
            ) STRICT
            """,
            "CREATE INDEX etl_runs_instrument ON etl_runs (ticker, exchange, id)",
            "CREATE INDEX etl_runs_status ON etl_runs (status, id)",
            """
            CREATE TABLE etl_steps (
                run_id INTEGER NOT NULL REFERENCES etl_runs (id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                status TEXT NOT NULL,
                attempts INTEGER NOT NULL,
                started_at INTEGER,
                finished_at INTEGER,
                duration_ms INTEGER,
                read_count INTEGER NOT NULL,
                inserted_count INTEGER NOT NULL,
                updated_count INTEGER NOT NULL,
                unchanged_count INTEGER NOT NULL,
                rejected_count INTEGER NOT NULL,
                flagged_count INTEGER NOT NULL,
                error TEXT,
                PRIMARY KEY (run_id, name)
            ) STRICT, WITHOUT ROWID
            """,
            """
            CREATE TABLE etl_issues (
                run_id INTEGER NOT NULL REFERENCES etl_runs (id) ON DELETE CASCADE,
                seq INTEGER NOT NULL,
                source_row INTEGER,
                session_date TEXT,
                severity TEXT NOT NULL,
                reason TEXT NOT NULL,
                detail TEXT NOT NULL,
                PRIMARY KEY (run_id, seq)
            ) STRICT, WITHOUT ROWID
            """,
            """
            CREATE TABLE schedule_claims (
                slot TEXT PRIMARY KEY,
                instance TEXT NOT NULL,
                claimed_at INTEGER NOT NULL
            ) STRICT, WITHOUT ROWID
            """,
            """
            CREATE TABLE api_keys (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                name TEXT NOT NULL,
                role TEXT NOT NULL,
                prefix TEXT NOT NULL,
                hash TEXT NOT NULL UNIQUE,
                created_at INTEGER NOT NULL,
                last_used_at INTEGER,
                revoked_at INTEGER
            ) STRICT
            """,
        ],
        postgres: [
            """
            CREATE TABLE raw_bars (
                ticker text COLLATE "C" NOT NULL,
                exchange text COLLATE "C" NOT NULL,
                session_date date NOT NULL,
                open double precision NOT NULL,
                high double precision NOT NULL,
                low double precision NOT NULL,
                close double precision NOT NULL,
                volume bigint NOT NULL,
                source_adj_close double precision,
                source text NOT NULL,
                run_id bigint NOT NULL,
                written_at timestamptz NOT NULL,
                PRIMARY KEY (ticker, exchange, session_date)
            )
            """,
            """
            CREATE TABLE corporate_actions (
                ticker text COLLATE "C" NOT NULL,
                exchange text COLLATE "C" NOT NULL,
                session_date date NOT NULL,
                kind text NOT NULL CHECK (kind IN ('dividend', 'split')),
                value double precision NOT NULL,
                written_at timestamptz NOT NULL,
                PRIMARY KEY (ticker, exchange, session_date, kind)
            )
            """,
            """
            CREATE TABLE clean_bars (
                ticker text COLLATE "C" NOT NULL,
                exchange text COLLATE "C" NOT NULL,
                session_date date NOT NULL,
                open double precision NOT NULL,
                high double precision NOT NULL,
                low double precision NOT NULL,
                close double precision NOT NULL,
                volume bigint NOT NULL,
                source_adj_close double precision,
                adjustment_factor double precision NOT NULL,
                ma5 double precision, ma10 double precision, ema12 double precision, ema26 double precision,
                macd double precision, macd_signal double precision, macd_hist double precision,
                bb_upper double precision, bb_middle double precision, bb_lower double precision,
                vol_ma10 double precision, rsi14 double precision, log_return double precision,
                volatility20 double precision,
                flagged boolean NOT NULL,
                written_at timestamptz NOT NULL,
                PRIMARY KEY (ticker, exchange, session_date)
            )
            """,
            """
            CREATE TABLE clean_bar_summaries (
                ticker text COLLATE "C" NOT NULL,
                exchange text COLLATE "C" NOT NULL,
                bar_count bigint NOT NULL,
                first_session date NOT NULL,
                last_session date NOT NULL,
                flagged_count bigint NOT NULL,
                last_written timestamptz NOT NULL,
                PRIMARY KEY (ticker, exchange)
            )
            """,
            """
            CREATE TABLE tracked_tickers (
                ticker text COLLATE "C" NOT NULL,
                exchange text COLLATE "C" NOT NULL,
                source text NOT NULL,
                added_at timestamptz NOT NULL,
                PRIMARY KEY (ticker, exchange)
            )
            """,
            """
            CREATE TABLE etl_runs (
                id bigserial PRIMARY KEY,
                ticker text COLLATE "C" NOT NULL,
                exchange text COLLATE "C" NOT NULL,
                source text NOT NULL,
                run_trigger text NOT NULL,
                status text NOT NULL,
                created_at timestamptz NOT NULL,
                started_at timestamptz,
                finished_at timestamptz,
                read_count bigint NOT NULL DEFAULT 0,
                inserted_count bigint NOT NULL DEFAULT 0,
                updated_count bigint NOT NULL DEFAULT 0,
                unchanged_count bigint NOT NULL DEFAULT 0,
                rejected_count bigint NOT NULL DEFAULT 0,
                flagged_count bigint NOT NULL DEFAULT 0,
                error text,
                retry_of bigint REFERENCES etl_runs (id)
            )
            """,
            "CREATE INDEX etl_runs_instrument ON etl_runs (ticker, exchange, id)",
            "CREATE INDEX etl_runs_status ON etl_runs (status, id)",
            """
            CREATE TABLE etl_steps (
                run_id bigint NOT NULL REFERENCES etl_runs (id) ON DELETE CASCADE,
                name text NOT NULL,
                status text NOT NULL,
                attempts bigint NOT NULL,
                started_at timestamptz,
                finished_at timestamptz,
                duration_ms bigint,
                read_count bigint NOT NULL,
                inserted_count bigint NOT NULL,
                updated_count bigint NOT NULL,
                unchanged_count bigint NOT NULL,
                rejected_count bigint NOT NULL,
                flagged_count bigint NOT NULL,
                error text,
                PRIMARY KEY (run_id, name)
            )
            """,
            """
            CREATE TABLE etl_issues (
                run_id bigint NOT NULL REFERENCES etl_runs (id) ON DELETE CASCADE,
                seq bigint NOT NULL,
                source_row bigint,
                session_date date,
                severity text NOT NULL,
                reason text NOT NULL,
                detail text NOT NULL,
                PRIMARY KEY (run_id, seq)
            )
            """,
            """
            CREATE TABLE schedule_claims (
                slot text PRIMARY KEY,
                instance text NOT NULL,
                claimed_at timestamptz NOT NULL
            )
            """,
            """
            CREATE TABLE api_keys (
                id bigserial PRIMARY KEY,
                name text NOT NULL,
                role text NOT NULL,
                prefix text NOT NULL,
                hash text NOT NULL UNIQUE,
                created_at timestamptz NOT NULL,
                last_used_at timestamptz,
                revoked_at timestamptz
            )
            """,
        ]
    )
}
