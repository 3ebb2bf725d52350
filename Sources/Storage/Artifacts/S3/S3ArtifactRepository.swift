import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PredictionCore

/// Model artifacts in an S3-compatible object store (AWS S3, MinIO, moto), content-addressed like the local
/// directory: `<prefix>sha256/<first two hex>/<sha256>.json`. Requests are signed with `SigV4Signer` and sent through
/// AsyncHTTPClient; every read is verified against its SHA-256. Path-style addressing (`endpoint/bucket/key`, what
/// MinIO and moto expect) or virtual-hosted style (`bucket.endpoint/key`, AWS).
///
/// Errors are `StorageError`s whose message names the configuration key to fix (`artifacts.s3.bucket`, ...), so
/// `/ready` and a failed training say what is wrong; credentials never appear in a message or a log line.
public struct S3ArtifactRepository: ArtifactRepository {
    /// `artifacts.s3.*`.
    public struct Settings: Sendable {
        /// `artifacts.s3.endpoint`: `http(s)://host[:port]`.
        public var endpoint: URL
        /// `artifacts.s3.bucket`.
        public var bucket: String
        /// `artifacts.s3.region`. Defaults to `us-east-1`.
        public var region = "us-east-1"
        /// `artifacts.s3.prefix`: prepended to every key (e.g. `stockcast/`). Defaults to empty.
        public var prefix = ""
        /// `artifacts.s3.path_style`: `endpoint/bucket/key` (MinIO, moto) instead of `bucket.endpoint/key`. Defaults to `true`.
        public var pathStyle = true
        /// `artifacts.s3.access_key_id` / `secret_access_key`, else `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`.
        public var credentials: SigV4Signer.Credentials
        /// `artifacts.s3.request_timeout_seconds`: longest one request may take. Defaults to 60 s.
        public var requestTimeout: TimeAmount = .seconds(60)

        public init(endpoint: URL, bucket: String, credentials: SigV4Signer.Credentials) {
            self.endpoint = endpoint
            self.bucket = bucket
            self.credentials = credentials
        }
    }

    /// Largest artifact read back (a bound on what one response may hold in memory).
    public static let maxArtifactBytes = 512 << 20

    public let settings: Settings
    private let client: HTTPClient
    private let signer: SigV4Signer

    /// A repository using `client` (which the caller owns and shuts down).
    public init(settings: Settings, client: HTTPClient = .shared) {
        self.settings = settings
        self.client = client
        self.signer = SigV4Signer(credentials: settings.credentials, region: settings.region)
    }

    public var location: String {
        "s3://\(self.settings.bucket)/\(self.settings.prefix) at \(self.settings.endpoint.absoluteString)"
    }

    public func put(_ bytes: Data) async throws -> (uri: String, sha256: String) {
        let sha = LocalArtifactRepository.sha256(bytes)
        let key = self.key(for: sha)
        // Content-addressed: an object already stored under this hash holds these bytes (verified on every read).
        if try await !self.contains(sha256: sha) {
            let response = try await self.send(.PUT, key: key, body: bytes, payloadSHA256: sha, what: "artifact \(sha)")
            guard response.status == .ok else { throw self.failure(response, what: "storing artifact \(sha)") }
        }
        return ("s3://\(self.settings.bucket)/\(key)", sha)
    }

    public func get(sha256: String) async throws -> Data {
        guard LocalArtifactRepository.isHash(sha256) else { throw StorageError(.invalidValue, "not a SHA-256: \(sha256)") }
        let response = try await self.send(.GET, key: self.key(for: sha256), what: "artifact \(sha256)")
        switch response.status {
        case .ok: break
        case .notFound: throw StorageError(.notFound, "artifact \(sha256) is missing from \(self.location)")
        default: throw self.failure(response, what: "reading artifact \(sha256)")
        }
        guard LocalArtifactRepository.sha256(response.body) == sha256 else {
            throw StorageError(.corruptRow, "artifact \(sha256) in \(self.location) does not match its hash; refusing to load it")
        }
        return response.body
    }

    public func contains(sha256: String) async throws -> Bool {
        guard LocalArtifactRepository.isHash(sha256) else { return false }
        let head = try await self.send(.HEAD, key: self.key(for: sha256), what: "artifact \(sha256)")
        switch head.status {
        case .ok: return true
        case .notFound: return false
        default: throw self.failure(head, what: "looking for artifact \(sha256)")
        }
    }

    public func remove(sha256: String) async throws {
        guard LocalArtifactRepository.isHash(sha256) else { return }
        let response = try await self.send(.DELETE, key: self.key(for: sha256), what: "artifact \(sha256)")
        guard [.ok, .noContent, .notFound].contains(response.status) else { throw self.failure(response, what: "deleting artifact \(sha256)") }
    }

    /// `HEAD` of the bucket: answers, exists, and accepts these credentials.
    public func checkReachable() async throws {
        let response = try await self.send(.HEAD, key: nil, what: "bucket \(self.settings.bucket)")
        guard response.status == .ok else { throw self.failure(response, what: "checking bucket \(self.settings.bucket)") }
    }

    /// `<prefix>sha256/<ab>/<sha>.json`.
    public func key(for sha256: String) -> String {
        "\(self.settings.prefix)sha256/\(sha256.prefix(2))/\(sha256).json"
    }

    // MARK: Requests

    private struct Answer {
        var status: HTTPResponseStatus
        var body: Data
        /// S3's error code (`NoSuchBucket`, `SignatureDoesNotMatch`, `InvalidAccessKeyId`, ...), when it sent one.
        var code: String?
    }

    private func send(
        _ method: HTTPMethod, key: String?, body: Data? = nil, payloadSHA256: String = SigV4Signer.emptyPayloadSHA256, what: String
    ) async throws -> Answer {
        let endpoint = self.settings.endpoint
        let (url, hostHeader, encodedPath) = try self.target(key: key)
        var request = HTTPClientRequest(url: url)
        request.method = method
        var signed: [(String, String)] = [("host", hostHeader), ("x-amz-content-sha256", payloadSHA256)]
        if let body {
            signed.append(("content-type", "application/octet-stream"))
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        for (name, value) in signed + self.signer.sign(method: method.rawValue, path: encodedPath, headers: signed, payloadSHA256: payloadSHA256, at: Date()) {
            request.headers.replaceOrAdd(name: name, value: value)
        }
        do {
            let response = try await self.client.execute(request, timeout: self.settings.requestTimeout)
            let bytes = try await response.body.collect(upTo: Self.maxArtifactBytes)
            let data = Data(bytes.readableBytesView)
            let code = response.status == .ok ? nil : Self.errorCode(data) ?? response.headers.first(name: "x-amz-error-code")
            return Answer(status: response.status, body: data, code: code)
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(
                .unavailable, "artifacts.s3.endpoint \(endpoint.absoluteString) did not answer (\(what)): \(String(describing: error))")
        }
    }

    /// Where a request for `key` (`nil`: the bucket itself) goes: its URL, `Host` header and URI-encoded path.
    /// Path style: `endpoint/bucket/key`; virtual-hosted style: `bucket.endpoint-host/key`.
    public func target(key: String?) throws -> (url: String, host: String, path: String) {
        let endpoint = self.settings.endpoint
        guard let scheme = endpoint.scheme, let host = endpoint.host else {
            throw StorageError(.unavailable, "artifacts.s3.endpoint is not a URL with a host: \(endpoint.absoluteString)")
        }
        let base = endpoint.path.hasSuffix("/") ? String(endpoint.path.dropLast()) : endpoint.path
        var hostName = host
        var path = base
        if self.settings.pathStyle {
            path += "/" + self.settings.bucket
            if let key { path += "/" + key }
        } else {
            hostName = "\(self.settings.bucket).\(host)"
            path += "/" + (key ?? "")
        }
        let encodedPath = SigV4Signer.encodePath(path)
        let hostHeader = endpoint.port.map { "\(hostName):\($0)" } ?? hostName
        return ("\(scheme)://\(hostHeader)\(encodedPath)", hostHeader, encodedPath)
    }

    /// What a refused request means, naming the key to fix.
    private func failure(_ answer: Answer, what: String) -> StorageError {
        let code = answer.code.map { " (\($0))" } ?? ""
        switch (answer.status, answer.code) {
        case (.notFound, _), (_, "NoSuchBucket"):
            return StorageError(.unavailable, "artifacts.s3.bucket: bucket \(self.settings.bucket) does not exist at \(self.settings.endpoint.absoluteString)\(code)")
        case (.forbidden, _), (_, "SignatureDoesNotMatch"), (_, "InvalidAccessKeyId"), (_, "AccessDenied"):
            return StorageError(
                .unavailable,
                "artifacts.s3.access_key_id / artifacts.s3.secret_access_key: the object store refused \(self.settings.credentials)\(code) while \(what)")
        default:
            return StorageError(.unavailable, "artifacts.s3.endpoint answered HTTP \(answer.status.code)\(code) while \(what)")
        }
    }

    /// `<Code>…</Code>` of an S3 error document.
    private static func errorCode(_ body: Data) -> String? {
        guard let text = String(data: body.prefix(4096), encoding: .utf8), let start = text.range(of: "<Code>"),
            let end = text.range(of: "</Code>", range: start.upperBound..<text.endIndex)
        else { return nil }
        return String(text[start.upperBound..<end.lowerBound])
    }
}
