import Actors
import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOFoundationEssentialsCompat
import ServiceLifecycle
import Storage

/// The composition root: builds the store, the pipeline, the scheduler and the router, and wires them into one
/// application whose services run in one `ServiceGroup` (store → HTTP client → pipeline → scheduler → HTTP server).
/// Migrations run in `beforeServerStarts`; the pipeline and scheduler wait for them behind a `ReadinessGate`.
func buildApplication(_ configuration: AppConfiguration, logger: Logger) async throws -> some ApplicationProtocol {
    buildApplication(try makeServices(configuration, logger: logger), configuration: configuration, logger: logger)
}

/// Builds the application around already created parts (tests keep the parts to await pipeline runs).
func buildApplication(_ parts: ServiceParts, configuration: AppConfiguration, logger: Logger) -> some ApplicationProtocol {
    let router = buildRouter(parts, configuration: configuration)
    let streams = Router(context: StreamRequestContext.self)
    streams.add(middleware: ErrorMiddleware())
    streamRoutes(parts, configuration: configuration).addRoutes(to: streams)
    var app = Application(
        router: router,
        server: .http1WebSocketUpgrade(
            webSocketRouter: streams,
            configuration: .init(ws: .init(maxFrameSize: 1 << 16, autoPing: .enabled(timePeriod: .seconds(configuration.websocket.pingSeconds))))
        ),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "stockcast"),
        logger: logger
    )
    app.addServices(
        parts.store, HTTPClientService(client: parts.httpClient), parts.pipeline, parts.scheduler, parts.registry, parts.hub, parts.supervisor,
        parts.broadcaster, parts.collector
    )
    app.addServices(parts.busServices)
    app.beforeServerStarts {
        try await parts.store.migrate()
        await parts.readiness.open()
        try await AdminKeyBootstrap.ensureAdminKey(store: parts.store, file: configuration.adminKeyFile, logger: logger)
        if configuration.ingestSampleData {
            try await SampleDataBootstrap.ingestIfEmpty(
                store: parts.store, pipeline: parts.pipeline, importDirectory: configuration.importDirectory, logger: logger
            )
        }
        logger.notice(
            "stockcast ready",
            metadata: ["storage": "\(parts.store.backendName)", "data_dir": "\(configuration.dataDirectory.path)", "instance": "\(configuration.instanceID)"]
        )
    }
    return app
}

/// The long-lived components of one process.
struct ServiceParts: Sendable {
    let store: any StockCastStore
    let httpClient: HTTPClient
    let pipeline: MarketDataPipeline
    let scheduler: ETLScheduler
    let readiness: ReadinessGate
    let registry: ModelRegistry
    let hub: PredictionHub
    let supervisor: TrainingSupervisor
    let authenticator: APIKeyAuthenticator
    let authLimiter: FailedAuthLimiter
    let bus: any EventBus
    /// Services the bus needs (Kafka producer and consumer), empty in process.
    let busServices: [any Service]
    let broadcaster: WebSocketBroadcaster
    let detector: AnomalyDetector
    let collector: MetricsCollector
}

/// Creates the store (PostgreSQL when `storage.postgres.url` is set, else SQLite in `data_dir`) and the actors.
func makeServices(_ configuration: AppConfiguration, logger: Logger) throws -> ServiceParts {
    PrometheusExporter.bootstrap()
    MetricCatalog.registerKnownSeries()
    try FileManager.default.createDirectory(at: configuration.importDirectory, withIntermediateDirectories: true)
    let store: any StockCastStore
    if let url = configuration.postgresURL {
        store = try PostgresStore(url: url, logger: logger)
    } else {
        store = SQLiteStore(path: configuration.dataDirectory.appendingPathComponent(configuration.sqliteFile).path, logger: logger)
    }
    var clientConfiguration = HTTPClient.Configuration()
    clientConfiguration.timeout = .init(connect: .seconds(10), read: .seconds(Int64(configuration.providerTimeoutSeconds)))
    let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
    let readiness = ReadinessGate()
    let providers = LiveProviderCatalog(configuration: configuration, httpClient: httpClient)
    let pipeline = MarketDataPipeline(
        store: store, providers: providers, configuration: configuration.pipeline, logger: logger, readiness: readiness
    )
    let scheduler = ETLScheduler(
        pipeline: pipeline, store: store, instance: configuration.instanceID, configuration: configuration.schedule, logger: logger,
        readiness: readiness
    )
    let instance = configuration.instanceID
    let (bus, busServices) = try EventBusFactory.make(configuration, logger: logger)
    let detector = AnomalyDetector(store: store, bus: bus, instance: instance, configuration: configuration.alerts, logger: logger)
    let registry = ModelRegistry(
        store: store, configuration: .init(artifactsDirectory: configuration.dataDirectory.appendingPathComponent("artifacts")), bus: bus,
        instance: instance, logger: logger
    )
    let hub = PredictionHub(store: store, bus: bus, detector: detector, pipeline: pipeline, instance: instance, logger: logger, readiness: readiness)
    let supervisor = TrainingSupervisor(
        store: store, registry: registry, hub: hub, bus: bus, instance: instance, configuration: configuration.training, logger: logger,
        readiness: readiness
    )
    var broadcasting = WebSocketBroadcaster.Configuration()
    broadcasting.clientBuffer = configuration.websocket.clientBuffer
    broadcasting.replay = configuration.websocket.replay
    var collecting = MetricsCollector.Configuration()
    collecting.publishInterval = .seconds(configuration.metricsPublishInterval)
    return ServiceParts(
        store: store, httpClient: httpClient, pipeline: pipeline, scheduler: scheduler, readiness: readiness, registry: registry, hub: hub,
        supervisor: supervisor,
        authenticator: APIKeyAuthenticator(store: store), authLimiter: FailedAuthLimiter(limit: configuration.maxAuthFailuresPerMinute),
        bus: bus, busServices: busServices,
        broadcaster: WebSocketBroadcaster(bus: bus, instance: instance, configuration: broadcasting, logger: logger),
        detector: detector,
        collector: MetricsCollector(
            store: store, bus: bus, detector: detector, instance: instance, exposition: PrometheusExporter.render, configuration: collecting,
            logger: logger, readiness: readiness
        )
    )
}

func streamRoutes(_ parts: ServiceParts, configuration: AppConfiguration) -> StreamRoutes {
    StreamRoutes(broadcaster: parts.broadcaster, authenticator: parts.authenticator, limiter: parts.authLimiter, configuration: configuration)
}

/// All routes, grouped by the role they need.
func buildRouter(_ parts: ServiceParts, configuration: AppConfiguration) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: HTTPMetricsMiddleware())
    router.add(middleware: ErrorMiddleware())
    HealthController(store: parts.store, instanceID: configuration.instanceID).addRoutes(to: router)
    router.get("/openapi.json") { _, _ in
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(data: try OpenAPIDocument.json())))
    }
    router.add(middleware: StaticCompressionMiddleware())
    router.add(middleware: WebAssets.middleware(configuration, logger: Logger(label: "stockcast.web")))

    func guarded(_ role: APIRole?) -> RouterGroup<AppRequestContext> {
        router.group().add(middleware: AuthMiddleware(minimum: role, authenticator: parts.authenticator, limiter: parts.authLimiter))
    }
    let reads = guarded(configuration.readRequiresKey ? .viewer : nil)
    let writes = guarded(.operator)
    let admin = guarded(.admin)

    let datasets = DatasetController(store: parts.store, pipeline: parts.pipeline, configuration: configuration)
    datasets.addReadRoutes(to: reads)
    datasets.addWriteRoutes(to: writes)
    let etl = ETLController(
        store: parts.store, pipeline: parts.pipeline, configuration: configuration,
        sources: SourcePolicy(importDirectory: configuration.importDirectory)
    )
    etl.addReadRoutes(to: reads)
    etl.addWriteRoutes(to: writes)
    let models = ModelController(store: parts.store, registry: parts.registry, configuration: configuration)
    models.addReadRoutes(to: reads)
    models.addWriteRoutes(to: writes)
    let tasks = TaskController(store: parts.store, supervisor: parts.supervisor, configuration: configuration)
    tasks.addReadRoutes(to: reads)
    tasks.addWriteRoutes(to: writes)
    let predictions = PredictController(store: parts.store, registry: parts.registry, supervisor: parts.supervisor, hub: parts.hub, configuration: configuration)
    predictions.addReadRoutes(to: reads)
    predictions.addWriteRoutes(to: writes)
    streamRoutes(parts, configuration: configuration).addRefusalRoute(to: router)
    let monitoring = MonitoringController(store: parts.store, configuration: configuration)
    monitoring.addOpenRoutes(to: router)
    monitoring.addReadRoutes(to: reads)
    let keys = KeyController(store: parts.store, authenticator: parts.authenticator, configuration: configuration)
    keys.addRoutes(to: admin)
    keys.addIdentityRoute(to: guarded(.viewer))
    return router
}
