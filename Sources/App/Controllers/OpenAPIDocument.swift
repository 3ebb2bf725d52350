import Foundation

/// The OpenAPI 3.1 description of every route, served at `GET /openapi.json`. Written by hand; `OpenAPITests`
/// checks that it lists exactly the routes the router registers, so it cannot drift.
enum OpenAPIDocument {
    /// One documented operation.
    struct Operation {
        let method: String
        let path: String
        let summary: String
        let tag: String
        /// Minimum role, `nil` for open routes (reads: `viewer` when `auth.read_requires_key`).
        let role: String?
        var parameters: [[String: Any]] = []
        var body: (contentType: String, schema: [String: Any])? = nil
        var success: (status: String, schema: [String: Any]?) = ("200", nil)
        var errors: [String] = []
    }

    static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
    static func array(_ name: String) -> [String: Any] { ["type": "array", "items": ref(name)] }
    static func pathParam(_ name: String, _ description: String, type: String = "string") -> [String: Any] {
        ["name": name, "in": "path", "required": true, "description": description, "schema": ["type": type]]
    }
    static func queryParam(_ name: String, _ description: String, type: String = "string", format: String? = nil, required: Bool = false) -> [String: Any] {
        var schema: [String: Any] = ["type": type]
        if let format { schema["format"] = format }
        return ["name": name, "in": "query", "required": required, "description": description, "schema": schema]
    }

    nonisolated(unsafe) static let tickerParam = pathParam("ticker", "Ticker symbol, e.g. GOOG or ^GSPC (percent-encode ^ as %5E)")
    nonisolated(unsafe) static let idParam = pathParam("id", "Numeric id", type: "integer")
    nonisolated(unsafe) static let limitParam = queryParam("limit", "Page size (bounded; see each route)", type: "integer")

    /// Every operation, in path order.
    static var operations: [Operation] {
        [
            webSocketChannel,
            Operation(
                method: "get", path: "/metrics", summary: "Prometheus metrics (text exposition; names in docs/STREAMS.md)", tag: "system", role: nil
            ),
            Operation(method: "get", path: "/api/ui/config", summary: "What the web UI needs: instance, Grafana/Prometheus links", tag: "system", role: nil, success: ("200", ref("UIConfig"))),
            Operation(
                method: "get", path: "/api/alerts", summary: "Alerts raised by the anomaly detector, newest first", tag: "monitoring", role: "viewer",
                parameters: [
                    queryParam("state", "active, resolved or all (default all)"), queryParam("ticker", "Filter"),
                    queryParam("limit", "1..500 (default 50)", type: "integer"), queryParam("cursor", "next_cursor"),
                ],
                success: ("200", ref("AlertPage")), errors: ["400"]
            ),
            Operation(method: "get", path: "/health", summary: "Liveness", tag: "system", role: nil, success: ("200", ref("Health"))),
            Operation(
                method: "get", path: "/ready", summary: "Readiness: storage reachable and migrations applied", tag: "system", role: nil,
                success: ("200", ref("Readiness")), errors: ["503"]
            ),
            Operation(method: "get", path: "/openapi.json", summary: "This document", tag: "system", role: nil),
            Operation(
                method: "get", path: "/api/datasets", summary: "One row per stored (ticker, exchange)", tag: "datasets", role: "viewer",
                success: ("200", array("Dataset"))
            ),
            Operation(
                method: "get", path: "/api/datasets/{ticker}/prices", summary: "Cleaned bars with indicators, ascending, keyset-paged",
                tag: "datasets", role: "viewer",
                parameters: [
                    tickerParam, queryParam("exchange", "Exchange; required when the ticker is stored for several"),
                    queryParam("from", "First session (YYYY-MM-DD, inclusive)", format: "date"),
                    queryParam("to", "Last session (YYYY-MM-DD, inclusive)", format: "date"),
                    queryParam("limit", "1..api.max_page_size (default 1000)", type: "integer"),
                    queryParam("cursor", "next_cursor of the previous page"),
                ],
                success: ("200", ref("PricePage")), errors: ["400", "404"]
            ),
            Operation(
                method: "post", path: "/api/datasets/{ticker}/import", summary: "Upload a CSV and run the ETL pipeline on it",
                tag: "datasets", role: "operator",
                parameters: [tickerParam, queryParam("exchange", "Exchange of the series", required: true)],
                body: ("text/csv", ["type": "string"]), success: ("202", ref("Run")), errors: ["400", "413", "422"]
            ),
            Operation(
                method: "post", path: "/api/run-etl", summary: "Run the ETL for a list of instruments", tag: "etl", role: "operator",
                body: ("application/json", ["type": "array", "maxItems": 100, "items": ref("RunRequest")]),
                success: ("202", ref("RunSubmission")), errors: ["400", "413", "422"]
            ),
            Operation(
                method: "get", path: "/api/etl/runs", summary: "ETL runs, newest first", tag: "etl", role: "viewer",
                parameters: [
                    queryParam("ticker", "Filter by ticker"), queryParam("status", "pending, running, completed or failed"),
                    queryParam("limit", "1..500 (default 50)", type: "integer"), queryParam("cursor", "next_cursor of the previous page"),
                ],
                success: ("200", ref("RunPage")), errors: ["400"]
            ),
            Operation(
                method: "get", path: "/api/etl/runs/{id}", summary: "A run with its steps and the first page of its report",
                tag: "etl", role: "viewer", parameters: [idParam], success: ("200", ref("RunDetail")), errors: ["400", "404"]
            ),
            Operation(
                method: "get", path: "/api/etl/runs/{id}/issues", summary: "Rejected and flagged rows of a run, paged",
                tag: "etl", role: "viewer",
                parameters: [idParam, queryParam("limit", "1..5000 (default 200)", type: "integer"), queryParam("cursor", "next_cursor")],
                success: ("200", ref("IssuePage")), errors: ["400", "404"]
            ),
            Operation(
                method: "post", path: "/api/etl/runs/{id}/retry", summary: "Queue a new run like a failed one", tag: "etl",
                role: "operator", parameters: [idParam], success: ("202", ref("Run")), errors: ["404", "409"]
            ),
            Operation(
                method: "get", path: "/api/etl/tickers", summary: "The tracked-ticker list (run daily), by ticker; next page's cursor in X-Next-Cursor",
                tag: "etl", role: "viewer",
                parameters: [queryParam("limit", "1..1000 (default 1000)", type: "integer"), queryParam("cursor", "X-Next-Cursor of the previous page (TICKER@EXCHANGE)")],
                success: ("200", array("TrackedTicker")), errors: ["400"]
            ),
            Operation(
                method: "post", path: "/api/etl/tickers", summary: "Track a ticker (or change its source)", tag: "etl", role: "operator",
                body: ("application/json", ref("TrackRequest")), success: ("201", ref("TrackedTicker")), errors: ["400", "422"]
            ),
            Operation(
                method: "delete", path: "/api/etl/tickers/{ticker}", summary: "Stop tracking a ticker (data is kept)", tag: "etl",
                role: "operator", parameters: [tickerParam, queryParam("exchange", "Exchange", required: true)],
                success: ("200", ref("Message")), errors: ["400", "404"]
            ),
            Operation(
                method: "get", path: "/api/models", summary: "Registered models (skip, limit ≤ 500)", tag: "models", role: "viewer",
                parameters: [queryParam("skip", "Models to skip", type: "integer"), queryParam("limit", "1..500 (default 100)", type: "integer")],
                success: ("200", array("Model")), errors: ["400"]
            ),
            Operation(
                method: "post", path: "/api/models", summary: "Register a model", tag: "models", role: "operator",
                body: ("application/json", ref("RegisterModel")), success: ("201", ref("Registered")), errors: ["413", "422"]
            ),
            Operation(method: "get", path: "/api/models/{id}", summary: "One model", tag: "models", role: "viewer", parameters: [idParam], success: ("200", ref("Model")), errors: ["400", "404"]),
            Operation(
                method: "delete", path: "/api/models/{id}", summary: "Delete a model and its artifact (champion: ?force=true)", tag: "models",
                role: "operator", parameters: [idParam, queryParam("force", "true to delete the current champion")], success: ("200", ref("Model")),
                errors: ["404", "409"]
            ),
            Operation(
                method: "post", path: "/api/models/{id}/promote", summary: "Promote to champion through the gate (MASE(h=1) < 1)",
                tag: "models", role: "operator", parameters: [idParam, queryParam("force", "true to promote past the gate (logged)")],
                success: ("200", ref("Promotion")), errors: ["404", "409"]
            ),
            Operation(
                method: "post", path: "/api/models/{id}/rollback", summary: "Move the champion of ticker {id} back to the previous one",
                tag: "models", role: "operator", parameters: [pathParam("id", "Ticker symbol"), queryParam("exchange", "Exchange", required: true)],
                success: ("200", ref("AliasEvent")), errors: ["400", "409"]
            ),
            Operation(
                method: "get", path: "/api/models/{id}/history", summary: "Alias moves involving the model (audit log)", tag: "models",
                role: "viewer", parameters: [idParam], success: ("200", array("AliasEvent")), errors: ["404"]
            ),
            Operation(method: "get", path: "/api/mlflow/models", summary: "Models in the original UI's MLflow shape", tag: "models", role: "viewer", success: ("200", array("MLflowModel"))),
            Operation(method: "get", path: "/api/mlflow/{id}", summary: "One model in the MLflow shape", tag: "models", role: "viewer", parameters: [idParam], success: ("200", ref("MLflowModel")), errors: ["404"]),
            Operation(
                method: "post", path: "/api/train", summary: "Train a registered model as a background task", tag: "tasks", role: "operator",
                body: ("application/json", ref("TrainRequest")), success: ("202", ref("Submitted")), errors: ["404", "409", "422", "429"]
            ),
            Operation(method: "get", path: "/api/train/status/{id}", summary: "Training task state, progress, result or error", tag: "tasks", role: "viewer", parameters: [pathParam("id", "Task id")], success: ("200", ref("Task")), errors: ["404"]),
            Operation(method: "delete", path: "/api/train/{id}", summary: "Cancel a training task (stops at the next fold)", tag: "tasks", role: "operator", parameters: [pathParam("id", "Task id")], success: ("200", ref("Task")), errors: ["404", "409"]),
            Operation(
                method: "get", path: "/api/tasks", summary: "Tasks, newest first (the Flower replacement)", tag: "tasks", role: "viewer",
                parameters: [
                    queryParam("state", "pending, running, completed, failed or cancelled"), queryParam("kind", "train or forecast"),
                    queryParam("limit", "1..500 (default 50)", type: "integer"), queryParam("cursor", "next_cursor"),
                ],
                success: ("200", ref("TaskPage")), errors: ["400"]
            ),
            Operation(method: "get", path: "/api/tasks/{id}", summary: "One task", tag: "tasks", role: "viewer", parameters: [pathParam("id", "Task id")], success: ("200", ref("Task")), errors: ["404"]),
            Operation(
                method: "post", path: "/api/tasks/{id}/cancel", summary: "Cancel a task: 200 when it had not started, 202 while a running one stops (within a boosting round)",
                tag: "tasks", role: "operator", parameters: [pathParam("id", "Task id")], success: ("200", ref("Task")), errors: ["202", "404", "409"]
            ),
            Operation(
                method: "delete", path: "/api/tasks/{id}", summary: "Delete the record of a finished task (409 while pending or running: cancel it first)",
                tag: "tasks", role: "operator", parameters: [pathParam("id", "Task id")], success: ("200", ref("Message")), errors: ["404", "409"]
            ),
            Operation(
                method: "post", path: "/api/predict", summary: "Predict the close of one session (stored and published)", tag: "predict",
                role: "operator", body: ("application/json", ref("PredictRequest")), success: ("200", ref("Prediction")), errors: ["404", "409", "422"]
            ),
            Operation(
                method: "get", path: "/api/predict", summary: "Prediction history, newest first, with actual_close once known (next page: X-Next-Cursor header)",
                tag: "predict", role: "viewer",
                parameters: [queryParam("ticker", "Filter"), queryParam("limit", "1..1000 (default 100)", type: "integer"), queryParam("cursor", "X-Next-Cursor")],
                success: ("200", array("Prediction")), errors: ["400"]
            ),
            Operation(
                method: "post", path: "/api/predict/future", summary: "Multi-day forecast (1-30 sessions) as a background task", tag: "predict",
                role: "operator", body: ("application/json", ref("FutureRequest")), success: ("202", ref("Submitted")), errors: ["404", "409", "422", "429"]
            ),
            Operation(method: "get", path: "/api/predict/future/status/{id}", summary: "Forecast task state and result", tag: "predict", role: "viewer", parameters: [pathParam("id", "Task id")], success: ("200", ref("Task")), errors: ["404"]),
            Operation(method: "get", path: "/api/predict/future/partial_status/{id}", summary: "Points computed so far", tag: "predict", role: "viewer", parameters: [pathParam("id", "Task id")], success: ("200", ref("PartialStatus")), errors: ["404"]),
            Operation(method: "delete", path: "/api/predict/future/{id}", summary: "Cancel a forecast task", tag: "predict", role: "operator", parameters: [pathParam("id", "Task id")], success: ("200", ref("Task")), errors: ["404", "409"]),
            Operation(
                method: "post", path: "/api/keys", summary: "Create an API key (the secret is returned once)", tag: "auth", role: "admin",
                body: ("application/json", ref("CreateKeyRequest")), success: ("201", ref("APIKey")), errors: ["422"]
            ),
            Operation(
                method: "get", path: "/api/keys", summary: "List API keys, ascending by id (next page's cursor in X-Next-Cursor)", tag: "auth", role: "admin",
                parameters: [queryParam("limit", "1..1000 (default 100)", type: "integer"), queryParam("cursor", "X-Next-Cursor of the previous page", type: "integer")],
                success: ("200", array("APIKey")), errors: ["400"]
            ),
            Operation(
                method: "post", path: "/api/keys/{id}/rotate",
                summary: "Replace a key by a new secret (same name and role); the old one is revoked, or expires after grace_seconds", tag: "auth",
                role: "admin", parameters: [idParam], body: ("application/json", ref("RotateKeyRequest")), success: ("201", ref("APIKey")),
                errors: ["400", "404", "422"]
            ),
            Operation(
                method: "get", path: "/api/audit", summary: "Audit log: every change made through the API, newest first (next page's cursor in X-Next-Cursor)",
                tag: "auth", role: "admin",
                parameters: [queryParam("limit", "1..1000 (default 100)", type: "integer"), queryParam("cursor", "X-Next-Cursor of the previous page", type: "integer")],
                success: ("200", array("AuditEvent")), errors: ["400"]
            ),
            Operation(method: "get", path: "/api/auth/me", summary: "The presented key: name, role, prefix", tag: "auth", role: "viewer", success: ("200", ref("APIKey"))),
            Operation(
                method: "get", path: "/api/models/features", summary: "Model types and the feature names a registration accepts", tag: "models",
                role: "viewer", success: ("200", ref("FeatureCatalog"))
            ),
            Operation(
                method: "delete", path: "/api/keys/{id}", summary: "Revoke an API key", tag: "auth", role: "admin", parameters: [idParam],
                success: ("200", ref("Message")), errors: ["404", "409"]
            ),
        ]
    }

    /// The WebSocket channels (docs/STREAMS.md describes the frames); a request that is not upgraded gets the JSON error.
    static var webSocketChannel: Operation {
            Operation(
                method: "get", path: "/ws/{channel}",
                summary: "WebSocket stream of live events: channel predictions, metrics, alerts or tasks (frames in docs/STREAMS.md)",
                tag: "streams", role: nil,
                parameters: [
                    pathParam("channel", "predictions, metrics, alerts or tasks"), queryParam("tickers", "Comma-separated ticker filter"),
                    ["name": "Sec-WebSocket-Protocol", "in": "header", "required": false, "schema": ["type": "string"],
                     "description": "stockcast, bearer.<key>: the key (never in the URL) when auth.read_requires_key"],
                ],
                success: ("101", nil), errors: ["400", "401", "403", "404", "426", "429"]
            )
    }

    /// The document as JSON.
    static func json() throws -> Data {
        var paths: [String: [String: Any]] = [:]
        for op in self.operations {
            var responses: [String: Any] = [:]
            var success: [String: Any] = ["description": "Success"]
            if let schema = op.success.schema { success["content"] = ["application/json": ["schema": schema]] }
            responses[op.success.status] = success
            for status in op.errors + (op.role == nil ? [] : ["401", "403"]) {
                // A second success status (202 for a cancel still in progress) has the success body.
                responses[status] = status.hasPrefix("2") ? success : ["description": "Error", "content": ["application/json": ["schema": ref("Error")]]]
            }
            var operation: [String: Any] = [
                "summary": op.summary, "tags": [op.tag], "operationId": "\(op.method)\(op.path)", "responses": responses,
            ]
            if !op.parameters.isEmpty { operation["parameters"] = op.parameters }
            if let body = op.body { operation["requestBody"] = ["required": true, "content": [body.contentType: ["schema": body.schema]]] }
            if let role = op.role {
                operation["security"] = role == "viewer" ? [[:], ["bearer": []]] : [["bearer": []]]
                operation["x-required-role"] = role
            }
            paths[op.path, default: [:]][op.method] = operation
        }
        let document: [String: Any] = [
            "openapi": "3.1.0",
            "info": [
                "title": "StockCast API", "version": "0.1.0",
                "description": "Market data, ETL, models and forecasts. Errors are {\"detail\", \"code\"}. Reads are open unless auth.read_requires_key; writes need an operator key, key management an admin key.",
            ],
            "paths": paths,
            "components": ["schemas": Self.schemas, "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]]],
        ]
        return try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .prettyPrinted])
    }

    static func object(_ properties: [String: Any], required: [String]) -> [String: Any] {
        ["type": "object", "properties": properties, "required": required]
    }

    nonisolated(unsafe) static let string: [String: Any] = ["type": "string"]
    nonisolated(unsafe) static let nullableString: [String: Any] = ["type": ["string", "null"]]
    nonisolated(unsafe) static let integer: [String: Any] = ["type": "integer"]
    nonisolated(unsafe) static let number: [String: Any] = ["type": "number"]
    nonisolated(unsafe) static let nullableNumber: [String: Any] = ["type": ["number", "null"]]
    nonisolated(unsafe) static let date: [String: Any] = ["type": "string", "format": "date"]
    nonisolated(unsafe) static let dateTime: [String: Any] = ["type": "string", "format": "date-time"]
    nonisolated(unsafe) static let nullableDateTime: [String: Any] = ["type": ["string", "null"], "format": "date-time"]

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
                "trigger": ["type": "string", "enum": ["manual", "schedule", "upload", "retry", "bootstrap"]],
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
                ["status": string, "storage": string, "schema_version": integer, "expected_schema_version": integer],
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
            "RunRequest": object(
                ["ticker": string, "exchange": string, "source": ["type": "string", "description": "yahoo | stooq | csv:FILE (inside <data_dir>/import/)"]],
                required: ["ticker", "exchange"]
            ),
            "RunSubmission": object(
                ["message": string, "run_ids": ["type": "array", "items": integer], "runs": array("Run")], required: ["message", "run_ids", "runs"]
            ),
            "TrackedTicker": object(
                ["ticker": string, "exchange": string, "source": string, "added_at": dateTime], required: ["ticker", "exchange", "source", "added_at"]
            ),
            "TrackRequest": object(["ticker": string, "exchange": string, "source": string], required: ["ticker", "exchange"]),
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
            "RotateKeyRequest": object(["grace_seconds": integer, "expires_in_days": integer], required: []),
            "Model": ["type": "object", "description": "Registered model: the original's metadata fields plus version, status, hyper_parameters, metrics (backtest report), artifact, aliases"],
            "MLflowModel": ["type": "object", "description": "The original UI's shape: is_trained, metrics, params, artifact_uri"],
            "RegisterModel": object(
                [
                    "ticker": string, "exchange": string, "model_type": ["type": "string", "enum": ["naive", "drift", "linear_regression", "xgboost", "random_forest"]],
                    "features": ["type": "array", "items": string], "train_start_date": date, "train_end_date": date, "val_size": number,
                    "shuffle": ["type": "boolean"], "n_estimators": integer, "hyper_parameters": ["type": "object"],
                ],
                required: ["ticker", "exchange"]
            ),
            "Registered": object(["id": integer, "message": string, "version": integer, "notes": ["type": "array", "items": string]], required: ["id", "message"]),
            "Promotion": ["type": "object", "description": "model_id, alias, previous_model_id, verdict {passed, rule, mase, theilU, …}, at"],
            "AliasEvent": ["type": "object", "description": "id, ticker, exchange, alias, from_model_id, to_model_id, actor, reason, metrics, at"],
            "TrainRequest": object(["model_id": integer], required: ["model_id"]),
            "Submitted": object(["task_id": string, "status": string], required: ["task_id", "status"]),
            "Task": ["type": "object", "description": "task_id, kind, status (pending|running|completed|failed|cancelled), progress, message, result | error"],
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
            "PredictRequest": object(["ticker": string, "exchange": string, "target_date": date, "model_id": integer], required: ["ticker", "exchange", "target_date"]),
            "Prediction": ["type": "object", "description": "ticker, exchange, target_date, origin_date, horizon, predicted_close, lower_80, upper_80, lower_95, upper_95, actual_close, error, naive_error, model_metadata_id, predicted_at, msg"],
            "FutureRequest": object(["ticker": string, "exchange": string, "days": integer, "model_id": integer], required: ["ticker", "exchange"]),
            "PartialStatus": ["type": "object", "description": "task_id, status, progress, result (points so far), error"],
            "CreateKeyRequest": object(
                ["name": string, "role": ["type": "string", "enum": ["viewer", "operator", "admin"]], "expires_in_days": integer], required: ["name", "role"]
            ),
        ]
    }
}
