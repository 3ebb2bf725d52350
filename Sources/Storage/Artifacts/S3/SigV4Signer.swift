import Crypto
import Foundation

/// AWS Signature Version 4 (`AWS4-HMAC-SHA256`) for one request, written on swift-crypto's HMAC-SHA256: the canonical
/// request (method, URI-encoded path, sorted query, lower-cased sorted headers with trimmed values, signed header
/// list, payload hash), the string to sign over the credential scope `date/region/service/aws4_request`, and the
/// signature with the key derived from the secret. Checked against AWS's published test suite (`SigV4SignerTests`).
public struct SigV4Signer: Sendable {
    /// An access key pair. Its description and its mirror (`dump`, debuggers) never show the secret.
    public struct Credentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        public var accessKeyID: String
        public var secretAccessKey: String

        public init(accessKeyID: String, secretAccessKey: String) {
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secretAccessKey
        }

        public var description: String { "access key \(self.accessKeyID)" }
        public var debugDescription: String { self.description }
        public var customMirror: Mirror { Mirror(self, children: ["accessKeyID": self.accessKeyID]) }
    }

    public let credentials: Credentials
    public let region: String
    public let service: String

    public init(credentials: Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// SHA-256 of an empty payload.
    public static let emptyPayloadSHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// The headers to add to a request: `x-amz-date` and `Authorization`.
    /// - Parameters:
    ///   - path: the path as sent, already URI-encoded (see `encodePath`).
    ///   - query: decoded names and values; they are encoded and sorted here.
    ///   - headers: every header to sign, `host` included (names in any case).
    ///   - payloadSHA256: lower-case hex SHA-256 of the body (also sent as `x-amz-content-sha256` to S3).
    public func sign(
        method: String, path: String, query: [(String, String)] = [], headers: [(String, String)], payloadSHA256: String, at date: Date
    ) -> [(String, String)] {
        let (amzDate, day) = Self.timestamps(date)
        var canonicalHeaders: [String: String] = [:]
        for (name, value) in headers + [("x-amz-date", amzDate)] {
            let key = name.lowercased()
            let trimmed = Self.collapseSpaces(value)
            canonicalHeaders[key] = canonicalHeaders[key].map { "\($0),\(trimmed)" } ?? trimmed
        }
        let names = canonicalHeaders.keys.sorted()
        let signedHeaders = names.joined(separator: ";")
        let canonicalQuery = query.map { (Self.encode($0.0), Self.encode($0.1)) }.sorted { $0 < $1 }.map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
        let canonicalRequest = [
            method, path.isEmpty ? "/" : path, canonicalQuery, names.map { "\($0):\(canonicalHeaders[$0]!)\n" }.joined(), signedHeaders,
            payloadSHA256,
        ].joined(separator: "\n")
        let scope = "\(day)/\(self.region)/\(self.service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, Self.hex(SHA256.hash(data: Data(canonicalRequest.utf8)))].joined(separator: "\n")
        var key = SymmetricKey(data: Data("AWS4\(self.credentials.secretAccessKey)".utf8))
        for part in [day, self.region, self.service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(self.credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return [("x-amz-date", amzDate), ("Authorization", authorization)]
    }

    /// Each `/`-separated segment of `path` URI-encoded (RFC 3986 unreserved characters kept), as S3 expects.
    public static func encodePath(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { self.encode(String($0)) }.joined(separator: "/")
    }

    /// Percent-encodes everything but `A-Z a-z 0-9 - . _ ~`, with upper-case hex.
    public static func encode(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded += String(format: "%%%02X", byte)
            }
        }
        return encoded
    }

    /// Lower-case hex of a digest or MAC.
    static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    private static func collapseSpaces(_ value: String) -> String {
        value.trimmingCharacters(in: .whitespaces).split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    /// `yyyyMMdd'T'HHmmss'Z'` and `yyyyMMdd` in UTC.
    private static func timestamps(_ date: Date) -> (String, String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let day = String(format: "%04d%02d%02d", c.year!, c.month!, c.day!)
        return (day + String(format: "T%02d%02d%02dZ", c.hour!, c.minute!, c.second!), day)
    }
}
