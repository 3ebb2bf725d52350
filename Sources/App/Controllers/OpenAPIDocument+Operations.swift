extension OpenAPIDocument {
    /// Every operation, by area.
    static var operations: [Operation] {
        self.systemOperations + self.datasetOperations + self.modelOperations + self.taskOperations + self.predictOperations
            + self.keyOperations
    }

    static var systemOperations: [Operation] {
        [
            webSocketChannel,
            Operation(method: "get", path: "/metrics", summary: "Prometheus metrics (text exposition; names in docs/STREAMS.md)", tag: "system", role: nil, usesStore: false),
            Operation(
                method: "get", path: "/api/ui/config", summary: "What the web UI needs: instance, Grafana/Prometheus links", tag: "system", role: nil,
                success: ("200", ref("UIConfig")), usesStore: false
            ),
            Operation(
                method: "get", path: "/api/alerts", summary: "Alerts raised by the anomaly detector, newest first", tag: "monitoring", role: "viewer",
                parameters: [
                    queryParam("state", "active, resolved or all (default all)", schema: oneOf(["active", "resolved", "all"])), tickerFilterParam,
                    limitParam(max: 500, default: 50), idCursorParam,
                ],
                success: ("200", ref("AlertPage"))
            ),
            Operation(method: "get", path: "/health", summary: "Liveness", tag: "system", role: nil, success: ("200", ref("Health")), usesStore: false),
            Operation(
                method: "get", path: "/ready", summary: "Readiness: storage reachable and migrations applied", tag: "system", role: nil,
                success: ("200", ref("Readiness")), usesStore: true
            ),
            Operation(method: "get", path: "/openapi.json", summary: "This document", tag: "system", role: nil, usesStore: false),
        ]
    }

    static var datasetOperations: [Operation] {
        [
            Operation(
                method: "get", path: "/api/datasets", summary: "One row per stored (ticker, exchange)", tag: "datasets", role: "viewer",
                success: ("200", array("Dataset"))
            ),
            Operation(
                method: "get", path: "/api/datasets/{ticker}/prices", summary: "Cleaned bars with indicators, ascending, keyset-paged",
                tag: "datasets", role: "viewer",
                parameters: [
                    tickerParam, exchangeParam(required: false, "Exchange; required when the ticker is stored for several"),
                    queryParam("from", "First session (inclusive)", schema: dateSchema), queryParam("to", "Last session (inclusive)", schema: dateSchema),
                    limitParam(max: 5000, default: 1000), queryParam("cursor", "next_cursor of the previous page (a session date)", schema: dateSchema),
                ],
                success: ("200", ref("PricePage"))
            ),
            Operation(
                method: "post", path: "/api/datasets/{ticker}/import", summary: "Upload a CSV and run the ETL pipeline on it",
                tag: "datasets", role: "operator", parameters: [tickerParam, exchangeParam(required: true)],
                body: ("text/csv", ["type": "string", "minLength": 1, "description": "A price file: header Date,Open,High,Low,Close,Volume (Adj Close, Dividends, Stock Splits optional)"]),
                success: ("202", ref("Run"))
            ),
            Operation(
                method: "post", path: "/api/run-etl", summary: "Run the ETL for a list of instruments", tag: "etl", role: "operator",
                body: ("application/json", ["type": "array", "minItems": 1, "maxItems": 100, "items": ref("RunRequest")]),
                success: ("202", ref("RunSubmission")), errors: ["404"]
            ),
            Operation(
                method: "get", path: "/api/etl/runs", summary: "ETL runs, newest first", tag: "etl", role: "viewer",
                parameters: [
                    tickerFilterParam, queryParam("status", "Only runs in this state", schema: oneOf(["pending", "running", "completed", "failed"])),
                    limitParam(max: 500, default: 50), idCursorParam,
                ],
                success: ("200", ref("RunPage"))
            ),
            Operation(
                method: "get", path: "/api/etl/runs/{id}", summary: "A run with its steps and the first page of its report",
                tag: "etl", role: "viewer", parameters: [idParam], success: ("200", ref("RunDetail"))
            ),
            Operation(
                method: "get", path: "/api/etl/runs/{id}/issues", summary: "Rejected and flagged rows of a run, paged", tag: "etl", role: "viewer",
                parameters: [idParam, limitParam(max: 5000, default: 200), queryParam("cursor", "next_cursor", schema: integer(0...Int(Int64.max)))],
                success: ("200", ref("IssuePage"))
            ),
            Operation(
                method: "post", path: "/api/etl/runs/{id}/retry", summary: "Queue a new run like a failed one", tag: "etl",
                role: "operator", parameters: [idParam], success: ("202", ref("Run")), errors: ["409"]
            ),
            Operation(
                method: "get", path: "/api/etl/tickers", summary: "The tracked-ticker list (run daily), by ticker; next page's cursor in X-Next-Cursor",
                tag: "etl", role: "viewer",
                parameters: [
                    limitParam(max: 1000, default: 1000),
                    queryParam("cursor", "X-Next-Cursor of the previous page", schema: ["type": "string", "pattern": "^[A-Za-z0-9^][A-Za-z0-9.^=_-]{0,19}@[A-Za-z0-9._-]{1,16}$"]),
                ],
                success: ("200", array("TrackedTicker"))
            ),
            Operation(
                method: "post", path: "/api/etl/tickers", summary: "Track a ticker (or change its source)", tag: "etl", role: "operator",
                body: ("application/json", ref("TrackRequest")), success: ("201", ref("TrackedTicker")), errors: ["200", "404"]
            ),
            Operation(
                method: "delete", path: "/api/etl/tickers/{ticker}", summary: "Stop tracking a ticker (data is kept)", tag: "etl",
                role: "operator", parameters: [tickerParam, exchangeParam(required: true)], success: ("200", ref("Message"))
            ),
        ]
    }

    static var modelOperations: [Operation] {
        [
            Operation(
                method: "get", path: "/api/models", summary: "Registered models", tag: "models", role: "viewer",
                parameters: [queryParam("skip", "Models to skip", schema: integer(0...1_000_000)), limitParam(max: 500, default: 100)],
                success: ("200", array("Model"))
            ),
            Operation(
                method: "post", path: "/api/models", summary: "Register a model", tag: "models", role: "operator",
                body: ("application/json", ref("RegisterModel")), success: ("201", ref("Registered")), errors: ["404"]
            ),
            Operation(method: "get", path: "/api/models/{id}", summary: "One model", tag: "models", role: "viewer", parameters: [idParam], success: ("200", ref("Model"))),
            Operation(
                method: "delete", path: "/api/models/{id}", summary: "Delete a model and its artifact (champion: ?force=true)", tag: "models",
                role: "operator", parameters: [idParam, queryParam("force", "true to delete the current champion", schema: oneOf(["true", "false"]))],
                success: ("200", ref("Model")), errors: ["409"]
            ),
            Operation(
                method: "post", path: "/api/models/{id}/promote", summary: "Promote to champion through the gate (MASE(h=1) < 1)",
                tag: "models", role: "operator",
                parameters: [idParam, queryParam("force", "true to promote past the gate (logged)", schema: oneOf(["true", "false"]))],
                success: ("200", ref("Promotion")), errors: ["409"]
            ),
            Operation(
                method: "post", path: "/api/models/{id}/rollback", summary: "Move the champion of ticker {id} back to the previous one",
                tag: "models", role: "operator", parameters: [pathParam("id", "Ticker symbol", schema: tickerSchema), exchangeParam(required: true)],
                success: ("200", ref("AliasEvent")), errors: ["409"]
            ),
            Operation(
                method: "get", path: "/api/models/{id}/history", summary: "Alias moves involving the model (audit log)", tag: "models",
                role: "viewer", parameters: [idParam], success: ("200", array("AliasEvent"))
            ),
            Operation(
                method: "get", path: "/api/models/features", summary: "Model types and the feature names a registration accepts", tag: "models",
                role: "viewer", success: ("200", ref("FeatureCatalog")), usesStore: false
            ),
            Operation(
                method: "get", path: "/api/mlflow/models", summary: "Models in the original UI's MLflow shape", tag: "models", role: "viewer",
                parameters: [queryParam("skip", "Models to skip", schema: integer(0...1_000_000)), limitParam(max: 500, default: 100)],
                success: ("200", array("MLflowModel"))
            ),
            Operation(method: "get", path: "/api/mlflow/{id}", summary: "One model in the MLflow shape", tag: "models", role: "viewer", parameters: [idParam], success: ("200", ref("MLflowModel"))),
        ]
    }

    static var taskOperations: [Operation] {
        [
            Operation(
                method: "post", path: "/api/train", summary: "Train a registered model as a background task", tag: "tasks", role: "operator",
                body: ("application/json", ref("TrainRequest")), success: ("202", ref("Submitted")), errors: ["404", "409"]
            ),
            Operation(
                method: "get", path: "/api/train/status/{id}", summary: "Training task state, progress, result or error", tag: "tasks", role: "viewer",
                parameters: [taskIDParam], success: ("200", ref("Task"))
            ),
            Operation(
                method: "delete", path: "/api/train/{id}", summary: "Cancel a training task (it stops within a boosting round)", tag: "tasks",
                role: "operator", parameters: [taskIDParam], success: ("200", ref("Task")), errors: ["202", "409"]
            ),
            Operation(
                method: "get", path: "/api/tasks", summary: "Tasks, newest first (the Flower replacement)", tag: "tasks", role: "viewer",
                parameters: [
                    queryParam("state", "Only tasks in this state", schema: oneOf(["pending", "running", "completed", "failed", "cancelled"])),
                    queryParam("kind", "Only tasks of this kind", schema: oneOf(["train", "forecast"])), limitParam(max: 500, default: 50),
                    queryParam("cursor", "next_cursor of the previous page (a task id)", schema: taskIDSchema),
                ],
                success: ("200", ref("TaskPage")), errors: ["404"]
            ),
            Operation(method: "get", path: "/api/tasks/{id}", summary: "One task", tag: "tasks", role: "viewer", parameters: [taskIDParam], success: ("200", ref("Task"))),
            Operation(
                method: "post", path: "/api/tasks/{id}/cancel", summary: "Cancel a task: 200 when it had not started, 202 while a running one stops (within a boosting round)",
                tag: "tasks", role: "operator", parameters: [taskIDParam], success: ("200", ref("Task")), errors: ["202", "409"]
            ),
            Operation(
                method: "delete", path: "/api/tasks/{id}", summary: "Delete the record of a finished task (409 while pending or running: cancel it first)",
                tag: "tasks", role: "operator", parameters: [taskIDParam], success: ("200", ref("Message")), errors: ["409"]
            ),
        ]
    }

    static var predictOperations: [Operation] {
        [
            Operation(
                method: "post", path: "/api/predict", summary: "Predict the close of one session (stored and published)", tag: "predict",
                role: "operator", body: ("application/json", ref("PredictRequest")), success: ("200", ref("Prediction")), errors: ["404", "409"]
            ),
            Operation(
                method: "get", path: "/api/predict", summary: "Prediction history, newest first, with actual_close once known (next page: X-Next-Cursor header)",
                tag: "predict", role: "viewer", parameters: [tickerFilterParam, limitParam(max: 1000, default: 100), idCursorParam],
                success: ("200", array("Prediction"))
            ),
            Operation(
                method: "post", path: "/api/predict/future", summary: "Multi-day forecast (1-30 sessions) as a background task", tag: "predict",
                role: "operator", body: ("application/json", ref("FutureRequest")), success: ("202", ref("Submitted")), errors: ["404", "409"]
            ),
            Operation(
                method: "get", path: "/api/predict/future/status/{id}", summary: "Forecast task state and result", tag: "predict", role: "viewer",
                parameters: [taskIDParam], success: ("200", ref("Task"))
            ),
            Operation(
                method: "get", path: "/api/predict/future/partial_status/{id}", summary: "Points computed so far", tag: "predict", role: "viewer",
                parameters: [taskIDParam], success: ("200", ref("PartialStatus"))
            ),
            Operation(
                method: "delete", path: "/api/predict/future/{id}", summary: "Cancel a forecast task", tag: "predict", role: "operator",
                parameters: [taskIDParam], success: ("200", ref("Task")), errors: ["202", "409"]
            ),
        ]
    }

    static var keyOperations: [Operation] {
        [
            Operation(
                method: "post", path: "/api/keys", summary: "Create an API key (the secret is returned once)", tag: "auth", role: "admin",
                body: ("application/json", ref("CreateKeyRequest")), success: ("201", ref("APIKey"))
            ),
            Operation(
                method: "get", path: "/api/keys", summary: "List API keys, ascending by id (next page's cursor in X-Next-Cursor)", tag: "auth", role: "admin",
                parameters: [limitParam(max: 1000, default: 100), idCursorParam], success: ("200", array("APIKey"))
            ),
            Operation(
                method: "post", path: "/api/keys/{id}/rotate",
                summary: "Replace a key by a new secret (same name and role); the old one is revoked, or expires after grace_seconds", tag: "auth",
                role: "admin", parameters: [idParam], body: ("application/json", ref("RotateKeyRequest")), bodyRequired: false, success: ("201", ref("APIKey"))
            ),
            Operation(
                method: "delete", path: "/api/keys/{id}", summary: "Revoke an API key", tag: "auth", role: "admin", parameters: [idParam],
                success: ("200", ref("Message")), errors: ["409"]
            ),
            Operation(
                method: "get", path: "/api/audit", summary: "Audit log: every change made through the API, newest first (next page's cursor in X-Next-Cursor)",
                tag: "auth", role: "admin", parameters: [limitParam(max: 1000, default: 100), idCursorParam], success: ("200", array("AuditEvent"))
            ),
            Operation(method: "get", path: "/api/auth/me", summary: "The presented key: name, role, prefix", tag: "auth", role: "viewer", success: ("200", ref("APIKey"))),
        ]
    }

    /// The WebSocket channels (docs/STREAMS.md describes the frames); a request that is not upgraded gets the JSON error.
    static var webSocketChannel: Operation {
        Operation(
            method: "get", path: "/ws/{channel}",
            summary: "WebSocket stream of live events: channel predictions, metrics, alerts or tasks (frames in docs/STREAMS.md)",
            tag: "streams", role: nil,
            parameters: [
                pathParam("channel", "predictions, metrics, alerts or tasks", schema: oneOf(["predictions", "metrics", "alerts", "tasks"])),
                queryParam("tickers", "Comma-separated ticker filter", schema: string),
                ["name": "Sec-WebSocket-Protocol", "in": "header", "required": false, "schema": ["type": "string"],
                 "description": "stockcast, bearer.<key>: the key (never in the URL) when auth.read_requires_key"],
            ],
            success: ("101", nil), errors: ["401", "403", "426", "429"], usesStore: true
        )
    }
}
