import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Storage
import Testing

@testable import App

/// Issue 9 (5, 10): keys expire and rotate, admin.key follows the key it holds, and every change is in the audit log.
@Suite struct KeyLifecycleTests {
    @Test func keysExpireRotateAndAreAudited() async throws {
        let harness = try AppTestHarness()
        try await harness.test { client in
            let admin = try harness.adminKey
            // An expiring key works until it expires; an expired one is refused with its own code.
            let created = try await client.execute(
                uri: "/api/keys", method: .post, headers: .bearer(admin), body: try JSON.body(["name": "ci", "role": "operator", "expires_in_days": 7])
            ) { response in
                #expect(response.status == .created)
                return try JSON.object(response.body)
            }
            let operatorKey = try #require(created["key"] as? String)
            let expiresAt = try #require(created["expires_at"] as? String)
            #expect(created["status"] as? String == "active")
            #expect(ISO8601DateFormatter().date(from: expiresAt).map { abs($0.timeIntervalSinceNow - 7 * 86_400) < 120 } == true)
            try await client.execute(uri: "/api/auth/me", method: .get, headers: .bearer(operatorKey)) { #expect($0.status == .ok) }
            try await client.execute(
                uri: "/api/keys", method: .post, headers: .bearer(admin), body: try JSON.body(["name": "x", "role": "viewer", "expires_in_days": 0])
            ) { try expectError($0, .unprocessableContent, code: "invalid_expiry") }
            let stale = APIKeySecret()
            _ = try await harness.parts.storage.keys.createAPIKey(
                NewAPIKey(name: "old", role: .viewer, prefix: stale.prefix, hash: stale.hash, expiresAt: Date().addingTimeInterval(-1)))
            try await client.execute(uri: "/api/auth/me", method: .get, headers: .bearer(stale.value)) { try expectError($0, .unauthorized, code: "expired_api_key") }

            // Rotation with a grace period: both work until it ends; without one the old key stops at once.
            let operatorID = try #require(created["id"] as? Int)
            let graced = try await client.execute(
                uri: "/api/keys/\(operatorID)/rotate", method: .post, headers: .bearer(admin), body: try JSON.body(["grace_seconds": 600])
            ) { response in
                #expect(response.status == .created, "\(String(buffer: response.body))")
                return try JSON.object(response.body)
            }
            let rotatedKey = try #require(graced["key"] as? String)
            #expect(graced["name"] as? String == "ci" && graced["role"] as? String == "operator")
            #expect(graced["expires_at"] is String, "the new key keeps the old key's lifetime")
            try await client.execute(uri: "/api/auth/me", method: .get, headers: .bearer(rotatedKey)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/auth/me", method: .get, headers: .bearer(operatorKey)) { #expect($0.status == .ok) }
            let rotatedID = try #require(graced["id"] as? Int)
            let again = try await client.execute(uri: "/api/keys/\(rotatedID)/rotate", method: .post, headers: .bearer(admin)) { response in
                #expect(response.status == .created)
                return try JSON.object(response.body)["key"] as? String
            }
            try await client.execute(uri: "/api/auth/me", method: .get, headers: .bearer(rotatedKey)) { try expectError($0, .unauthorized, code: "invalid_api_key") }
            try await client.execute(uri: "/api/auth/me", method: .get, headers: .bearer(try #require(again))) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/keys/\(rotatedID)/rotate", method: .post, headers: .bearer(admin)) { try expectError($0, .notFound, code: "key_not_found") }
            try await client.execute(uri: "/api/keys/9999/rotate", method: .post, headers: .bearer(admin), body: try JSON.body(["grace_seconds": -1])) {
                try expectError($0, .unprocessableContent, code: "invalid_grace")
            }

            // Rotating the first admin key rewrites admin.key; the file never holds a dead key.
            let adminID = try await client.execute(uri: "/api/auth/me", method: .get, headers: .bearer(admin)) { try JSON.object($0.body)["id"] as? Int }
            let newAdmin = try await client.execute(uri: "/api/keys/\(try #require(adminID))/rotate", method: .post, headers: .bearer(admin)) {
                try JSON.object($0.body)["key"] as? String
            }
            #expect(try harness.adminKey == newAdmin)
            try await client.execute(uri: "/api/auth/me", method: .get, headers: .bearer(admin)) { try expectError($0, .unauthorized, code: "invalid_api_key") }
            let second = try await client.execute(
                uri: "/api/keys", method: .post, headers: .bearer(try harness.adminKey), body: try JSON.body(["name": "ops", "role": "admin"])
            ) { try JSON.object($0.body) }
            let fileAdminID = try await client.execute(uri: "/api/auth/me", method: .get, headers: .bearer(try harness.adminKey)) { try JSON.object($0.body)["id"] as? Int }
            try await client.execute(uri: "/api/keys/\(try #require(fileAdminID))", method: .delete, headers: .bearer(try #require(second["key"] as? String))) {
                #expect($0.status == .ok)
            }
            #expect(!FileManager.default.fileExists(atPath: harness.configuration.adminKeyFile.path), "admin.key kept a revoked key")

            // Keys are paged; the audit log lists every change, newest first, with who made it and never a key.
            let opsKey = try #require(second["key"] as? String)
            let firstPage = try await client.execute(uri: "/api/keys?limit=2", method: .get, headers: .bearer(opsKey)) { response in
                #expect(response.headers[.init("X-Next-Cursor")!] != nil)
                return try JSON.array(response.body)
            }
            #expect(firstPage.count == 2)
            try await client.execute(uri: "/api/keys?limit=0", method: .get, headers: .bearer(opsKey)) { try expectError($0, .badRequest, code: "invalid_limit") }
            let audit = try await client.execute(uri: "/api/audit?limit=100", method: .get, headers: .bearer(opsKey)) { try JSON.array($0.body) }
            let actions = audit.compactMap { $0["action"] as? String }
            #expect(actions.first == "DELETE /api/keys/{id}", "\(actions)")
            #expect(actions.filter { $0 == "POST /api/keys/{id}/rotate" }.count == 3)
            #expect(actions.filter { $0 == "POST /api/keys" }.count == 2)
            #expect(audit.allSatisfy { ($0["actor"] as? String)?.contains("…") == true && $0["address"] is String })
            let text = String(decoding: try JSONSerialization.data(withJSONObject: audit), as: UTF8.self)
            for secret in [admin, operatorKey, rotatedKey, opsKey] { #expect(!text.contains(secret)) }
            let paged = try await client.execute(uri: "/api/audit?limit=1", method: .get, headers: .bearer(opsKey)) { response in
                (try JSON.array(response.body), response.headers[.init("X-Next-Cursor")!])
            }
            #expect(paged.0.count == 1 && paged.1 != nil)
            try await client.execute(uri: "/api/audit", method: .get, headers: .bearer(try #require(again))) { try expectError($0, .forbidden, code: "insufficient_role") }
        }
    }
}
