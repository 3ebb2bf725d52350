import Actors
import Foundation
import Hummingbird
import HummingbirdTesting
import PredictionCore
import Storage
import Testing
import TestSupport

@testable import App

/// The server with `artifacts.s3.*` set, against moto with signature checking on (`scripts/test-s3.sh`): trained
/// artifacts go to the bucket and are served from it; wrong credentials show on `/ready` and fail a training cleanly.
@Suite(.enabled(if: S3TestServer.enabled, "STOCKCAST_TEST_S3_ENDPOINT is not set (scripts/test-s3.sh start)"))
struct S3ArtifactsAPITests {
    nonisolated(unsafe) static let drift: [String: Any] = [
        "ticker": "GOOG", "exchange": "NASDAQ", "model_type": "drift", "features": [], "val_size": 0.2, "hyper_parameters": ["max_horizon": 5],
    ]

    @Test func trainedArtifactsLiveInTheBucketAndAreServedFromIt() async throws {
        let s3 = try S3TestServer.settings(prefix: S3TestServer.uniquePrefix("app"))
        let harness = try AppTestHarness(sampleData: true) { $0.artifactsS3 = s3 }
        try await harness.test { client in
            let key = try await ForecastingAPITests.ready(harness)
            let ready = try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                return try JSON.object(response.body)
            }
            #expect((ready["artifacts"] as? String)?.hasPrefix("s3://\(s3.bucket)/\(s3.prefix)") == true)
            let id = try await ForecastingAPITests.register(client, key: key, Self.drift)
            _ = try await ForecastingAPITests.train(client, harness: harness, key: key, model: id)
            let model = try await client.execute(uri: "/api/models/\(id)", method: .get) { try JSON.object($0.body) }
            let sha = try #require(model["artifact_sha256"] as? String)
            let repository = S3ArtifactRepository(settings: s3)
            #expect(model["artifact_uri"] as? String == "s3://\(s3.bucket)/\(repository.key(for: sha))")
            #expect(LocalArtifactRepository.sha256(try await repository.get(sha256: sha)) == sha)
            #expect(!FileManager.default.fileExists(atPath: harness.configuration.dataDirectory.appendingPathComponent("artifacts").path))
            // A fresh registry (nothing cached) on the same records loads the model from the bucket.
            let cold = ModelRegistry(models: harness.parts.storage.models, artifacts: repository, logger: harness.logger)
            #expect(try await cold.forecaster(for: Int64(id)).1.maxHorizon == 5)
            try await client.execute(
                uri: "/api/predict/", method: .post, headers: .bearer(key),
                body: try JSON.body(["ticker": "GOOG", "exchange": "NASDAQ", "target_date": "2013-02-28", "model_id": id])
            ) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
            }
        }
    }

    @Test func wrongCredentialsFailReadinessAndTrainingWithTheKeyToFix() async throws {
        var s3 = try S3TestServer.settings(prefix: S3TestServer.uniquePrefix("wrong"))
        s3.credentials.secretAccessKey = "wrong-secret"
        let harness = try AppTestHarness(sampleData: true) { $0.artifactsS3 = s3 }
        try await harness.test { client in
            let key = try await ForecastingAPITests.ready(harness)
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let body = try JSON.object(response.body)
                #expect(body["code"] as? String == "artifacts_unavailable")
                #expect((body["detail"] as? String)?.contains("artifacts.s3.secret_access_key") == true, "\(body)")
                #expect(!String(buffer: response.body).contains("wrong-secret"))
            }
            let id = try await ForecastingAPITests.register(client, key: key, Self.drift)
            let taskID = try await client.execute(uri: "/api/train", method: .post, headers: .bearer(key), body: try JSON.body(["model_id": id])) {
                try JSON.object($0.body)["task_id"] as? String ?? ""
            }
            let done = try await harness.parts.supervisor.waitUntilFinished(taskID)
            #expect(done.state == .failed)
            #expect(done.error?.contains("artifacts.s3.secret_access_key") == true, "\(done.error ?? "")")
            // Nothing half-registered: the model has no artifact and says why it failed.
            let model = try await client.execute(uri: "/api/models/\(id)", method: .get) { try JSON.object($0.body) }
            #expect(model["status"] as? String == "failed")
            #expect(model["artifact_sha256"] is NSNull || model["artifact_sha256"] == nil)
        }
    }

    /// `stockcast artifacts sync --to s3`: a model trained on the local directory is copied (hash-checked), its record
    /// points at the bucket, a registry reading only the bucket serves it; a second sync copies nothing.
    @Test func localArtifactsSyncToTheBucket() async throws {
        let s3 = try S3TestServer.settings(prefix: S3TestServer.uniquePrefix("sync"))
        let harness = try AppTestHarness(sampleData: true)
        try await harness.test { client in
            let key = try await ForecastingAPITests.ready(harness)
            let id = try await ForecastingAPITests.register(client, key: key, Self.drift)
            _ = try await ForecastingAPITests.train(client, harness: harness, key: key, model: id)
            let local = LocalArtifactRepository(root: harness.configuration.dataDirectory.appendingPathComponent("artifacts"))
            let bucket = S3ArtifactRepository(settings: s3)
            let first = try await ArtifactSync.toS3(harness.parts.storage.models, from: local, to: bucket, logger: harness.logger)
            #expect(first.copied == 1 && first.alreadyThere == 0 && first.missing.isEmpty)
            let model = try #require(try await harness.parts.storage.models.model(id: Int64(id)))
            let sha = try #require(model.artifactSHA256)
            #expect(model.artifactURI == "s3://\(s3.bucket)/\(bucket.key(for: sha))")
            let fromBucket = ModelRegistry(models: harness.parts.storage.models, artifacts: bucket, logger: harness.logger)
            #expect(try await fromBucket.forecaster(for: Int64(id)).1.maxHorizon == 5)
            let second = try await ArtifactSync.toS3(harness.parts.storage.models, from: local, to: bucket, logger: harness.logger)
            #expect(second.copied == 0 && second.alreadyThere == 1)
        }
    }
}
