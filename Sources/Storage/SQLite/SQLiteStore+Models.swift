import struct Foundation.Date
import PredictionCore
import SQLiteNIO

extension SQLiteStore {
    private static let modelColumns = """
        id, ticker, exchange, version, model_type, features, val_size, shuffle, train_start, train_end,
        hyper_parameters, status, run_id, model_uri, metrics_json, artifact_uri, artifact_sha256, trained_at,
        training_seconds, data_start, data_end, error, created_at
        """

    private static let aliasEventColumns = "id, ticker, exchange, alias, from_model, to_model, actor, reason, metrics_json, at"

    private static func decodeModel(_ row: SQLiteRow) throws -> ModelRecord {
        ModelRecord(
            id: try row.int64("id"), instrument: try row.instrument(), version: try row.int("version"),
            modelType: try row.enumValue(ModelType.self, "model_type"),
            features: try StoredJSON.value([String].self, from: try row.text("features"), column: "features"),
            valSize: try row.double("val_size"), shuffle: try row.bool("shuffle"),
            trainStart: try row.optionalSessionDate("train_start"), trainEnd: try row.optionalSessionDate("train_end"),
            hyperParameters: try StoredJSON.value(
                HyperParameters.self, from: try row.text("hyper_parameters"), column: "hyper_parameters"),
            status: try row.enumValue(ModelStatus.self, "status"), runID: try row.text("run_id"),
            modelURI: try row.text("model_uri"), metricsJSON: try row.optionalText("metrics_json"),
            artifactURI: try row.optionalText("artifact_uri"), artifactSHA256: try row.optionalText("artifact_sha256"),
            trainedAt: try row.optionalTimestamp("trained_at"), trainingSeconds: try row.optionalDouble("training_seconds"),
            dataStart: try row.optionalSessionDate("data_start"), dataEnd: try row.optionalSessionDate("data_end"),
            error: try row.optionalText("error"), createdAt: try row.timestamp("created_at"))
    }

    private static func decodeAliasEvent(_ row: SQLiteRow) throws -> AliasEvent {
        AliasEvent(
            id: try row.int64("id"), instrument: try row.instrument(), alias: try row.enumValue(ModelAlias.self, "alias"),
            fromModel: try row.optionalInt64("from_model"), toModel: try row.optionalInt64("to_model"),
            actor: try row.text("actor"), reason: try row.text("reason"), metricsJSON: try row.optionalText("metrics_json"),
            at: try row.timestamp("at"))
    }

    private static func instrumentBinds(_ instrument: InstrumentKey) -> [SQLiteData] {
        [.text(instrument.ticker.rawValue), .text(instrument.exchange.rawValue)]
    }

    public func createModel(_ model: NewModel) async throws -> ModelRecord {
        let features = try StoredJSON.text(model.features, field: "features")
        let hyperParameters = try StoredJSON.text(model.hyperParameters, field: "hyper_parameters")
        let valSize = try model.valSize.storedRequired("val_size")
        let createdAt = StoredTimestamp.now()
        let instrument = Self.instrumentBinds(model.instrument)
        return try await self.write { session in
            // Inside BEGIN IMMEDIATE: no other connection or process writes until COMMIT, so the counter and the
            // insert see and leave a consistent state.
            let counter = try await session.query(
                """
                INSERT INTO model_version_counters (ticker, exchange, last_version) VALUES (?1, ?2, 1)
                ON CONFLICT (ticker, exchange) DO UPDATE SET last_version = model_version_counters.last_version + 1
                RETURNING last_version
                """, instrument)
            guard let version = try counter.first?.int64("last_version") else {
                throw StorageError(.queryFailed, "assigning a model version returned no row")
            }
            let rows = try await session.query(
                """
                INSERT INTO models (ticker, exchange, version, model_type, features, val_size, shuffle, train_start,
                    train_end, hyper_parameters, status, run_id, model_uri, created_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, '', '', ?12)
                RETURNING \(Self.modelColumns)
                """,
                instrument + [
                    .int64(version), .text(model.modelType.rawValue), .text(features), .float(valSize),
                    .integer(model.shuffle ? 1 : 0), .session(model.trainStart), .session(model.trainEnd),
                    .text(hyperParameters), .text(ModelStatus.registered.rawValue), .timestamp(createdAt),
                ])
            guard let row = rows.first else { throw StorageError(.queryFailed, "registering the model returned no row") }
            return try Self.decodeModel(row)
        }
    }

    public func model(id: Int64) async throws -> ModelRecord? {
        try await self.read { session in
            try await session.query("SELECT \(Self.modelColumns) FROM models WHERE id = ?1", [.int64(id)])
                .first.map(Self.decodeModel)
        }
    }

    public func models(of instrument: InstrumentKey?, offset: Int, limit: Int) async throws -> [ModelRecord] {
        guard limit > 0 else { return [] }
        let page: [SQLiteData] = [.integer(limit), .integer(max(offset, 0))]
        return try await self.read { session in
            if let instrument {
                return try await session.query(
                    """
                    SELECT \(Self.modelColumns) FROM models WHERE ticker = ?1 AND exchange = ?2
                    ORDER BY id LIMIT ?3 OFFSET ?4
                    """, Self.instrumentBinds(instrument) + page
                ).map(Self.decodeModel)
            }
            return try await session.query(
                "SELECT \(Self.modelColumns) FROM models ORDER BY id LIMIT ?1 OFFSET ?2", page
            ).map(Self.decodeModel)
        }
    }

    public func updateModel(_ model: ModelRecord, fencedBy fence: TaskFence?) async throws {
        let trainingSeconds = model.trainingSeconds.storedOptional
        try await self.write { session in
            let rows = try await session.query(
                """
                UPDATE models SET status = ?2, run_id = ?3, model_uri = ?4, metrics_json = ?5, artifact_uri = ?6,
                    artifact_sha256 = ?7, trained_at = ?8, training_seconds = ?9, data_start = ?10, data_end = ?11,
                    error = ?12
                WHERE id = ?1 AND (?13 IS NULL OR EXISTS (
                    SELECT 1 FROM tasks WHERE id = ?13 AND attempt = ?14 AND owner = ?15 AND state = 'running'))
                RETURNING id
                """,
                [
                    .int64(model.id), .text(model.status.rawValue), .text(model.runID), .text(model.modelURI),
                    .optionalText(model.metricsJSON), .optionalText(model.artifactURI),
                    .optionalText(model.artifactSHA256), .timestamp(model.trainedAt), .optionalFloat(trainingSeconds),
                    .session(model.dataStart), .session(model.dataEnd), .optionalText(model.error),
                    .optionalText(fence?.taskID), .int64(Int64(fence?.attempt ?? 0)), .optionalText(fence?.instance),
                ])
            guard rows.isEmpty else { return }
            guard try await session.query("SELECT 1 FROM models WHERE id = ?1", [.int64(model.id)]).isEmpty else {
                throw StorageError(.superseded, "task \(fence?.taskID ?? "-") attempt \(fence?.attempt ?? 0) no longer holds model \(model.id)")
            }
            throw StorageError(.notFound, "model \(model.id) does not exist")
        }
    }

    public func deleteModel(id: Int64) async throws -> Bool {
        try await self.write { session in
            // Alias rows go with it (ON DELETE CASCADE, foreign keys are on); alias_events keep their history.
            !(try await session.query("DELETE FROM models WHERE id = ?1 RETURNING id", [.int64(id)])).isEmpty
        }
    }

    public func aliases(of instrument: InstrumentKey) async throws -> [ModelAlias: Int64] {
        try await self.read { session in
            var aliases: [ModelAlias: Int64] = [:]
            for row in try await session.query(
                "SELECT alias, model_id FROM model_aliases WHERE ticker = ?1 AND exchange = ?2",
                Self.instrumentBinds(instrument))
            {
                aliases[try row.enumValue(ModelAlias.self, "alias")] = try row.int64("model_id")
            }
            return aliases
        }
    }

    public func moveAlias(
        _ alias: ModelAlias, of instrument: InstrumentKey, to model: Int64?, actor: String, reason: String, metricsJSON: String?
    ) async throws -> AliasEvent {
        let at = StoredTimestamp.now()
        let key = Self.instrumentBinds(instrument) + [.text(alias.rawValue)]
        return try await self.write { session in
            if let model {
                let owner = try await session.query("SELECT ticker, exchange FROM models WHERE id = ?1", [.int64(model)])
                guard let row = owner.first else { throw StorageError(.notFound, "model \(model) does not exist") }
                let owning = try row.instrument()
                guard owning == instrument else {
                    throw StorageError(.invalidValue, "model \(model) belongs to \(owning), not \(instrument)")
                }
            }
            let current = try await session.query(
                "SELECT model_id FROM model_aliases WHERE ticker = ?1 AND exchange = ?2 AND alias = ?3", key)
            let from = try current.first?.int64("model_id")
            if let model {
                try await session.query(
                    """
                    INSERT INTO model_aliases (ticker, exchange, alias, model_id) VALUES (?1, ?2, ?3, ?4)
                    ON CONFLICT (ticker, exchange, alias) DO UPDATE SET model_id = excluded.model_id
                    """, key + [.int64(model)])
            } else {
                try await session.query(
                    "DELETE FROM model_aliases WHERE ticker = ?1 AND exchange = ?2 AND alias = ?3", key)
            }
            let rows = try await session.query(
                """
                INSERT INTO alias_events (ticker, exchange, alias, from_model, to_model, actor, reason, metrics_json, at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING \(Self.aliasEventColumns)
                """,
                key + [
                    from.map { .int64($0) } ?? .null, model.map { .int64($0) } ?? .null, .text(actor), .text(reason),
                    .optionalText(metricsJSON), .timestamp(at),
                ])
            guard let row = rows.first else { throw StorageError(.queryFailed, "recording the alias move returned no row") }
            return try Self.decodeAliasEvent(row)
        }
    }

    public func aliasEvents(of instrument: InstrumentKey?, involving model: Int64?, limit: Int) async throws -> [AliasEvent] {
        guard limit > 0 else { return [] }
        return try await self.read { session in
            try await session.query(
                """
                SELECT \(Self.aliasEventColumns) FROM alias_events
                WHERE (?1 IS NULL OR (ticker = ?1 AND exchange = ?2)) AND (?3 IS NULL OR from_model = ?3 OR to_model = ?3)
                ORDER BY id DESC LIMIT ?4
                """,
                [
                    .optionalText(instrument?.ticker.rawValue), .optionalText(instrument?.exchange.rawValue),
                    model.map { .int64($0) } ?? .null, .integer(limit),
                ]
            ).map(Self.decodeAliasEvent)
        }
    }
}
