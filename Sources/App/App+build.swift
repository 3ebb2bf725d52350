import Actors
import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOSSL
import NIOFoundationEssentialsCompat
import PredictionCore
import ServiceLifecycle
import Storage

/// The composition root: builds the storage ports (`StorageBackends`), the actors and the router, and wires them into
/// one application whose services run in one `ServiceGroup` in the order of `ServiceParts.services` (then the HTTP
/// server). Migrations run in `beforeServerStarts`; the actors wait for them behind a `ReadinessGate`.
func buildApplication(_ configuration: AppConfiguration, logger: Logger) async throws -> some ApplicationProtocol {
    buildApplication(try makeServices(configuration, logger: logger), configuration: configuration, logger: logger)
}

/// Builds the application around already created parts (tests keep the parts to await pipeline runs).
func buildApplication(_ parts: ServiceParts, configuration: AppConfiguration, logger: Logger) -> some ApplicationProtocol {
    let router = buildRouter(parts, configuration: configuration, logger: logger)
    let streams = Router(context: StreamRequestContext.self)
    streams.add(middleware: ErrorMiddleware())
    let stream = streamRoutes(parts, configuration: configuration)
    if configuration.roles.contains(.api) { stream.addRoutes(to: streams) }
    let server = HTTPServerBuilder.stockcast(
        webSocketRouter: streams, limits: parts.connectionLimits, counter: parts.connections, pingSeconds: configuration.websocket.pingSeconds,
        tls: parts.tls, upgradeCheck: stream.upgradeCheck)
    var app = Application(
        router: router,
        server: server,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "stockcast", backlog: 4096),
        onServerRunning: { channel in
            await serverListening(parts, configuration: configuration, logger: logger, port: channel.localAddress?.port ?? configuration.port)
        },
        logger: logger
    )
    app.addServices(parts.services)
    app.addServices(parts.broadcaster, parts.collector)
    app.addServices(UploadRetention(pipeline: parts.pipeline, uploads: configuration.importDirectory.appendingPathComponent("uploads"), logger: logger))
    app.beforeServerStarts {
        try await migrateWhenReachable(parts.storage.database, logger: logger)
        await parts.readiness.open()
        try await AdminKeyBootstrap.ensureAdminKey(keys: parts.storage.keys, file: configuration.adminKeyFile, logger: logger)
    }
    return app
}

/// Applies migrations; a database that is not reachable yet (instances often start with it) is waited for up to a
/// minute, then the start fails with the store's message.
func migrateWhenReachable(_ store: any DatabaseService, logger: Logger, patience: Duration = .seconds(60)) async throws {
    let deadline = ContinuousClock.now + patience
    while true {
        do {
            return try await store.migrate()
        } catch let error as StorageError where error.isOutage && ContinuousClock.now < deadline {
            logger.warning("waiting for the database before migrating", metadata: ["error": "\(error.message)"])
            try await Task.sleep(for: .seconds(1))
        }
    }
}

/// Once the server listens (so a port that is taken never leaves half-started work behind): records the bound port,
/// queues the sample data when the store needs it, and announces the URL and where the admin key is, on stdout
/// (flushed, whatever stdout is) and in the log.
func serverListening(_ parts: ServiceParts, configuration: AppConfiguration, logger: Logger, port: Int) async {
    parts.origins.bound(port: port)
    if configuration.ingestSampleData {
        do {
            try await SampleDataBootstrap.ingestIfNeeded(parts, importDirectory: configuration.importDirectory, logger: logger)
        } catch {
            logger.error("sample data could not be queued", metadata: ["error": "\(error)"])
        }
    }
    let url = parts.origins.origins.first ?? "http://\(configuration.host):\(port)"
    let keyFile = configuration.adminKeyFile.path
    let keyNote = FileManager.default.fileExists(atPath: keyFile) ? "admin API key in \(keyFile) (mode 0600)" : "admin API key: see the admin"
    print("stockcast ready at \(url)  ·  \(keyNote)  ·  storage \(parts.storage.database.backendName)")
    fflush(nil)
    logger.notice(
        "stockcast ready",
        metadata: ["url": "\(url)", "admin_key_file": "\(keyFile)", "storage": "\(parts.storage.database.backendName)", "artifacts": "\(parts.storage.artifacts.location)",
                   "data_dir": "\(configuration.dataDirectory.path)", "instance": "\(configuration.instanceID)",
                   "max_connections": "\(parts.connectionLimits.maxConnections)"]
    )
}

/// The long-lived components of one process.
struct ServiceParts: Sendable {
    let storage: StorageBackends
    let httpClient: HTTPClient
    let pipeline: MarketDataPipeline
    let scheduler: ETLScheduler
    let readiness: ReadinessGate
    let registry: ModelRegistry
    let hub: PredictionHub
    let supervisor: TrainingSupervisor
    let authenticator: APIKeyAuthenticator
    /// Open connections, shared by every connection's guard.
    let connections: ConnectionCounter
    /// The connection limits in force (`http.*`, fitted to the descriptor limit).
    let connectionLimits: ConnectionLimits
    /// Where browsers reach this server (WebSocket origin check, start-up banner).
    let origins: PublicOrigins
    /// The server's certificate and key when `http.tls.*` are set.
    let tls: TLSConfiguration?
    let bus: any EventBus
    /// Services the bus needs (Kafka producer and consumer), empty in process.
    let busServices: [any Service]
    let broadcaster: WebSocketBroadcaster
    let detector: AnomalyDetector
    let collector: MetricsCollector

    /// The services of the process's work, in start order (they stop in reverse): the database, the HTTP client, the
    /// bus (Kafka producer and consumer start before the actors that publish and stop after them, so the last task
    /// events of a shutdown are still sent), then the actors. `serve` adds the WebSocket broadcaster, the metrics
    /// collector and the HTTP server; the CLI's local runtime runs exactly these.
    var services: [any Service] {
        [self.storage.database, HTTPClientService(client: self.httpClient)] + self.busServices
            + [self.pipeline, self.scheduler, self.registry, self.hub, self.supervisor]
    }
}

/// Creates the storage ports (`StorageBackends.make`) and the actors.
func makeServices(_ configuration: AppConfiguration, logger: Logger) throws -> ServiceParts {
    PrometheusExporter.bootstrap()
    MetricCatalog.registerKnownSeries()
    try FileManager.default.createDirectory(at: configuration.importDirectory, withIntermediateDirectories: true)
    let storage = try StorageBackends.make(configuration, logger: logger)
    var clientConfiguration = HTTPClient.Configuration()
    clientConfiguration.timeout = .init(connect: .seconds(10), read: .seconds(Int64(configuration.providerTimeoutSeconds)))
    let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
    let readiness = ReadinessGate()
    let providers = LiveProviderCatalog(configuration: configuration, httpClient: httpClient)
    var pipelineSettings = configuration.pipeline
    pipelineSettings.instance = configuration.instanceID
    pipelineSettings.sharedStore = storage.sharedDatabase
    // An instance silent for a lease is gone for its ETL runs as for its tasks.
    pipelineSettings.adoptAfter = configuration.training.leaseDuration
    pipelineSettings.heartbeatInterval = configuration.training.leaseDuration / 6
    let pipeline = MarketDataPipeline(
        runs: storage.runs, prices: storage.prices, providers: providers, configuration: pipelineSettings, logger: logger, readiness: readiness
    )
    var schedule = configuration.schedule
    schedule.enabled = schedule.enabled && configuration.roles.contains(.scheduler)
    let scheduler = ETLScheduler(
        pipeline: pipeline, runs: storage.runs, tickers: storage.tickers, instance: configuration.instanceID, configuration: schedule, logger: logger,
        readiness: readiness
    )
    let instance = configuration.instanceID
    let (bus, busServices) = try EventBusFactory.make(configuration, logger: logger)
    let detector = AnomalyDetector(alerts: storage.alerts, prices: storage.prices, models: storage.models, bus: bus, instance: instance, configuration: configuration.alerts, logger: logger)
    let registry = ModelRegistry(models: storage.models, artifacts: storage.artifacts, bus: bus, instance: instance, logger: logger)
    let hub = PredictionHub(
        predictions: storage.predictions, prices: storage.prices, registry: registry, bus: bus, detector: detector, pipeline: pipeline,
        instance: instance, logger: logger, readiness: readiness)
    var training = configuration.training
    training.claimsWork = configuration.roles.contains(.worker)
    training.sharedStore = storage.sharedDatabase
    let supervisor = TrainingSupervisor(
        tasks: storage.tasks, prices: storage.prices, registry: registry, hub: hub, bus: bus, instance: instance, configuration: training, logger: logger,
        readiness: readiness
    )
    var broadcasting = WebSocketBroadcaster.Configuration()
    broadcasting.clientBuffer = configuration.websocket.clientBuffer
    broadcasting.replay = configuration.websocket.replay
    let limits = FileDescriptorLimit.fitted(configuration.connections, descriptors: FileDescriptorLimit.raiseToHardLimit())
    let tls = try ServerTLS.configuration(certificate: configuration.tlsCertificate, privateKey: configuration.tlsPrivateKey)
    var collecting = MetricsCollector.Configuration()
    collecting.publishInterval = .seconds(configuration.metricsPublishInterval)
    return ServiceParts(
        storage: storage, httpClient: httpClient, pipeline: pipeline, scheduler: scheduler, readiness: readiness, registry: registry, hub: hub,
        supervisor: supervisor,
        authenticator: APIKeyAuthenticator(store: storage.keys, limiter: FailedAuthLimiter(limit: configuration.maxAuthFailuresPerMinute), logger: logger),
        connections: ConnectionCounter(maxConnections: limits.maxConnections, maxPerAddress: limits.maxConnectionsPerAddress),
        connectionLimits: limits,
        origins: PublicOrigins(
            configured: configuration.publicOrigins, additional: configuration.websocket.allowedOrigins, host: configuration.host,
            port: configuration.port, secure: tls != nil),
        tls: tls,
        bus: bus, busServices: busServices,
        broadcaster: WebSocketBroadcaster(bus: bus, instance: instance, configuration: broadcasting, logger: logger),
        detector: detector,
        collector: MetricsCollector(
            tickers: storage.tickers, prices: storage.prices, models: storage.models, bus: bus, detector: detector, instance: instance, exposition: PrometheusExporter.render, configuration: collecting,
            logger: logger, readiness: readiness
        )
    )
}

func streamRoutes(_ parts: ServiceParts, configuration: AppConfiguration) -> StreamRoutes {
    StreamRoutes(broadcaster: parts.broadcaster, authenticator: parts.authenticator, origins: parts.origins, configuration: configuration)
}

/// All routes, grouped by the role they need.
func buildRouter(_ parts: ServiceParts, configuration: AppConfiguration, logger: Logger) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: HTTPMetricsMiddleware())
    router.add(middleware: SecurityHeadersMiddleware(secure: parts.tls != nil))
    if configuration.accessLog { router.add(middleware: AccessLogMiddleware(logger: logger)) }
    router.add(middleware: ErrorMiddleware())
    HealthController(database: parts.storage.database, artifacts: parts.storage.artifacts, instanceID: configuration.instanceID).addRoutes(to: router)
    // An instance without the api role (a worker) answers only its health, readiness and metrics.
    guard configuration.roles.contains(.api) else {
        MonitoringController.addMetricsRoute(to: router)
        return router
    }
    router.get("/openapi.json") { _, _ in
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(data: try OpenAPIDocument.json())))
    }
    router.add(middleware: StaticCompressionMiddleware())
    router.add(middleware: WebAssets.middleware(configuration, logger: Logger(label: "stockcast.web")))

    func guarded(_ role: APIRole?) -> RouterGroup<AppRequestContext> {
        router.group().add(middleware: AuthMiddleware(minimum: role, authenticator: parts.authenticator))
    }
    let audit = AuditMiddleware(store: parts.storage.audit, logger: logger)
    let reads = guarded(configuration.readRequiresKey ? .viewer : nil)
    // Changes by operators and admins go to the audit log; a prediction is a read of the model, not a change.
    let writes = guarded(.operator).add(middleware: audit)
    let predictionWrites = guarded(.operator)
    let admin = guarded(.admin).add(middleware: audit)

    let datasets = DatasetController(prices: parts.storage.prices, pipeline: parts.pipeline, configuration: configuration)
    datasets.addReadRoutes(to: reads)
    datasets.addWriteRoutes(to: writes)
    let etl = ETLController(
        runs: parts.storage.runs, pipeline: parts.pipeline, scheduler: parts.scheduler, configuration: configuration,
        sources: SourcePolicy(importDirectory: configuration.importDirectory)
    )
    etl.addReadRoutes(to: reads)
    etl.addWriteRoutes(to: writes)
    let models = ModelController(prices: parts.storage.prices, registry: parts.registry, configuration: configuration)
    models.addReadRoutes(to: reads)
    models.addWriteRoutes(to: writes)
    let tasks = TaskController(supervisor: parts.supervisor, configuration: configuration)
    tasks.addReadRoutes(to: reads)
    tasks.addWriteRoutes(to: writes)
    let predictions = PredictController(supervisor: parts.supervisor, hub: parts.hub, configuration: configuration)
    predictions.addReadRoutes(to: reads)
    predictions.addWriteRoutes(to: writes)
    predictions.addPredictionRoute(to: predictionWrites)
    streamRoutes(parts, configuration: configuration).addRefusalRoute(to: router)
    let monitoring = MonitoringController(alerts: parts.storage.alerts, configuration: configuration)
    monitoring.addOpenRoutes(to: router)
    monitoring.addReadRoutes(to: reads)
    let keys = KeyController(keys: parts.storage.keys, audit: parts.storage.audit, authenticator: parts.authenticator, configuration: configuration, logger: logger)
    keys.addRoutes(to: admin)
    keys.addIdentityRoute(to: guarded(.viewer))
    return router
}
