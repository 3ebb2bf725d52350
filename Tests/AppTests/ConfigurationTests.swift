import Actors
import Foundation
import Hummingbird
import HummingbirdTesting
import PredictionCore
import Storage
import Testing

@testable import App

@Suite struct ConfigurationTests {
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Config/default.json documents exactly the built-in defaults: same keys, same values.
    @Test func defaultJSONMatchesBuiltInDefaults() throws {
        let data = try Data(contentsOf: Self.repositoryRoot.appendingPathComponent("Config/default.json"))
        var values = ConfigValues([:])
        try values.merge(json: data, origin: "default.json", knownKeys: Set(AppConfiguration.defaultValues.keys))
        #expect(values.values == AppConfiguration.defaultValues)
    }

    /// Layers: file < environment < flags; aliases work; unknown keys and bad values are errors naming the key.
    @Test func layersOverrideInOrder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("c.json")
        try #"{"http": {"port": 9000, "host": "0.0.0.0"}, "etl": {"schedule": {"time": "07:15"}}}"#.write(to: file, atomically: true, encoding: .utf8)
        let env = ["STOCKCAST_PORT": "9100", "STOCKCAST_POSTGRES_URL": "postgres://u@h:5432/db", "STOCKCAST_ETL_MAX_CONCURRENT_RUNS": "3"]
        let c = try AppConfiguration.load(configFile: file.path, overrides: ["data_dir": "/tmp/x"], environment: env, workingDirectory: dir)
        #expect(c.host == "0.0.0.0")
        #expect(c.port == 9100)
        #expect(c.postgresURL == "postgres://u@h:5432/db")
        #expect(c.pipeline.maxConcurrentRuns == 3)
        #expect(c.schedule.hour == 7 && c.schedule.minute == 15)
        #expect(c.dataDirectory.path == "/tmp/x")
        let flagged = try AppConfiguration.load(configFile: file.path, overrides: ["http.port": "9200"], environment: env, workingDirectory: dir)
        #expect(flagged.port == 9200)

        try #"{"http": {"prot": 1}}"#.write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: ConfigurationError.self) { try AppConfiguration.load(configFile: file.path, overrides: [:], environment: [:], workingDirectory: dir) }
        #expect(throws: ConfigurationError.self) {
            try AppConfiguration.load(configFile: nil, overrides: [:], environment: ["STOCKCAST_PORT": "eighty"], workingDirectory: dir)
        }
        #expect(throws: ConfigurationError.self) {
            try AppConfiguration.load(configFile: nil, overrides: ["etl.schedule.time": "25:00"], environment: [:], workingDirectory: dir)
        }
    }

    /// `artifacts.s3.*`: off by default; credentials from the keys or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (the
    /// keys win); every bad value stops the start with a message naming its key and never showing the secret.
    @Test func s3ArtifactSettingsAreValidatedAndNamed() throws {
        let dir = FileManager.default.temporaryDirectory
        #expect(try AppConfiguration.load(configFile: nil, overrides: [:], environment: [:], workingDirectory: dir).artifactsS3 == nil)
        let base = ["artifacts.s3.endpoint": "http://127.0.0.1:9000", "artifacts.s3.bucket": "models", "artifacts.s3.prefix": "prod"]
        let aws = ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "env-secret"]
        let fromEnvironment = try #require(try AppConfiguration.load(configFile: nil, overrides: base, environment: aws, workingDirectory: dir).artifactsS3)
        #expect(fromEnvironment.credentials.accessKeyID == "AKIDENV")
        #expect(fromEnvironment.prefix == "prod/")
        #expect(fromEnvironment.pathStyle && fromEnvironment.region == "us-east-1")
        var explicit = base
        explicit["artifacts.s3.access_key_id"] = "AKIDCONF"
        explicit["artifacts.s3.secret_access_key"] = "conf-secret"
        #expect(try AppConfiguration.load(configFile: nil, overrides: explicit, environment: aws, workingDirectory: dir).artifactsS3?.credentials.accessKeyID == "AKIDCONF")
        let bad: [(String, String, [String: String])] = [
            ("artifacts.s3.endpoint", "ftp://127.0.0.1", aws), ("artifacts.s3.endpoint", "not a url", aws),
            ("artifacts.s3.bucket", "Bad_Bucket", aws), ("artifacts.s3.bucket", "", aws), ("artifacts.s3.region", "US East", aws),
            ("artifacts.s3.prefix", "/absolute", aws), ("artifacts.s3.path_style", "sometimes", aws),
            ("artifacts.s3.access_key_id", "", [:]),
        ]
        for (key, value, environment) in bad {
            var overrides = base
            overrides[key] = value
            do {
                _ = try AppConfiguration.load(configFile: nil, overrides: overrides, environment: environment, workingDirectory: dir)
                Issue.record("\(key)=\(value) was accepted")
            } catch let error as ConfigurationError {
                #expect(error.description.contains(key), "\(key)=\(value): \(error)")
                #expect(!error.description.contains("env-secret"))
            }
        }
    }

    /// `instance.roles` / `--roles`: every role by default; unknown, repeated or no roles stop the start naming the key;
    /// lease settings out of range too.
    @Test func rolesAndLeaseSettingsAreValidated() throws {
        let dir = FileManager.default.temporaryDirectory
        func load(_ overrides: [String: String]) throws -> AppConfiguration {
            try AppConfiguration.load(configFile: nil, overrides: overrides, environment: [:], workingDirectory: dir)
        }
        #expect(try load([:]).roles == [.api, .worker, .scheduler])
        #expect(try load(["instance.roles": " worker , scheduler"]).roles == [.worker, .scheduler])
        for (key, value) in [("instance.roles", "api,wroker"), ("instance.roles", "api,api"), ("instance.roles", ""),
                             ("training.lease_seconds", "1"), ("training.max_attempts", "0")] {
            do {
                _ = try load([key: value])
                Issue.record("\(key)=\(value) was accepted")
            } catch let error as ConfigurationError {
                #expect(error.description.contains(key), "\(error)")
            }
        }
    }

    /// A worker-only instance serves its health, readiness and metrics, and no API, UI or stream.
    @Test func aWorkerServesOnlyHealthReadinessAndMetrics() async throws {
        let harness = try AppTestHarness { $0.roles = [.worker] }
        try await harness.test { client in
            for path in ["/health", "/ready", "/metrics"] {
                try await client.execute(uri: path, method: .get) { #expect($0.status == .ok, "\(path)") }
            }
            for path in ["/api/datasets", "/", "/openapi.json", "/api/ui/config"] {
                try await client.execute(uri: path, method: .get) { #expect($0.status == .notFound, "\(path)") }
            }
        }
    }
}
