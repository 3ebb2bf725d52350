extension Migration {
    /// Version 3: prediction scoring and alerts.
    ///
    /// - `predictions` gains `actual_close` and `scored_at`, NULL together (unscored) or set together (a CHECK says
    ///   so). Two partial indexes on `(ticker, exchange, target_date, id)`, one over unscored and one over scored rows,
    ///   serve "unscored of one instrument up to a date, oldest first" and "scored of one instrument, latest first"
    ///   without reading the other rows. Existing predictions stay, unscored.
    /// - `alerts` keeps every alert. A service-level alert stores `''` as ticker and exchange, so the partial unique
    ///   index `alerts_one_active` on active `(kind, ticker, exchange)` allows one active alert per kind and instrument
    ///   for it too (NULLs never conflict). `messages` is a JSON array as text and `details` JSON text byte for byte,
    ///   on both backends.
    static let alertsAndScoringSchema = Migration(
        version: 3,
        name: "prediction_scores_alerts",
        sqlite: [
            "ALTER TABLE predictions ADD COLUMN scored_at INTEGER",
            "ALTER TABLE predictions ADD COLUMN actual_close REAL CHECK ((actual_close IS NULL) = (scored_at IS NULL))",
            """
            CREATE INDEX predictions_unscored ON predictions (ticker, exchange, target_date, id)
            WHERE scored_at IS NULL
            """,
            """
            CREATE INDEX predictions_scored ON predictions (ticker, exchange, target_date, id)
            WHERE scored_at IS NOT NULL
            """,
            """
            CREATE TABLE alerts (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                kind TEXT NOT NULL,
                ticker TEXT NOT NULL,
                exchange TEXT NOT NULL,
                target_date TEXT,
                messages TEXT NOT NULL,
                details TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('active', 'resolved')),
                raised_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                resolved_at INTEGER,
                instance TEXT NOT NULL,
                CHECK ((state = 'resolved') = (resolved_at IS NOT NULL)),
                CHECK ((ticker = '') = (exchange = ''))
            ) STRICT
            """,
            "CREATE UNIQUE INDEX alerts_one_active ON alerts (kind, ticker, exchange) WHERE state = 'active'",
            "CREATE INDEX alerts_state ON alerts (state, id)",
            "CREATE INDEX alerts_ticker ON alerts (ticker, id)",
        ],
        postgres: [
            """
            ALTER TABLE predictions ADD COLUMN actual_close double precision, ADD COLUMN scored_at timestamptz,
                ADD CONSTRAINT predictions_scored_together CHECK ((actual_close IS NULL) = (scored_at IS NULL))
            """,
            """
            CREATE INDEX predictions_unscored ON predictions (ticker, exchange, target_date, id)
            WHERE scored_at IS NULL
            """,
            """
            CREATE INDEX predictions_scored ON predictions (ticker, exchange, target_date, id)
            WHERE scored_at IS NOT NULL
            """,
            """
            CREATE TABLE alerts (
                id bigserial PRIMARY KEY,
                kind text COLLATE "C" NOT NULL,
                ticker text COLLATE "C" NOT NULL,
                exchange text COLLATE "C" NOT NULL,
                target_date date,
                messages text NOT NULL,
                details text NOT NULL,
                state text NOT NULL CHECK (state IN ('active', 'resolved')),
                raised_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL,
                resolved_at timestamptz,
                instance text NOT NULL,
                CHECK ((state = 'resolved') = (resolved_at IS NOT NULL)),
                CHECK ((ticker = '') = (exchange = ''))
            )
            """,
            "CREATE UNIQUE INDEX alerts_one_active ON alerts (kind, ticker, exchange) WHERE state = 'active'",
            "CREATE INDEX alerts_state ON alerts (state, id)",
            "CREATE INDEX alerts_ticker ON alerts (ticker, id)",
        ]
    )
}
