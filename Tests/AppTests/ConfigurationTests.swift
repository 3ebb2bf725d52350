import Actors
import Foundation
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
}
