import Actors
import Foundation
import Hummingbird
import PredictionCore
import Storage

/// `/api/models/…` and `/api/mlflow/…`: register, list, inspect, delete, promote, roll back.
struct ModelController {
    let prices: any PriceStore
    let registry: ModelRegistry
    let configuration: AppConfiguration

    func addReadRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("/api/models", use: self.list)
        group.get("/api/models/features", use: self.catalog)
        group.get("/api/models/{id}", use: self.get)
        group.get("/api/models/{id}/history", use: self.history)
        group.get("/api/mlflow/models", use: self.mlflowList)
        group.get("/api/mlflow/{id}", use: self.mlflowGet)
    }

    /// `GET /api/models/features`: what a registration may name (for forms; the 422 of a bad name lists them too).
    struct CatalogDTO: ResponseEncodable {
        struct Feature: Encodable {
            let name: String
            let original_names: [String]
            let lookback_sessions: Int
            let `default`: Bool
        }
        let model_types: [String]
        let features: [Feature]
        let default_features: [String]
    }

    @Sendable func catalog(_ request: Request, context: AppRequestContext) async throws -> CatalogDTO {
        CatalogDTO(
            model_types: ModelType.allCases.map(\.rawValue),
            features: FeatureName.allCases.map { feature in
                .init(
                    name: feature.rawValue, original_names: FeatureCatalog.originalNames.filter { $0.feature == feature }.map(\.name),
                    lookback_sessions: feature.lookback, default: FeatureCatalog.defaultFeatures.contains(feature)
                )
            },
            default_features: FeatureCatalog.defaultFeatures.map(\.rawValue)
        )
    }

    func addWriteRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("/api/models", use: self.register)
        group.delete("/api/models/{id}", use: self.delete)
        group.post("/api/models/{id}/promote", use: self.promote)
        group.post("/api/models/{id}/rollback", use: self.rollback)
    }

    /// Body of `POST /api/models/` (the original's fields; `validation_split` is the old UI's name for `val_size`).
    struct RegisterRequest: Decodable {
        let ticker: TickerSymbol
        let exchange: ExchangeCode
        let model_type: String?
        let features: [String]?
        let train_start_date: SessionDate?
        let train_end_date: SessionDate?
        let val_size: Double?
        let validation_split: Double?
        let shuffle: Bool?
        let n_estimators: Int?
        /// Only what differs from the model type's defaults; the rest keeps them.
        let hyper_parameters: HyperParameterOverrides?
    }

    struct Registered: ResponseEncodable {
        let id: Int64
        let message: String
        let version: Int
        let notes: [String]
    }

    @Sendable func register(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Registered> {
        let body = try await RequestInput.decodeJSON(RegisterRequest.self, from: request, maxBytes: 64 * 1024)
        let instrument = InstrumentKey(ticker: body.ticker, exchange: body.exchange)
        guard let dataset = try await self.prices.datasets().first(where: { $0.instrument == instrument }) else {
            throw APIError.notFound("no data for \(instrument.ticker) on \(instrument.exchange); run the ETL first (GET /api/datasets lists what is stored)", code: "dataset_not_found")
        }
        let typeName = body.model_type ?? ModelType.randomForest.rawValue
        guard let type = ModelType(rawValue: typeName) else {
            throw APIError.unprocessable("model_type must be one of \(ModelType.allCases.map(\.rawValue).joined(separator: ", ")); got \"\(typeName)\"", code: "invalid_model_type")
        }
        let features = body.features ?? []
        do {
            _ = try FeatureCatalog.resolve(features)
        } catch let error as ForecastError {
            throw APIError.unprocessable(error.message, code: "invalid_features")
        }
        let valSize = body.val_size ?? body.validation_split ?? 0.2
        guard valSize > 0, valSize <= 0.5 else { throw APIError.unprocessable("val_size must be in (0, 0.5], got \(valSize)", code: "invalid_val_size") }
        if let start = body.train_start_date, let end = body.train_end_date, start >= end {
            throw APIError.unprocessable("train_start_date \(start) must be before train_end_date \(end)", code: "invalid_window")
        }
        for (name, date) in [("train_start_date", body.train_start_date), ("train_end_date", body.train_end_date)] {
            if let date, date < dataset.firstSession || date > dataset.lastSession {
                throw APIError.unprocessable("\(name) \(date) is outside the stored data (\(dataset.firstSession) … \(dataset.lastSession))", code: "invalid_window")
            }
        }
        var parameters = (body.hyper_parameters ?? HyperParameterOverrides()).applied(to: HyperParameters(for: type))
        if let n = body.n_estimators { parameters.nEstimators = n }
        try Self.validate(parameters)
        let model = try await self.registry.register(
            NewModel(
                instrument: instrument, modelType: type, features: features, valSize: valSize, shuffle: body.shuffle ?? false,
                trainStart: body.train_start_date, trainEnd: body.train_end_date, hyperParameters: parameters
            )
        )
        var notes: [String] = []
        if body.shuffle == true { notes.append("shuffle=true is accepted but ignored: models are evaluated walk-forward, in time order") }
        if features.isEmpty { notes.append("no features given: the default feature set is used") }
        return EditedResponse(status: .created, headers: [.location: "/api/models/\(model.id)"], response: Registered(id: model.id, message: "模型註冊成功 (model registered)", version: model.version, notes: notes))
    }

    static func validate(_ p: HyperParameters) throws {
        func check(_ ok: Bool, _ message: String) throws {
            if !ok { throw APIError.unprocessable(message, code: "invalid_hyper_parameters") }
        }
        try check((1...2000).contains(p.nEstimators), "n_estimators must be 1-2000")
        try check((1...16).contains(p.maxDepth), "max_depth must be 1-16")
        try check(p.learningRate > 0 && p.learningRate <= 1, "learning_rate must be in (0, 1]")
        try check(p.subsample > 0 && p.subsample <= 1, "subsample must be in (0, 1]")
        try check(p.colsampleByNode > 0 && p.colsampleByNode <= 1, "colsample_bynode must be in (0, 1]")
        try check((1...30).contains(p.maxHorizon), "max_horizon must be 1-30")
        try check((1...500).contains(p.refitEvery), "refit_every must be 1-500")
        try check((1...8).contains(p.threads), "threads must be 1-8")
        try check(!p.ridgeAlphas.isEmpty && p.ridgeAlphas.count <= 32 && p.ridgeAlphas.allSatisfy { $0 > 0 && $0.isFinite }, "ridge_alphas must hold 1-32 positive numbers")
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> [ModelDTO] {
        let (skip, limit) = try Self.skipLimit(request)
        let models = try await self.registry.models(skip: skip, limit: limit)
        // One alias lookup per instrument on the page, not one per model.
        var aliases: [InstrumentKey: [ModelAlias: Int64]] = [:]
        for instrument in Set(models.map(\.instrument)) { aliases[instrument] = try await self.registry.aliases(of: instrument) }
        return models.map { ModelDTO($0, aliases: aliases[$0.instrument] ?? [:]) }
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> ModelDTO {
        let model = try await self.registry.model(try RequestInput.id(context))
        return ModelDTO(model, aliases: try await self.registry.aliases(of: model.instrument))
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> ModelDTO {
        let force = RequestInput.query(request, "force") == "true"
        let model = try await self.registry.delete(try RequestInput.id(context), force: force, actor: Self.actor(context))
        return ModelDTO(model)
    }

    struct PromoteRequest: Decodable {
        let force: Bool?
    }

    struct Promotion: ResponseEncodable {
        let model_id: Int64
        let alias: String
        let previous_model_id: Int64?
        let verdict: PromotionVerdict
        let at: Date
    }

    @Sendable func promote(_ request: Request, context: AppRequestContext) async throws -> Promotion {
        let id = try RequestInput.id(context)
        let force = RequestInput.query(request, "force") == "true"
        let (event, verdict) = try await self.registry.promote(id, actor: Self.actor(context), force: force)
        return Promotion(model_id: id, alias: event.alias.rawValue, previous_model_id: event.fromModel, verdict: verdict, at: event.at)
    }

    /// `POST /api/models/{ticker}/rollback?exchange=X`: the path segment is the ticker here.
    @Sendable func rollback(_ request: Request, context: AppRequestContext) async throws -> AliasEventDTO {
        let ticker = try RequestInput.ticker(context, name: "id")
        let exchange = try RequestInput.requiredExchange(request)
        return AliasEventDTO(try await self.registry.rollback(InstrumentKey(ticker: ticker, exchange: exchange), actor: Self.actor(context)))
    }

    @Sendable func history(_ request: Request, context: AppRequestContext) async throws -> [AliasEventDTO] {
        try await self.registry.history(of: try RequestInput.id(context)).map(AliasEventDTO.init)
    }

    @Sendable func mlflowList(_ request: Request, context: AppRequestContext) async throws -> [MLflowModelDTO] {
        let (skip, limit) = try Self.skipLimit(request)
        return try await self.registry.models(skip: skip, limit: limit).map(MLflowModelDTO.init)
    }

    @Sendable func mlflowGet(_ request: Request, context: AppRequestContext) async throws -> MLflowModelDTO {
        MLflowModelDTO(try await self.registry.model(try RequestInput.id(context)))
    }

    static func skipLimit(_ request: Request) throws -> (Int, Int) {
        let limit = try RequestInput.limit(request, default: 100, max: 500)
        var skip = 0
        if let text = RequestInput.query(request, "skip") {
            guard let value = Int(text), value >= 0, value <= 1_000_000 else { throw APIError.badRequest("skip must be a non-negative integer", code: "invalid_skip") }
            skip = value
        }
        return (skip, limit)
    }

    static func actor(_ context: AppRequestContext) -> String {
        context.apiKey.map { "\($0.name) (\($0.prefix)…)" } ?? "anonymous"
    }
}

/// An alias move.
struct AliasEventDTO: ResponseEncodable {
    let id: Int64
    let ticker: String
    let exchange: String
    let alias: String
    let from_model_id: Int64?
    let to_model_id: Int64?
    let actor: String
    let reason: String
    let metrics: JSONValue
    let at: Date

    init(_ event: AliasEvent) {
        self.id = event.id
        self.ticker = event.instrument.ticker.rawValue
        self.exchange = event.instrument.exchange.rawValue
        self.alias = event.alias.rawValue
        self.from_model_id = event.fromModel
        self.to_model_id = event.toModel
        self.actor = event.actor
        self.reason = event.reason
        self.metrics = JSONValue(parsing: event.metricsJSON)
        self.at = event.at
    }
}
