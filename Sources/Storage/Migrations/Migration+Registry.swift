extension Migration {
    /// Version 2: the model registry (models, aliases, alias audit log), background tasks and predictions.
    ///
    /// - `model_version_counters` holds the last version handed out per instrument. `createModel` increments it with
    ///   one upsert inside its transaction (a row lock on PostgreSQL, the write lock on SQLite), so two concurrent
    ///   registrations get n and n+1, and a deleted model's version is never handed out again (its URI, artifacts and
    ///   audit events stay unambiguous).
    /// - JSON (features in SQLite, hyper-parameters, metrics, task payloads and results) is stored as text, byte for
    ///   byte as written; PostgreSQL keeps features as `text[]`.
    /// - `alias_events` and `predictions` name models without a foreign key: history outlives models.
    /// - `tasks.id` is compared in byte order on both backends (`COLLATE "C"` on PostgreSQL), so keyset paging by
    ///   `(created_at, id)` gives the same pages everywhere.
    static let registrySchema = Migration(
        version: 2,
        name: "models_tasks_predictions",
        sqlite: [
            """
            CREATE TABLE model_version_counters (
                ticker TEXT NOT NULL,
                exchange TEXT NOT NULL,
                last_version INTEGER NOT NULL,
                PRIMARY KEY (ticker, exchange)
            ) STRICT, WITHOUT ROWID
            """,
            """
            CREATE TABLE models (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                ticker TEXT NOT NULL,
                exchange TEXT NOT NULL,
                version INTEGER NOT NULL,
                model_type TEXT NOT NULL,
                features TEXT NOT NULL,
                val_size REAL NOT NULL,
                shuffle INTEGER NOT NULL CHECK (shuffle IN (0, 1)),
                train_start TEXT,
                train_end TEXT,
                hyper_parameters TEXT NOT NULL,
                status TEXT NOT NULL,
                run_id TEXT NOT NULL,
                model_uri TEXT NOT NULL,
                metrics_json TEXT,
                artifact_uri TEXT,
                artifact_sha256 TEXT,
                trained_at INTEGER,
                training_seconds REAL,
                data_start TEXT,
                data_end TEXT,
                error TEXT,
                created_at INTEGER NOT NULL,
                UNIQUE (ticker, exchange, version)
            ) STRICT
            """,
            "CREATE INDEX models_instrument ON models (ticker, exchange, id)",
            """
            CREATE TABLE model_aliases (
                ticker TEXT NOT NULL,
                exchange TEXT NOT NULL,
                alias TEXT NOT NULL,
                model_id INTEGER NOT NULL REFERENCES models (id) ON DELETE CASCADE,
                PRIMARY KEY (ticker, exchange, alias)
            ) STRICT, WITHOUT ROWID
            """,
            "CREATE INDEX model_aliases_model ON model_aliases (model_id)",
            """
            CREATE TABLE alias_events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                ticker TEXT NOT NULL,
                exchange TEXT NOT NULL,
                alias TEXT NOT NULL,
                from_model INTEGER,
                to_model INTEGER,
                actor TEXT NOT NULL,
                reason TEXT NOT NULL,
                metrics_json TEXT,
                at INTEGER NOT NULL
            ) STRICT
            """,
            "CREATE INDEX alias_events_instrument ON alias_events (ticker, exchange, id)",
            "CREATE INDEX alias_events_from ON alias_events (from_model, id)",
            "CREATE INDEX alias_events_to ON alias_events (to_model, id)",
            """
            CREATE TABLE tasks (
                id TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                state TEXT NOT NULL,
                progress REAL NOT NULL,
                message TEXT NOT NULL,
                payload_json TEXT NOT NULL,
                result_json TEXT,
                error TEXT,
                model_id INTEGER,
                created_at INTEGER NOT NULL,
                started_at INTEGER,
                finished_at INTEGER
            ) STRICT
            """,
            "CREATE INDEX tasks_created ON tasks (created_at, id)",
            "CREATE INDEX tasks_state ON tasks (state, created_at, id)",
            "CREATE INDEX tasks_kind ON tasks (kind, created_at, id)",
            """
            CREATE TABLE predictions (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                ticker TEXT NOT NULL,
                exchange TEXT NOT NULL,
                target_date TEXT NOT NULL,
                origin_date TEXT NOT NULL,
                horizon INTEGER NOT NULL,
                predicted_close REAL NOT NULL,
                lower_80 REAL NOT NULL,
                upper_80 REAL NOT NULL,
                lower_95 REAL NOT NULL,
                upper_95 REAL NOT NULL,
                origin_close REAL NOT NULL,
                model_id INTEGER NOT NULL,
                task_id TEXT,
                predicted_at INTEGER NOT NULL
            ) STRICT
            """,
            "CREATE INDEX predictions_ticker ON predictions (ticker, id)",
        ],
        postgres: [
            """
            CREATE TABLE model_version_counters (
                ticker text COLLATE "C" NOT NULL,
                exchange text COLLATE "C" NOT NULL,
                last_version bigint NOT NULL,
                PRIMARY KEY (ticker, exchange)
            )
            """,
            """
            CREATE TABLE models (
                id bigserial PRIMARY KEY,
                ticker text COLLATE "C" NOT NULL,
                exchange text COLLATE "C" NOT NULL,
                version bigint NOT NULL,
                model_type text NOT NULL,
                features text[] NOT NULL,
                val_size double precision NOT NULL,
                shuffle boolean NOT NULL,
                train_start date,
                train_end date,
                hyper_parameters text NOT NULL,
                status text NOT NULL,
                run_id text NOT NULL,
                model_uri text NOT NULL,
                metrics_json text,
                artifact_uri text,
                artifact_sha256 text,
                trained_at timestamptz,
                training_seconds double precision,
                data_start date,
                data_end date,
                error text,
                created_at timestamptz NOT NULL,
                UNIQUE (ticker, exchange, version)
            )
            """,
            "CREATE INDEX models_instrument ON models (ticker, exchange, id)",
            """
            CREATE TABLE model_aliases (
                ticker text COLLATE "C" NOT NULL,
                exchange text COLLATE "C" NOT NULL,
                alias text NOT NULL,
                model_id bigint NOT NULL REFERENCES models (id) ON DELETE CASCADE,
                PRIMARY KEY (ticker, exchange, alias)
            )
            """,
            "CREATE INDEX model_aliases_model ON model_aliases (model_id)",
            """
            CREATE TABLE alias_events (
                id bigserial PRIMARY KEY,
                ticker text COLLATE "C" NOT NULL,
                exchange text COLLATE "C" NOT NULL,
                alias text NOT NULL,
                from_model bigint,
                to_model bigint,
                actor text NOT NULL,
                reason text NOT NULL,
                metrics_json text,
                at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX alias_events_instrument ON alias_events (ticker, exchange, id)",
            "CREATE INDEX alias_events_from ON alias_events (from_model, id)",
            "CREATE INDEX alias_events_to ON alias_events (to_model, id)",
            """
            CREATE TABLE tasks (
                id text COLLATE "C" PRIMARY KEY,
                kind text NOT NULL,
                state text NOT NULL,
                progress double precision NOT NULL,
                message text NOT NULL,
                payload_json text NOT NULL,
                result_json text,
                error text,
                model_id bigint,
                created_at timestamptz NOT NULL,
                started_at timestamptz,
                finished_at timestamptz
            )
            """,
            "CREATE INDEX tasks_created ON tasks (created_at, id)",
            "CREATE INDEX tasks_state ON tasks (state, created_at, id)",
            "CREATE INDEX tasks_kind ON tasks (kind, created_at, id)",
            """
            CREATE TABLE predictions (
                id bigserial PRIMARY KEY,
                ticker text COLLATE "C" NOT NULL,
                exchange text COLLATE "C" NOT NULL,
                target_date date NOT NULL,
                origin_date date NOT NULL,
                horizon bigint NOT NULL,
                predicted_close double precision NOT NULL,
                lower_80 double precision NOT NULL,
                upper_80 double precision NOT NULL,
                lower_95 double precision NOT NULL,
                upper_95 double precision NOT NULL,
                origin_close double precision NOT NULL,
                model_id bigint NOT NULL,
                task_id text,
                predicted_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX predictions_ticker ON predictions (ticker, id)",
        ]
    )
}
