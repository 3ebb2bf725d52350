import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PredictionCore
import Storage
import Testing
import TestSupport

/// `S3ArtifactRepository` against a real S3-compatible server with signature checking on: `moto_server` started by
/// `scripts/test-s3.sh start` (which exports `STOCKCAST_TEST_S3_*`). Skipped with a printed reason when that server is
/// not configured, unless `STOCKCAST_REQUIRE_S3=1` (as in `make test`), in which case every test fails.
@Suite(.enabled(if: S3TestServer.enabled, "STOCKCAST_TEST_S3_ENDPOINT is not set (scripts/test-s3.sh start); STOCKCAST_REQUIRE_S3=1 fails instead"))
struct S3ArtifactRepositoryTests {
    @Test func storesReadsAndRemovesContentAddressedArtifacts() async throws {
        let repository = try S3Harness.repository(prefix: S3TestServer.uniquePrefix("roundtrip"))
        try await repository.checkReachable()
        let bytes = Data("{\"model\":\"drift\",\"n\":\(Int.random(in: 0..<1_000_000))}".utf8)
        let (uri, sha) = try await repository.put(bytes)
        #expect(sha == LocalArtifactRepository.sha256(bytes))
        #expect(uri == "s3://\(repository.settings.bucket)/\(repository.key(for: sha))")
        #expect(try await repository.put(bytes).sha256 == sha, "the same bytes store once")
        #expect(try await repository.get(sha256: sha) == bytes)
        try await repository.remove(sha256: sha)
        try await repository.remove(sha256: sha)  // already gone: no error
        await #expect(throws: StorageError.self) { _ = try await repository.get(sha256: sha) }
    }

    @Test func anObjectThatDoesNotMatchItsHashIsRefused() async throws {
        let repository = try S3Harness.repository(prefix: S3TestServer.uniquePrefix("tamper"))
        let (_, sha) = try await repository.put(Data("original".utf8))
        // Overwrite the object under the same key with other bytes, signed like any client would.
        try await S3Harness.rawPut(Data("tampered".utf8), key: repository.key(for: sha), repository: repository)
        do {
            _ = try await repository.get(sha256: sha)
            Issue.record("a tampered artifact was returned")
        } catch let error as StorageError {
            #expect(error.code == .corruptRow)
        }
    }

    @Test func aWrongSecretIsRefusedByTheServerAndNamedInTheError() async throws {
        var settings = try S3Harness.settings()
        settings.credentials.secretAccessKey = "not-the-secret"
        let repository = S3ArtifactRepository(settings: settings)
        let error = await #expect(throws: StorageError.self) { try await repository.checkReachable() }
        #expect(error?.message.contains("artifacts.s3.secret_access_key") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("not-the-secret") == false)
        await #expect(throws: StorageError.self) { _ = try await repository.put(Data("x".utf8)) }
    }

    @Test func aMissingBucketAndAnUnreachableEndpointNameTheirKeys() async throws {
        var settings = try S3Harness.settings()
        settings.bucket = "no-such-bucket-\(UUID().uuidString.prefix(8).lowercased())"
        let missing = await #expect(throws: StorageError.self) { try await S3ArtifactRepository(settings: settings).checkReachable() }
        #expect(missing?.message.contains("artifacts.s3.bucket") == true, "\(missing?.message ?? "")")
        var unreachable = try S3Harness.settings()
        unreachable.endpoint = URL(string: "http://127.0.0.1:9")!
        unreachable.requestTimeout = .seconds(2)
        let down = await #expect(throws: StorageError.self) { try await S3ArtifactRepository(settings: unreachable).checkReachable() }
        #expect(down?.message.contains("artifacts.s3.endpoint") == true, "\(down?.message ?? "")")
        #expect(down?.code == .unavailable)
    }

    @Test func virtualHostedStylePutsTheBucketInTheHost() throws {
        var settings = try S3Harness.settings()
        settings.endpoint = URL(string: "https://s3.eu-west-1.amazonaws.com")!
        settings.pathStyle = false
        settings.prefix = "a b/"
        let repository = S3ArtifactRepository(settings: settings)
        let sha = String(repeating: "ab", count: 32)
        let target = try repository.target(key: repository.key(for: sha))
        #expect(target.host == "\(settings.bucket).s3.eu-west-1.amazonaws.com")
        #expect(target.path == "/a%20b/sha256/ab/\(sha).json")
        #expect(target.url == "https://\(settings.bucket).s3.eu-west-1.amazonaws.com/a%20b/sha256/ab/\(sha).json")
        settings.pathStyle = true
        settings.endpoint = URL(string: "http://127.0.0.1:9000")!
        #expect(try S3ArtifactRepository(settings: settings).target(key: nil).url == "http://127.0.0.1:9000/\(settings.bucket)")
    }
}

enum S3Harness {
    static func settings() throws -> S3ArtifactRepository.Settings { try S3TestServer.settings() }

    static func repository(prefix: String) throws -> S3ArtifactRepository {
        S3ArtifactRepository(settings: try S3TestServer.settings(prefix: prefix))
    }

    /// A signed PUT of `bytes` at `key`, bypassing the repository's hashing.
    static func rawPut(_ bytes: Data, key: String, repository: S3ArtifactRepository) async throws {
        let target = try repository.target(key: key)
        let signer = SigV4Signer(credentials: repository.settings.credentials, region: repository.settings.region)
        let payload = LocalArtifactRepository.sha256(bytes)
        let headers = [("host", target.host), ("x-amz-content-sha256", payload), ("content-type", "application/octet-stream")]
        var request = HTTPClientRequest(url: target.url)
        request.method = .PUT
        request.body = .bytes(ByteBuffer(bytes: bytes))
        for (name, value) in headers + signer.sign(method: "PUT", path: target.path, headers: headers, payloadSHA256: payload, at: Date()) {
            request.headers.replaceOrAdd(name: name, value: value)
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        #expect(response.status == .ok)
    }
}
