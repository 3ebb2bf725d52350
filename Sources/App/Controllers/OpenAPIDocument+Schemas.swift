import PredictionCore

extension OpenAPIDocument {
    /// A source of `POST /api/run-etl` and `/api/etl/tickers`: `yahoo`, `stooq`, or `csv:FILE` inside `<data_dir>/import/`.
    /// A file is named by path segments that do not start with a dot (so never `..`), relative to the import directory.
    nonisolated(unsafe) static let sourceSchema: [String: Any] = [
        "type": ["string", "null"], "pattern": "^(yahoo|stooq|csv:[A-Za-z0-9_-][A-Za-z0-9_.-]*(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*)$",
        "description": "yahoo (default) | stooq | csv:FILE (inside <data_dir>/import/; 404 when there is no such file)",
    ]

    static var schemas: [String: Any] {
        let counts = object(
            ["read": integer, "inserted": integer, "updated": integer, "unchanged": integer, "rejected": integer, "flagged": integer],
            required: ["read", "inserted", "updated", "unchanged", "rejected", "flagged"]
        )
        var price: [String: Any] = [
            "date": date, "open": number, "high": number, "low": number, "close": number, "volume": integer, "adj_close": number,
            "adjustment_factor": number, "flagged": ["type": "boolean"],
        ]
        for name in ["MA5", "MA10", "EMA12", "EMA26", "MACD", "MACD_signal", "MACD_hist", "BB_upper", "BB_middle", "BB_lower", "VOL_MA10", "RSI14", "log_return", "volatility20"] {
            price[name] = nullableNumber
        }
        let run = object(
            [
                "id": integer, "ticker": string, "exchange": string, "source": string,
                "trigger": ["type": "string", "enum": ["manual", "schedule", "upload", "retry", "bootstrap", "repair"]],
                "status": ["type": "string", "enum": ["pending", "running", "completed", "failed"]],
                "created_at": dateTime, "started_at": nullableDateTime, "finished_at": nullableDateTime,
                "duration_ms": ["type": ["integer", "null"]], "counts": ref("Counts"), "error": nullableString,
                "retry_of": ["type": ["integer", "null"]],
            ],
            required: ["id", "ticker", "exchange", "source", "trigger", "status", "created_at", "counts"]
        )
        return [
            "Error": object(["detail": string, "code": string], required: ["detail", "code"]),
            "Message": object(["message": string], required: ["message"]),
            "Health": object(["status": string, "instance": string], required: ["status"]),
            "Readiness": object(
                ["status": string, "storage": string, "schema_version": integer, "expected_schema_version": integer, "artifacts": string],
                required: ["status", "storage", "schema_version"]
            ),
            "Dataset": object(
                [
                    "ticker": string, "exchange": string, "start_date": date, "end_date": date, "count": integer,
                    "parquet_ready": ["type": "boolean"], "last_updated": dateTime, "source": nullableString, "flagged_rows": integer,
                ],
                required: ["ticker", "exchange", "start_date", "end_date", "count", "parquet_ready"]
            ),
            "Price": object(price, required: ["date", "open", "high", "low", "close", "volume"]),
            "PricePage": object(
                ["ticker": string, "exchange": string, "count": integer, "next_cursor": nullableString, "prices": array("Price")],
                required: ["ticker", "exchange", "count", "prices"]
            ),
            "Counts": counts,
            "Run": run,
            "Step": object(
                [
                    "name": ["type": "string", "enum": ["fetch", "validate", "upsert_raw", "clean", "store"]], "status": string,
                    "attempts": integer, "started_at": nullableDateTime, "finished_at": nullableDateTime,
                    "duration_ms": ["type": ["integer", "null"]], "counts": ref("Counts"), "error": nullableString,
                ],
                required: ["name", "status", "attempts", "counts"]
            ),
            "Issue": object(
                [
                    "seq": integer, "row": ["type": ["integer", "null"]], "date": ["type": ["string", "null"], "format": "date"],
                    "severity": ["type": "string", "enum": ["rejected", "flagged"]], "reason": string, "detail": string,
                ],
                required: ["seq", "severity", "reason", "detail"]
            ),
            "RunDetail": object(
                ["run": ref("Run"), "steps": array("Step"), "issues": array("Issue"), "issues_next_cursor": ["type": ["integer", "null"]]],
                required: ["run", "steps", "issues"]
            ),
            "IssuePage": object(
                ["run_id": integer, "issues": array("Issue"), "next_cursor": ["type": ["integer", "null"]]], required: ["run_id", "issues"]
            ),
            "RunPage": object(["runs": array("Run"), "next_cursor": ["type": ["integer", "null"]]], required: ["runs"]),
            "RunRequest": object(["ticker": tickerSchema, "exchange": exchangeSchema, "source": sourceSchema], required: ["ticker", "exchange"]),
            "RunSubmission": object(
                ["message": string, "run_ids": ["type": "array", "items": integer], "runs": array("Run")], required: ["message", "run_ids", "runs"]
            ),
            "TrackedTicker": object(
                ["ticker": string, "exchange": string, "source": string, "added_at": dateTime], required: ["ticker", "exchange", "source", "added_at"]
            ),
            "TrackRequest": object(["ticker": tickerSchema, "exchange": exchangeSchema, "source": sourceSchema], required: ["ticker", "exchange"]),
            "APIKey": object(
                [
                    "id": integer, "name": string, "role": ["type": "string", "enum": ["viewer", "operator", "admin"]], "prefix": string,
                    "created_at": dateTime, "last_used_at": nullableDateTime, "revoked_at": nullableDateTime, "expires_at": nullableDateTime,
                    "replaced_by": ["type": ["integer", "null"]], "status": ["type": "string", "enum": ["active", "expired", "revoked"]],
                    "key": ["type": ["string", "null"], "description": "the secret; only in the answer to POST /api/keys and rotate"],
                ],
                required: ["id", "name", "role", "prefix", "created_at", "status"]
            ),
            "AuditEvent": object(
                [
                    "id": integer, "at": dateTime, "key_id": ["type": ["integer", "null"]], "actor": string,
                    "role": ["type": "string", "enum": ["viewer", "operator", "admin"]], "action": string, "target": string, "status": integer,
                    "address": string,
                ],
                required: ["id", "at", "actor", "role", "action", "target", "status", "address"]
            ),
            "RotateKeyRequest": object(
                ["grace_seconds": nullable(integer(0...KeyController.maxGraceSeconds)), "expires_in_days": nullable(integer(1...KeyController.maxLifetimeDays))],
                required: []
            ),
            "Model": ["type": "object", "description": "Registered model: the original's metadata fields plus version, status, hyper_parameters, metrics (backtest report), artifact, aliases"],
            "MLflowModel": ["type": "object", "description": "The original UI's shape: is_trained, metrics, params, artifact_uri"],
            "RegisterModel": object(
                [
                    "ticker": tickerSchema, "exchange": exchangeSchema, "model_type": oneOf(ModelType.allCases.map(\.rawValue)),
                    "features": ["type": "array", "maxItems": 64, "items": oneOf(FeatureCatalog.acceptedNames)],
                    "train_start_date": dateSchema, "train_end_date": dateSchema,
                    "val_size": ["type": "number", "exclusiveMinimum": 0, "maximum": 0.5],
                    "validation_split": ["type": "number", "exclusiveMinimum": 0, "maximum": 0.5],
                    "shuffle": ["type": "boolean"], "n_estimators": integer(1...2000), "hyper_parameters": ref("HyperParameters"),
                ],
                required: ["ticker", "exchange"]
            ),
            "HyperParameters": object(
                [
                    "n_estimators": integer(1...2000), "max_depth": integer(1...16),
                    "learning_rate": ["type": "number", "exclusiveMinimum": 0, "maximum": 1],
                    "subsample": ["type": "number", "exclusiveMinimum": 0, "maximum": 1],
                    "colsample_bynode": ["type": "number", "exclusiveMinimum": 0, "maximum": 1],
                    "ridge_alphas": ["type": "array", "minItems": 1, "maxItems": 32, "items": ["type": "number", "exclusiveMinimum": 0, "maximum": 1e300]],
                    "max_horizon": integer(1...30), "refit_every": integer(1...500), "seed": integer(0...Int(Int64.max)), "threads": integer(1...8),
                ],
                required: []
            ),
            "Registered": object(["id": integer, "message": string, "version": integer, "notes": ["type": "array", "items": string]], required: ["id", "message"]),
            "Promotion": ["type": "object", "description": "model_id, alias, previous_model_id, verdict {passed, rule, mase, theilU, …}, at"],
            "AliasEvent": ["type": "object", "description": "id, ticker, exchange, alias, from_model_id, to_model_id, actor, reason, metrics, at"],
            "TrainRequest": object(["model_id": integer(1...Int(Int64.max))], required: ["model_id"]),
            "Submitted": object(["task_id": string, "status": string], required: ["task_id", "status"]),
            "Task": ["type": "object", "description": "task_id, kind, status (pending|running|completed|failed|cancelled), progress, message, result | error, owner (instance), attempt, cancel_requested"],
            "FeatureCatalog": object(
                [
                    "model_types": ["type": "array", "items": string], "default_features": ["type": "array", "items": string],
                    "features": ["type": "array", "items": object(
                        ["name": string, "original_names": ["type": "array", "items": string], "lookback_sessions": integer, "default": ["type": "boolean"]],
                        required: ["name", "original_names", "lookback_sessions", "default"]
                    )],
                ],
                required: ["model_types", "features", "default_features"]
            ),
            "UIConfig": object(
                ["instance": string, "grafana_url": nullableString, "prometheus_url": nullableString, "read_requires_key": ["type": "boolean"], "kafka": ["type": "boolean"]],
                required: ["instance", "read_requires_key", "kafka"]
            ),
            "Alert": object(
                [
                    "id": integer, "kind": string, "state": string, "ticker": nullableString, "exchange": nullableString, "target_date": nullableString,
                    "messages": ["type": "array", "items": string], "details": ["type": "object"], "raised_at": dateTime, "updated_at": dateTime,
                    "resolved_at": nullableDateTime, "instance": string,
                ],
                required: ["id", "kind", "state", "messages", "raised_at", "updated_at", "instance"]
            ),
            "AlertPage": object(["alerts": array("Alert"), "next_cursor": ["type": ["integer", "null"]]], required: ["alerts"]),
            "TaskPage": object(["tasks": array("Task"), "next_cursor": nullableString], required: ["tasks"]),
            "PredictRequest": object(
                ["ticker": tickerSchema, "exchange": exchangeSchema, "target_date": dateSchema, "model_id": integer(1...Int(Int64.max))],
                required: ["ticker", "exchange", "target_date"]
            ),
            "Prediction": ["type": "object", "description": "ticker, exchange, target_date, origin_date, horizon, predicted_close, lower_80, upper_80, lower_95, upper_95, actual_close, error, naive_error, model_metadata_id, predicted_at, msg"],
            "FutureRequest": object(
                ["ticker": tickerSchema, "exchange": exchangeSchema, "days": integer(1...30), "model_id": integer(1...Int(Int64.max))],
                required: ["ticker", "exchange"]
            ),
            "PartialStatus": ["type": "object", "description": "task_id, status, progress, result (points so far), error"],
            "CreateKeyRequest": object(
                [
                    "name": ["type": "string", "minLength": 1, "maxLength": 100, "pattern": "\\S"], "role": oneOf(["viewer", "operator", "admin"]),
                    "expires_in_days": nullable(integer(1...KeyController.maxLifetimeDays)),
                ],
                required: ["name", "role"]
            ),
        ]
    }
}
