import Hummingbird
import PredictionCore
import Storage

/// `GET /health` (liveness: the process answers) and `GET /ready` (database reachable, migrations applied, artifact
/// store reachable with these credentials).
struct HealthController {
    let database: any DatabaseService
    let artifacts: any ArtifactRepository
    let instanceID: String

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/health", use: self.health)
        router.get("/ready", use: self.ready)
    }

    struct Health: ResponseEncodable {
        let status: String
        let instance: String
    }

    struct Readiness: ResponseEncodable {
        let status: String
        let storage: String
        let schema_version: Int
        let expected_schema_version: Int
        let artifacts: String
    }

    @Sendable func health(_ request: Request, context: AppRequestContext) async throws -> Health {
        Health(status: "ok", instance: self.instanceID)
    }

    @Sendable func ready(_ request: Request, context: AppRequestContext) async throws -> Readiness {
        let version: Int
        do {
            version = try await self.database.schemaVersion()
        } catch {
            throw APIError(.serviceUnavailable, code: "storage_unreachable", "the \(self.database.backendName) store does not answer")
        }
        let expected = Migration.latestVersion
        guard version >= expected else {
            throw APIError(.serviceUnavailable, code: "migrations_pending", "schema version \(version), expected \(expected)")
        }
        do {
            try await self.artifacts.checkReachable()
        } catch let error as StorageError {
            throw APIError(.serviceUnavailable, code: "artifacts_unavailable", error.message)
        }
        return Readiness(
            status: "ready", storage: self.database.backendName, schema_version: version, expected_schema_version: expected,
            artifacts: self.artifacts.location)
    }
}
