import AsyncHTTPClient
import Actors
import Foundation
import Hummingbird
import Logging
import HummingbirdTesting
import NIOCore
import PredictionCore
import Storage
import Testing

@testable import App

@Suite struct AuthAndSystemTests {
    /// Writes need operator, key management admin; missing/wrong key 401, low role 403, all with JSON bodies.
    @Test func rolesAreEnforced() async throws {
        let harness = try AppTestHarness()
        try await harness.test { client in
            let admin = try harness.adminKey
            let attrs = try FileManager.default.attributesOfItem(atPath: harness.configuration.adminKeyFile.path)
            #expect((attrs[.posixPermissions] as? Int) == 0o600)
            let viewer = try await client.execute(uri: "/api/keys", method: .post, headers: .bearer(admin), body: try JSON.body(["name": "dash", "role": "viewer"])) {
                #expect($0.status == .created)
                return try JSON.object($0.body)["key"] as? String ?? ""
            }
            let runBody = try JSON.body([["ticker": "X", "exchange": "NYSE"]])
            try await client.execute(uri: "/api/run-etl", method: .post, body: runBody) { try expectError($0, .unauthorized, code: "missing_api_key") }
            try await client.execute(uri: "/api/run-etl", method: .post, headers: .bearer("sck_wrong"), body: runBody) {
                try expectError($0, .unauthorized, code: "invalid_api_key")
            }
            try await client.execute(uri: "/api/run-etl", method: .post, headers: .bearer(viewer), body: runBody) {
                try expectError($0, .forbidden, code: "insufficient_role")
            }
            try await client.execute(uri: "/api/keys", method: .get, headers: .bearer(viewer)) { try expectError($0, .forbidden, code: "insufficient_role") }
            try await client.execute(uri: "/api/keys", method: .get, headers: .bearer(admin)) { response in
                let keys = try JSON.array(response.body)
                #expect(keys.count == 2)
                #expect(keys.allSatisfy { $0["key"] == nil || $0["key"] is NSNull }, "secrets are never listed")
            }
            // reads are open by default
            try await client.execute(uri: "/api/datasets", method: .get) { #expect($0.status == .ok) }
            // revoking: the viewer key stops working; the last admin key cannot be revoked
            let ids = try await client.execute(uri: "/api/keys", method: .get, headers: .bearer(admin)) { try JSON.array($0.body) }
            let viewerID = try #require(ids.first { $0["role"] as? String == "viewer" }?["id"] as? Int)
            let adminID = try #require(ids.first { $0["role"] as? String == "admin" }?["id"] as? Int)
            try await client.execute(uri: "/api/keys/\(viewerID)", method: .delete, headers: .bearer(admin)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/datasets", method: .get, headers: .bearer(viewer)) { try expectError($0, .unauthorized, code: "invalid_api_key") }
            try await client.execute(uri: "/api/keys/\(adminID)", method: .delete, headers: .bearer(admin)) { try expectError($0, .conflict, code: "last_admin_key") }
            try await client.execute(uri: "/api/keys", method: .post, headers: .bearer(admin), body: try JSON.body(["name": "x", "role": "root"])) {
                try expectError($0, .unprocessableContent, code: "validation_error")
            }
        }
    }

    /// With auth.read_requires_key, reads need a viewer key. Repeated failures of one (address, key prefix) get 429,
    /// but a valid key from the same address always authenticates (issue 9: it got 429 for a minute), and another
    /// prefix from that address is not throttled.
    @Test func readsCanRequireAKeyAndFailuresAreRateLimited() async throws {
        let harness = try AppTestHarness(readRequiresKey: true)
        try await harness.test { client in
            try await client.execute(uri: "/api/datasets", method: .get) { try expectError($0, .unauthorized, code: "missing_api_key") }
            try await client.execute(uri: "/api/datasets", method: .get, headers: .bearer(try harness.adminKey)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
            let guess = "sck_guess" + String(repeating: "0", count: 60)
            for _ in 0..<5 {
                try await client.execute(uri: "/api/datasets", method: .get, headers: .bearer(guess)) { try expectError($0, .unauthorized, code: "invalid_api_key") }
            }
            try await client.execute(uri: "/api/datasets", method: .get, headers: .bearer(guess)) { response in
                try expectError(response, .tooManyRequests, code: "auth_rate_limited")
                #expect(response.headers[.retryAfter] != nil)
            }
            for _ in 0..<3 {
                try await client.execute(uri: "/api/datasets", method: .get, headers: .bearer(try harness.adminKey)) { #expect($0.status == .ok) }
            }
            try await client.execute(uri: "/api/datasets", method: .get, headers: .bearer("sck_other" + String(repeating: "1", count: 60))) {
                try expectError($0, .unauthorized, code: "invalid_api_key")
            }
        }
    }

    @Test func healthAndReadiness() async throws {
        let harness = try AppTestHarness()
        try await harness.test { client in
            try await client.execute(uri: "/health", method: .get) { response in
                let body = try JSON.object(response.body)
                #expect(body["status"] as? String == "ok")
            }
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .ok)
                let body = try JSON.object(response.body)
                #expect(body["storage"] as? String == "sqlite")
                #expect((body["schema_version"] as? Int ?? 0) >= 1)
            }
        }
    }

    /// Every registered route is in /openapi.json and every documented operation is registered.
    @Test func openAPIDocumentMatchesTheRouter() async throws {
        let harness = try AppTestHarness()
        let router = buildRouter(harness.parts, configuration: harness.configuration, logger: Logger(label: "test"))
        let registered = Set(router.routes.map { "\($0.method.rawValue.lowercased()) \($0.path.description)" })
        let documented = Set(OpenAPIDocument.operations.map { "\($0.method) \($0.path)" })
        #expect(registered == documented, "only registered: \(registered.subtracting(documented)); only documented: \(documented.subtracting(registered))")
        let json = try JSONSerialization.jsonObject(with: try OpenAPIDocument.json()) as? [String: Any]
        #expect(json?["openapi"] as? String == "3.1.0")
        // every $ref points at a defined schema
        let text = String(decoding: try OpenAPIDocument.json(), as: UTF8.self)
        let schemas = Set((OpenAPIDocument.schemas).keys)
        for match in text.matches(of: /#\/components\/schemas\/(\w+)/) {
            #expect(schemas.contains(String(match.1)), "undefined schema \(match.1)")
        }
        try await harness.parts.httpClient.shutdown()
        try? FileManager.default.removeItem(at: harness.configuration.dataDirectory)
    }
}
