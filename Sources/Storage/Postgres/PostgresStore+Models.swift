import struct Foundation.Date
import PostgresNIO
import PredictionCore

extension PostgresStore {
    /// Class id of the transaction-scoped advisory locks that serialise alias moves per instrument (the second key
    /// is `hashtext('<ticker>@<exchange>')`). Two-key advisory locks never collide with `migrationLockKey`.
    static let aliasLockClass: Int32 = 0x5363_416C

    private static let modelColumns = """
        id, ticker, exchange, version, model_type, features, val_size, shuffle,
        (train_start - DATE '1970-01-01') AS train_start, (train_end - DATE '1970-01-01') AS train_end,
        hyper_parameters, status, run_id, model_uri, metrics_json, artifact_uri, artifact_sha256, trained_at,
        training_seconds, (data_start - DATE '1970-01-01') AS data_start, (data_end - DATE '1970-01-01') AS data_end,
        error, created_at
        """

    private static let aliasEventColumns = "id, ticker, exchange, alias, from_model, to_model, actor, reason, metrics_json, at"

    private static func decodeModel(_ row: PostgresRow) throws -> ModelRecord {
        let row = row.makeRandomAccess()
        return ModelRecord(
            id: try row.value("id", Int64.self), instrument: try row.instrument(), version: try row.value("version", Int.self),
            modelType: try row.enumValue(ModelType.self, "model_type"), features: try row.value("features", [String].self),
            valSize: try row.value("val_size", Double.self), shuffle: try row.value("shuffle", Bool.self),
            trainStart: try row.optionalSession("train_start"), trainEnd: try row.optionalSession("train_end"),
            hyperParameters: try StoredJSON.value(
                HyperParameters.self, from: try row.value("hyper_parameters", String.self), column: "hyper_parameters"),
            status: try row.enumValue(ModelStatus.self, "status"), runID: try row.value("run_id", String.self),
            modelURI: try row.value("model_uri", String.self), metricsJSON: try row.value("metrics_json", String?.self),
            artifactURI: try row.value("artifact_uri", String?.self),
            artifactSHA256: try row.value("artifact_sha256", String?.self),
            trainedAt: try row.optionalTimestamp("trained_at"),
            trainingSeconds: try row.value("training_seconds", Double?.self),
            dataStart: try row.optionalSession("data_start"), dataEnd: try row.optionalSession("data_end"),
            error: try row.value("error", String?.self), createdAt: try row.timestamp("created_at"))
    }

    private static func decodeAliasEvent(_ row: PostgresRow) throws -> AliasEvent {
        let row = row.makeRandomAccess()
        return AliasEvent(
            id: try row.value("id", Int64.self), instrument: try row.instrument(),
            alias: try row.enumValue(ModelAlias.self, "alias"), fromModel: try row.value("from_model", Int64?.self),
            toModel: try row.value("to_model", Int64?.self), actor: try row.value("actor", String.self),
            reason: try row.value("reason", String.self), metricsJSON: try row.value("metrics_json", String?.self),
            at: try row.timestamp("at"))
    }

    public func createModel(_ model: NewModel) async throws -> ModelRecord {
        let hyperParameters = try StoredJSON.text(model.hyperParameters, field: "hyper_parameters")
        let valSize = try model.valSize.storedRequired("val_size")
        let (ticker, exchange) = (model.instrument.ticker.rawValue, model.instrument.exchange.rawValue)
        let createdAt = StoredTimestamp.now()
        return try await self.transaction { connection in
            // The upsert locks the instrument's counter row until COMMIT: a concurrent registration of the same
            // instrument waits here and then reads the incremented value (n, then n + 1).
            let counter = try await self.rows(
                """
                INSERT INTO model_version_counters (ticker, exchange, last_version) VALUES (\(ticker), \(exchange), 1)
                ON CONFLICT (ticker, exchange) DO UPDATE SET last_version = model_version_counters.last_version + 1
                RETURNING last_version
                """, on: connection)
            guard let version = try counter.first?.makeRandomAccess().value("last_version", Int64.self) else {
                throw StorageError(.queryFailed, "assigning a model version returned no row")
            }
            let rows = try await self.rows(
                """
                INSERT INTO models (ticker, exchange, version, model_type, features, val_size, shuffle, train_start,
                    train_end, hyper_parameters, status, run_id, model_uri, created_at)
                VALUES (\(ticker), \(exchange), \(version), \(model.modelType.rawValue), \(model.features)::text[],
                    \(valSize), \(model.shuffle), DATE '1970-01-01' + \(model.trainStart?.dayNumber)::int4,
                    DATE '1970-01-01' + \(model.trainEnd?.dayNumber)::int4, \(hyperParameters),
                    \(ModelStatus.registered.rawValue), '', '', \(PostgresTimestamp(createdAt)))
                RETURNING \(unescaped: Self.modelColumns)
                """, on: connection)
            guard let row = rows.first else { throw StorageError(.queryFailed, "registering the model returned no row") }
            return try Self.decodeModel(row)
        }
    }

    public func model(id: Int64) async throws -> ModelRecord? {
        try await self.rows("SELECT \(unescaped: Self.modelColumns) FROM models WHERE id = \(id)").first.map(Self.decodeModel)
    }

    public func models(of instrument: InstrumentKey?, offset: Int, limit: Int) async throws -> [ModelRecord] {
        guard limit > 0 else { return [] }
        let offset = max(offset, 0)
        guard let instrument else {
            return try await self.rows(
                "SELECT \(unescaped: Self.modelColumns) FROM models ORDER BY id LIMIT \(limit) OFFSET \(offset)"
            ).map(Self.decodeModel)
        }
        return try await self.rows(
            """
            SELECT \(unescaped: Self.modelColumns) FROM models
            WHERE ticker = \(instrument.ticker.rawValue) AND exchange = \(instrument.exchange.rawValue)
            ORDER BY id LIMIT \(limit) OFFSET \(offset)
            """
        ).map(Self.decodeModel)
    }

    public func updateModel(_ model: ModelRecord, fencedBy fence: TaskFence?) async throws {
        let trainingSeconds = model.trainingSeconds.storedOptional
        let rows = try await self.rows(
            """
            UPDATE models SET status = \(model.status.rawValue), run_id = \(model.runID), model_uri = \(model.modelURI),
                metrics_json = \(model.metricsJSON), artifact_uri = \(model.artifactURI),
                artifact_sha256 = \(model.artifactSHA256), trained_at = \(PostgresTimestamp.optional(model.trainedAt)),
                training_seconds = \(trainingSeconds),
                data_start = DATE '1970-01-01' + \(model.dataStart?.dayNumber)::int4,
                data_end = DATE '1970-01-01' + \(model.dataEnd?.dayNumber)::int4, error = \(model.error)
            WHERE id = \(model.id) AND (\(fence == nil) OR EXISTS (
                SELECT 1 FROM tasks WHERE id = \(fence?.taskID) AND attempt = \(fence?.attempt) AND owner = \(fence?.instance)
                    AND state = 'running'))
            RETURNING id
            """)
        guard rows.isEmpty else { return }
        guard try await self.model(id: model.id) != nil else { throw StorageError(.notFound, "model \(model.id) does not exist") }
        throw StorageError(.superseded, "task \(fence?.taskID ?? "-") attempt \(fence?.attempt ?? 0) no longer holds model \(model.id)")
    }

    public func deleteModel(id: Int64) async throws -> Bool {
        // Alias rows go with it (ON DELETE CASCADE); alias_events keep their history.
        !(try await self.rows("DELETE FROM models WHERE id = \(id) RETURNING id")).isEmpty
    }

    public func aliases(of instrument: InstrumentKey) async throws -> [ModelAlias: Int64] {
        var aliases: [ModelAlias: Int64] = [:]
        for row in try await self.rows(
            """
            SELECT alias, model_id FROM model_aliases
            WHERE ticker = \(instrument.ticker.rawValue) AND exchange = \(instrument.exchange.rawValue)
            """)
        {
            let row = row.makeRandomAccess()
            aliases[try row.enumValue(ModelAlias.self, "alias")] = try row.value("model_id", Int64.self)
        }
        return aliases
    }

    public func moveAlias(
        _ alias: ModelAlias, of instrument: InstrumentKey, to model: Int64?, actor: String, reason: String, metricsJSON: String?
    ) async throws -> AliasEvent {
        let (ticker, exchange) = (instrument.ticker.rawValue, instrument.exchange.rawValue)
        let at = StoredTimestamp.now()
        return try await self.transaction { connection in
            // Serialises moves of this instrument's aliases (the alias row may not exist yet, so a row lock cannot).
            try await self.rows(
                "SELECT pg_advisory_xact_lock(\(Self.aliasLockClass), hashtext(\(instrument.description)))", on: connection)
            if let model {
                // FOR SHARE: the target cannot be deleted before this transaction commits.
                let owner = try await self.rows(
                    "SELECT ticker, exchange FROM models WHERE id = \(model) FOR SHARE", on: connection)
                guard let row = owner.first else { throw StorageError(.notFound, "model \(model) does not exist") }
                let owning = try row.makeRandomAccess().instrument()
                guard owning == instrument else {
                    throw StorageError(.invalidValue, "model \(model) belongs to \(owning), not \(instrument)")
                }
            }
            let current = try await self.rows(
                """
                SELECT model_id FROM model_aliases
                WHERE ticker = \(ticker) AND exchange = \(exchange) AND alias = \(alias.rawValue)
                """, on: connection)
            let from = try current.first?.makeRandomAccess().value("model_id", Int64.self)
            if let model {
                try await self.rows(
                    """
                    INSERT INTO model_aliases (ticker, exchange, alias, model_id)
                    VALUES (\(ticker), \(exchange), \(alias.rawValue), \(model))
                    ON CONFLICT (ticker, exchange, alias) DO UPDATE SET model_id = EXCLUDED.model_id
                    """, on: connection)
            } else {
                try await self.rows(
                    """
                    DELETE FROM model_aliases
                    WHERE ticker = \(ticker) AND exchange = \(exchange) AND alias = \(alias.rawValue)
                    """, on: connection)
            }
            let rows = try await self.rows(
                """
                INSERT INTO alias_events (ticker, exchange, alias, from_model, to_model, actor, reason, metrics_json, at)
                VALUES (\(ticker), \(exchange), \(alias.rawValue), \(from), \(model), \(actor), \(reason),
                    \(metricsJSON), \(PostgresTimestamp(at)))
                RETURNING \(unescaped: Self.aliasEventColumns)
                """, on: connection)
            guard let row = rows.first else { throw StorageError(.queryFailed, "recording the alias move returned no row") }
            return try Self.decodeAliasEvent(row)
        }
    }

    public func aliasEvents(of instrument: InstrumentKey?, involving model: Int64?, limit: Int) async throws -> [AliasEvent] {
        guard limit > 0 else { return [] }
        let ticker = instrument?.ticker.rawValue
        let exchange = instrument?.exchange.rawValue
        return try await self.rows(
            """
            SELECT \(unescaped: Self.aliasEventColumns) FROM alias_events
            WHERE (\(ticker)::text IS NULL OR (ticker = \(ticker) AND exchange = \(exchange)))
                AND (\(model)::int8 IS NULL OR from_model = \(model) OR to_model = \(model))
            ORDER BY id DESC LIMIT \(limit)
            """
        ).map(Self.decodeAliasEvent)
    }
}
