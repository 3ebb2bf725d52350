import Actors
import Foundation
import NIOCore
import Storage

/// Every setting of `stockcast`, typed. Defaults live in `defaultValues` (identical to `Config/default.json`, which a
/// test checks); see `ConfigValues` for how layers override them and README "Configuration" for each key.
struct AppConfiguration: Sendable {
    /// `http.host`: address to bind. Defaults to `127.0.0.1`.
    var host = "127.0.0.1"
    /// `http.port`: port to bind (0 = any free port). Defaults to `8080`.
    var port = 8080
    /// `data_dir`: holds the SQLite database, `admin.key`, artifacts and `import/`. Defaults to `./var`.
    var dataDirectory = URL(fileURLWithPath: "var")
    /// `log.level`: trace, debug, info, notice, warning, error, critical. Defaults to `info`.
    var logLevel = "info"
    /// `log.access`: one `info` line per HTTP request (method, path, status, duration, address). Defaults to `true`.
    var accessLog = true
    /// `http.max_connections`, `http.max_connections_per_address`, `http.header_timeout_seconds`,
    /// `http.idle_timeout_seconds`: what the server accepts from clients (see `ConnectionLimits`).
    var connections = ConnectionLimits()
    /// `http.public_origins`: the origins browsers reach this server at (comma-separated), for the WebSocket origin
    /// check; empty = derived from `http.host` and the bound port. Defaults to empty.
    var publicOrigins: [String] = []
    /// `http.tls.certificate`, `http.tls.private_key`: PEM files; when both are set the server speaks HTTPS (and
    /// WSS) only. Default to empty (plain HTTP, for loopback or behind a TLS-terminating proxy).
    var tlsCertificate: String?
    var tlsPrivateKey: String?
    /// `storage.postgres.url`: when set, PostgreSQL is used instead of SQLite. Defaults to empty.
    var postgresURL: String?
    /// `artifacts.s3.*`: model artifacts in an S3-compatible store instead of `<data_dir>/artifacts` when
    /// `artifacts.s3.endpoint` is set. Defaults to empty (local directory).
    var artifactsS3: S3ArtifactRepository.Settings?
    /// `storage.sqlite.file`: database file name inside `data_dir`. Defaults to `stockcast.sqlite`.
    var sqliteFile = "stockcast.sqlite"
    /// `etl.sample_data`: ingest the bundled sample data on first start of an empty store. Defaults to `true`.
    var ingestSampleData = true
    /// `etl.*`: pipeline settings.
    var pipeline = MarketDataPipeline.Configuration()
    /// `training.*`: background tasks.
    var training = TrainingSupervisor.Configuration()
    /// `etl.schedule.*`: daily run.
    var schedule = ETLScheduler.Configuration()
    /// `providers.yahoo.base_url`. Defaults to `https://query1.finance.yahoo.com`.
    var yahooBaseURL = "https://query1.finance.yahoo.com"
    /// `providers.stooq.base_url`. Defaults to `https://stooq.com`.
    var stooqBaseURL = "https://stooq.com"
    /// `providers.requests_per_second`: token-bucket refill rate shared by HTTP providers. Defaults to `2`.
    var providerRequestsPerSecond = 2.0
    /// `providers.burst`: token-bucket capacity. Defaults to `4`.
    var providerBurst = 4
    /// `providers.timeout_seconds`: per request. Defaults to `30`.
    var providerTimeoutSeconds = 30
    /// `api.max_body_bytes`: JSON request bodies. Defaults to 1 MiB.
    var maxBodyBytes = 1 << 20
    /// `api.max_upload_bytes`: CSV uploads. Defaults to 50 MiB.
    var maxUploadBytes = 50 << 20
    /// `api.max_page_size`: largest `limit` accepted by paged routes. Defaults to `5000`.
    var maxPageSize = 5000
    /// `auth.read_requires_key`: reads need a `viewer` key too. Defaults to `false`.
    var readRequiresKey = false
    /// `auth.max_failures_per_minute`: failed authentications per client address before 429. Defaults to `10`.
    var maxAuthFailuresPerMinute = 10
    /// `instance.roles` (`--roles`): what this instance does. Defaults to every role.
    var roles: Set<InstanceRole> = Set(InstanceRole.allCases)
    /// `instance.id`: this process's name in schedule claims and events. Defaults to `<hostname>-<pid>`.
    var instanceID = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"

    /// `http.web_root`: serve the web UI from this folder instead of the copy bundled in the binary. Defaults to empty.
    var webRoot: String?
    /// `ui.grafana_url`, `ui.prometheus_url`: links shown on the Production page when set. Default to empty.
    var grafanaURL: String?
    var prometheusURL: String?
    /// `kafka.*`: the event bus. Empty `kafka.bootstrap_servers` keeps events in process.
    var kafka = KafkaSettings()
    /// `websocket.*`: live streams to browsers.
    var websocket = WebSocketSettings()
    /// `metrics.publish_interval_seconds`: how often the metrics digest goes to `monitoring_metrics`. Defaults to `5`.
    var metricsPublishInterval = 5
    /// `alerts.*`: anomaly detection thresholds.
    var alerts = AnomalyDetector.Configuration()

    /// Built-in defaults, as flat keys. `Config/default.json` holds the same values.
    static let defaultValues: [String: String] = [
        "http.host": "127.0.0.1",
        "http.port": "8080",
        "data_dir": "./var",
        "log.level": "info",
        "log.access": "true",
        "http.max_connections": "4096",
        "http.max_connections_per_address": "1024",
        "http.header_timeout_seconds": "20",
        "http.idle_timeout_seconds": "60",
        "http.public_origins": "",
        "http.tls.certificate": "",
        "http.tls.private_key": "",
        "storage.postgres.url": "",
        "storage.sqlite.file": "stockcast.sqlite",
        "artifacts.s3.endpoint": "",
        "artifacts.s3.bucket": "",
        "artifacts.s3.region": "us-east-1",
        "artifacts.s3.prefix": "",
        "artifacts.s3.path_style": "true",
        "artifacts.s3.access_key_id": "",
        "artifacts.s3.secret_access_key": "",
        "artifacts.s3.request_timeout_seconds": "60",
        "etl.sample_data": "true",
        "etl.max_concurrent_runs": "2",
        "etl.max_queued_runs": "10000",
        "etl.retry.max_attempts": "4",
        "etl.retry.base_delay_ms": "500",
        "etl.retry.max_delay_ms": "30000",
        "etl.large_move_threshold": "0.5",
        "etl.overlap_sessions": "30",
        "etl.schedule.enabled": "true",
        "etl.schedule.time": "18:30",
        "etl.schedule.timezone": "America/New_York",
        "providers.yahoo.base_url": "https://query1.finance.yahoo.com",
        "providers.stooq.base_url": "https://stooq.com",
        "providers.requests_per_second": "2",
        "providers.burst": "4",
        "providers.timeout_seconds": "30",
        "api.max_body_bytes": "1048576",
        "api.max_upload_bytes": "52428800",
        "api.max_page_size": "5000",
        "auth.read_requires_key": "false",
        "auth.max_failures_per_minute": "10",
        "instance.id": "",
        "instance.roles": "api,worker,scheduler",
        "training.max_concurrent_tasks": "1",
        "training.max_queued_tasks": "100",
        "training.lease_seconds": "30",
        "training.max_attempts": "2",
        "http.web_root": "",
        "ui.grafana_url": "",
        "ui.prometheus_url": "",
        "kafka.bootstrap_servers": "",
        "kafka.group_prefix": "stockcast",
        "kafka.queued_max_messages_kbytes": "16384",
        "kafka.producer_queue_max_messages": "10000",
        "kafka.fetch_wait_max_ms": "100",
        "websocket.client_buffer": "256",
        "websocket.replay": "50",
        "websocket.allowed_origins": "",
        "websocket.ping_seconds": "30",
        "metrics.publish_interval_seconds": "5",
        "alerts.drift_p_value": "0.001",
        "alerts.drift_window": "60",
        "alerts.error_ratio_threshold": "1.5",
        "alerts.coverage_floor": "0.7",
        "alerts.stale_sessions": "2",
        "alerts.error_rate_threshold": "0.05",
        "alerts.p99_latency_ms": "1000",
    ]

    /// Reads the layers (see `ConfigValues`) and validates every value.
    /// - Parameters:
    ///   - configFile: `--config FILE`, or `nil` to use `STOCKCAST_CONFIG` when set.
    ///   - overrides: flag values by key.
    ///   - environment: the process environment.
    ///   - workingDirectory: where `Config/default.json` is looked for.
    static func load(
        configFile: String?, overrides: [String: String], environment: [String: String] = ProcessInfo.processInfo.environment,
        workingDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    ) throws -> AppConfiguration {
        let known = Set(Self.defaultValues.keys)
        var values = ConfigValues(Self.defaultValues)
        let defaultFile = workingDirectory.appendingPathComponent("Config/default.json")
        if let data = FileManager.default.contents(atPath: defaultFile.path) {
            try values.merge(json: data, origin: defaultFile.path, knownKeys: known)
        }
        if let file = configFile ?? environment["STOCKCAST_CONFIG"] {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ConfigurationError("configuration file \(file) cannot be read")
            }
            try values.merge(json: data, origin: file, knownKeys: known)
        }
        values.merge(environment: environment, knownKeys: known)
        values.merge(overrides)
        values.fillFallbacks(from: environment)
        return try AppConfiguration(values)
    }

    /// The defaults only (tests).
    init() {}

    /// Typed view of merged values; throws naming the first bad key.
    init(_ values: ConfigValues) throws {
        self.host = values.string("http.host")
        self.port = try values.int("http.port", in: 0...65535)
        self.dataDirectory = URL(fileURLWithPath: values.string("data_dir"))
        self.logLevel = values.string("log.level")
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(self.logLevel) else {
            throw ConfigurationError("log.level must be one of trace, debug, info, notice, warning, error, critical")
        }
        self.accessLog = try values.bool("log.access")
        self.connections.maxConnections = try values.int("http.max_connections", in: 16...1_000_000)
        self.connections.maxConnectionsPerAddress = try values.int("http.max_connections_per_address", in: 1...1_000_000)
        self.connections.headerTimeout = .seconds(try values.int("http.header_timeout_seconds", in: 1...600))
        self.connections.idleTimeout = .seconds(try values.int("http.idle_timeout_seconds", in: 1...86_400))
        self.publicOrigins = try Self.origins(values.string("http.public_origins"), key: "http.public_origins")
        self.tlsCertificate = values.optionalString("http.tls.certificate")
        self.tlsPrivateKey = values.optionalString("http.tls.private_key")
        guard (self.tlsCertificate == nil) == (self.tlsPrivateKey == nil) else {
            throw ConfigurationError("http.tls.certificate and http.tls.private_key go together: set both for HTTPS, or neither")
        }
        self.postgresURL = values.optionalString("storage.postgres.url")
        if let url = self.postgresURL, !(url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")) {
            throw ConfigurationError("storage.postgres.url must start with postgres:// or postgresql://")
        }
        self.sqliteFile = values.string("storage.sqlite.file")
        self.artifactsS3 = try Self.s3Settings(values)
        self.ingestSampleData = try values.bool("etl.sample_data")
        self.pipeline.maxConcurrentRuns = try values.int("etl.max_concurrent_runs", in: 1...64)
        self.pipeline.maxQueuedRuns = try values.int("etl.max_queued_runs", in: 1...1_000_000)
        self.pipeline.retry.maxAttempts = try values.int("etl.retry.max_attempts", in: 1...20)
        self.pipeline.retry.baseDelay = .milliseconds(try values.int("etl.retry.base_delay_ms", in: 0...600_000))
        self.pipeline.retry.maxDelay = .milliseconds(try values.int("etl.retry.max_delay_ms", in: 0...3_600_000))
        self.pipeline.largeMoveThreshold = try values.double("etl.large_move_threshold", in: 0.01...100)
        self.pipeline.overlapSessions = try values.int("etl.overlap_sessions", in: 0...10_000)
        self.schedule.enabled = try values.bool("etl.schedule.enabled")
        let time = values.string("etl.schedule.time").split(separator: ":")
        guard time.count == 2, let hour = Int(time[0]), let minute = Int(time[1]), (0...23).contains(hour), (0...59).contains(minute)
        else { throw ConfigurationError("etl.schedule.time must be HH:MM, got \"\(values.string("etl.schedule.time"))\"") }
        (self.schedule.hour, self.schedule.minute) = (hour, minute)
        guard let zone = TimeZone(identifier: values.string("etl.schedule.timezone")) else {
            throw ConfigurationError("etl.schedule.timezone is not a known time zone: \"\(values.string("etl.schedule.timezone"))\"")
        }
        self.schedule.timeZone = zone
        self.yahooBaseURL = values.string("providers.yahoo.base_url")
        self.stooqBaseURL = values.string("providers.stooq.base_url")
        self.providerRequestsPerSecond = try values.double("providers.requests_per_second", in: 0.01...1000)
        self.providerBurst = try values.int("providers.burst", in: 1...1000)
        self.providerTimeoutSeconds = try values.int("providers.timeout_seconds", in: 1...600)
        self.maxBodyBytes = try values.int("api.max_body_bytes", in: 1024...(64 << 20))
        self.maxUploadBytes = try values.int("api.max_upload_bytes", in: 1024...(1 << 30))
        self.maxPageSize = try values.int("api.max_page_size", in: 10...100_000)
        self.readRequiresKey = try values.bool("auth.read_requires_key")
        self.maxAuthFailuresPerMinute = try values.int("auth.max_failures_per_minute", in: 1...100_000)
        if let instance = values.optionalString("instance.id") { self.instanceID = instance }
        self.training.maxConcurrentTasks = try values.int("training.max_concurrent_tasks", in: 1...16)
        self.training.maxQueuedTasks = try values.int("training.max_queued_tasks", in: 1...100_000)
        self.training.leaseDuration = .seconds(try values.int("training.lease_seconds", in: 3...3600))
        self.training.maxAttempts = try values.int("training.max_attempts", in: 1...10)
        self.roles = try InstanceRole.parse(values.string("instance.roles"), key: "instance.roles")
        self.webRoot = values.optionalString("http.web_root")
        self.grafanaURL = try values.optionalURL("ui.grafana_url")
        self.prometheusURL = try values.optionalURL("ui.prometheus_url")
        self.kafka.bootstrapServers = values.optionalString("kafka.bootstrap_servers")
        self.kafka.groupPrefix = values.string("kafka.group_prefix")
        self.kafka.queuedMaxMessagesKBytes = try values.int("kafka.queued_max_messages_kbytes", in: 1...2_097_151)
        self.kafka.producerQueueMaxMessages = try values.int("kafka.producer_queue_max_messages", in: 1...10_000_000)
        self.kafka.fetchWaitMaxMilliseconds = try values.int("kafka.fetch_wait_max_ms", in: 1...10_000)
        self.websocket.clientBuffer = try values.int("websocket.client_buffer", in: 1...100_000)
        self.websocket.replay = try values.int("websocket.replay", in: 0...10_000)
        self.websocket.allowedOrigins = try Self.origins(values.string("websocket.allowed_origins"), key: "websocket.allowed_origins")
        self.websocket.pingSeconds = try values.int("websocket.ping_seconds", in: 1...3600)
        self.metricsPublishInterval = try values.int("metrics.publish_interval_seconds", in: 1...3600)
        self.alerts.driftPValue = try values.double("alerts.drift_p_value", in: 1e-12...0.5)
        self.alerts.driftWindow = try values.int("alerts.drift_window", in: 20...1000)
        self.alerts.errorRatioThreshold = try values.double("alerts.error_ratio_threshold", in: 1...100)
        self.alerts.coverageFloor = try values.double("alerts.coverage_floor", in: 0...1)
        self.alerts.staleSessions = try values.int("alerts.stale_sessions", in: 1...1000)
        self.alerts.errorRateThreshold = try values.double("alerts.error_rate_threshold", in: 0...1)
        self.alerts.p99LatencyMilliseconds = try values.double("alerts.p99_latency_ms", in: 1...600_000)
    }

    /// `artifacts.s3.*`, or `nil` when no endpoint is set. Credentials fall back to `AWS_ACCESS_KEY_ID` /
    /// `AWS_SECRET_ACCESS_KEY` (merged by `ConfigValues` under the configured keys when those are empty).
    static func s3Settings(_ values: ConfigValues) throws -> S3ArtifactRepository.Settings? {
        guard let endpoint = try values.optionalURL("artifacts.s3.endpoint") else { return nil }
        guard let url = URL(string: endpoint), url.host != nil, url.query == nil else {
            throw ConfigurationError("artifacts.s3.endpoint must be http(s)://host[:port], got \"\(endpoint)\"")
        }
        let bucket = values.string("artifacts.s3.bucket")
        // S3's bucket naming rules: 3-63 characters of a-z, 0-9, '.', '-', starting and ending with a letter or digit.
        guard (3...63).contains(bucket.count), bucket.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "." || $0 == "-") }),
            bucket.first!.isLetter || bucket.first!.isNumber, bucket.last!.isLetter || bucket.last!.isNumber
        else { throw ConfigurationError("artifacts.s3.bucket must be an S3 bucket name (3-63 of a-z 0-9 . -), got \"\(bucket)\"") }
        guard let keyID = values.optionalString("artifacts.s3.access_key_id"), let secret = values.optionalString("artifacts.s3.secret_access_key") else {
            throw ConfigurationError(
                "artifacts.s3.endpoint is set but artifacts.s3.access_key_id / artifacts.s3.secret_access_key are not (nor AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)")
        }
        let region = values.string("artifacts.s3.region")
        guard !region.isEmpty, region.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) else {
            throw ConfigurationError("artifacts.s3.region must be a region name such as us-east-1, got \"\(region)\"")
        }
        var prefix = values.string("artifacts.s3.prefix")
        if !prefix.isEmpty, !prefix.hasSuffix("/") { prefix += "/" }
        guard !prefix.hasPrefix("/"), !prefix.contains("//") else {
            throw ConfigurationError("artifacts.s3.prefix must be a relative key prefix such as stockcast/, got \"\(prefix)\"")
        }
        var settings = S3ArtifactRepository.Settings(
            endpoint: url, bucket: bucket, credentials: .init(accessKeyID: keyID, secretAccessKey: secret))
        settings.region = region
        settings.prefix = prefix
        settings.pathStyle = try values.bool("artifacts.s3.path_style")
        settings.requestTimeout = .seconds(Int64(try values.int("artifacts.s3.request_timeout_seconds", in: 1...3600)))
        return settings
    }

    /// A comma-separated list of `http(s)://host[:port]` origins.
    static func origins(_ text: String, key: String) throws -> [String] {
        let origins = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for origin in origins {
            guard origin.hasPrefix("http://") || origin.hasPrefix("https://"), let url = URL(string: origin), url.host != nil,
                url.path.isEmpty || url.path == "/"
            else { throw ConfigurationError("\(key) must list origins such as https://stockcast.example.com (scheme, host, optional port), got \"\(origin)\"") }
        }
        return origins
    }

    /// `kafka.*` settings.
    struct KafkaSettings: Sendable {
        /// `kafka.bootstrap_servers`: `host:port,...`; empty = in-process event bus. Defaults to empty.
        var bootstrapServers: String?
        /// `kafka.group_prefix`: consumer group = `<prefix>-<instance.id>`, so every instance sees every event. Defaults to `stockcast`.
        var groupPrefix = "stockcast"
        /// `kafka.queued_max_messages_kbytes`: bound of librdkafka's fetch queue. Defaults to 16384 (16 MiB).
        var queuedMaxMessagesKBytes = 16_384
        /// `kafka.producer_queue_max_messages`: outgoing events buffered while brokers are unreachable. Defaults to 10000.
        var producerQueueMaxMessages = 10_000
        /// `kafka.fetch_wait_max_ms`: longest a fetch waits at the broker for new events (librdkafka's 500 ms default
        /// adds up to half a second to live dashboards on quiet topics). Defaults to 100.
        var fetchWaitMaxMilliseconds = 100
    }

    /// `websocket.*` settings.
    struct WebSocketSettings: Sendable {
        /// `websocket.client_buffer`: frames queued per client before the oldest are dropped. Defaults to 256.
        var clientBuffer = 256
        /// `websocket.replay`: events of its channel a client receives on connect. Defaults to 50.
        var replay = 50
        /// `websocket.allowed_origins`: comma-separated origins allowed besides the server's own. Defaults to empty.
        var allowedOrigins: [String] = []
        /// `websocket.ping_seconds`: keep-alive ping period. Defaults to 30.
        var pingSeconds = 30
    }

    /// `<data_dir>/import`: the only directory API callers may name in `csv:` sources.
    var importDirectory: URL { self.dataDirectory.appendingPathComponent("import") }
    /// `<data_dir>/admin.key`.
    var adminKeyFile: URL { self.dataDirectory.appendingPathComponent("admin.key") }
}

/// What one instance does (`instance.roles`, `--roles`).
enum InstanceRole: String, CaseIterable, Sendable {
    /// The REST API, the web UI and the WebSocket streams.
    case api
    /// Runs training and forecast tasks (claims them from the store).
    case worker
    /// Claims and starts the daily ETL of the tracked tickers.
    case scheduler

    /// A comma-separated list of roles; empty, unknown or repeated names are errors naming `key`.
    static func parse(_ text: String, key: String) throws -> Set<InstanceRole> {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var roles: Set<InstanceRole> = []
        for name in names {
            guard let role = InstanceRole(rawValue: name) else {
                throw ConfigurationError("\(key): unknown role \"\(name)\" (roles: api, worker, scheduler, comma-separated)")
            }
            guard roles.insert(role).inserted else { throw ConfigurationError("\(key): role \(name) is listed twice") }
        }
        guard !roles.isEmpty else { throw ConfigurationError("\(key) must name at least one role of api, worker, scheduler") }
        return roles
    }
}
