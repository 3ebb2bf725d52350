import Actors
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOFoundationEssentialsCompat
import PredictionCore
import Storage
import Testing

@testable import App

/// A server on a fresh temporary data directory (SQLite), schedule off, fast retries, with the admin key at hand.
struct AppTestHarness {
    let configuration: AppConfiguration
    let parts: ServiceParts
    /// The logger of the app and its parts (tests may record it).
    let logger: Logger

    /// Builds the harness; `sampleData` turns the first-start sample ingestion on.
    init(
        sampleData: Bool = false, readRequiresKey: Bool = false, maxUploadBytes: Int = 1 << 20, metricsInterval: Int = 5,
        logger: Logger = Logger(label: "apptest"), configure: (inout AppConfiguration) -> Void = { _ in }
    ) throws {
        self.logger = logger
        var configuration = AppConfiguration()
        configuration.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("stockcast-apptest-\(UUID().uuidString)")
        configuration.ingestSampleData = sampleData
        configuration.schedule.enabled = false
        configuration.pipeline.retry = RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(5))
        configuration.readRequiresKey = readRequiresKey
        configuration.maxUploadBytes = maxUploadBytes
        configuration.maxAuthFailuresPerMinute = 5
        configuration.port = 0
        configuration.metricsPublishInterval = metricsInterval
        // HummingbirdTesting's live client opens its connection when a test starts and may first send a request
        // after a long preparation (training on a loaded machine): give it far more than a real client needs.
        configuration.connections.headerTimeout = .seconds(300)
        configure(&configuration)
        self.configuration = configuration
        self.parts = try makeServices(configuration, logger: logger)
    }

    /// Runs `body` against the app in router mode (services running, migrations applied).
    func test(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        defer { try? FileManager.default.removeItem(at: self.configuration.dataDirectory) }
        let app = buildApplication(self.parts, configuration: self.configuration, logger: self.logger)
        try await app.test(.router) { client in
            // Router mode binds no socket, so the "server is listening" step (sample data, banner) is run here.
            await serverListening(self.parts, configuration: self.configuration, logger: self.logger, port: 0)
            try await body(client)
        }
    }

    /// Runs `body` against the app on a real socket (WebSockets need one).
    func testLive(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        defer { try? FileManager.default.removeItem(at: self.configuration.dataDirectory) }
        let app = buildApplication(self.parts, configuration: self.configuration, logger: self.logger)
        try await app.test(.live, body)
    }

    /// The admin key written at first start.
    var adminKey: String {
        get throws { try String(contentsOf: self.configuration.adminKeyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// Writes a CSV into the import directory and returns its `csv:` source.
    func importFile(_ name: String, _ contents: String) throws -> String {
        let url = self.configuration.importDirectory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return "csv:\(name)"
    }
}

/// JSON helpers for responses.
enum JSON {
    static func object(_ buffer: ByteBuffer) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(buffer: buffer))
        guard let object = value as? [String: Any] else { throw JSONShapeError(text: String(buffer: buffer)) }
        return object
    }

    static func array(_ buffer: ByteBuffer) throws -> [[String: Any]] {
        let value = try JSONSerialization.jsonObject(with: Data(buffer: buffer))
        guard let array = value as? [[String: Any]] else { throw JSONShapeError(text: String(buffer: buffer)) }
        return array
    }

    static func body(_ value: Any) throws -> ByteBuffer {
        ByteBuffer(data: try JSONSerialization.data(withJSONObject: value))
    }

    struct JSONShapeError: Error { let text: String }
}

extension HTTPFields {
    /// `Authorization: Bearer <key>` (+ JSON content type).
    static func bearer(_ key: String) -> HTTPFields {
        [.authorization: "Bearer \(key)", .contentType: "application/json"]
    }
}

/// Asserts an error response: status, JSON `{"detail", "code"}` and the expected code.
func expectError(_ response: TestResponse, _ status: HTTPResponse.Status, code: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(response.status == status, "body: \(String(buffer: response.body))", sourceLocation: sourceLocation)
    let object = try JSON.object(response.body)
    #expect(object["code"] as? String == code, "body: \(object)", sourceLocation: sourceLocation)
    #expect((object["detail"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
}
