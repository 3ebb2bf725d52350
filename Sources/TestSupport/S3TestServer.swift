import Foundation
import Storage

/// The S3-compatible server of `scripts/test-s3.sh` (moto with signature checking on), as the tests see it through
/// `STOCKCAST_TEST_S3_ENDPOINT`, `_BUCKET`, `_ACCESS_KEY_ID` and `_SECRET_ACCESS_KEY`. Suites that need it are enabled
/// when it is configured or when `STOCKCAST_REQUIRE_S3=1` (as in `make test`, where a missing server fails them).
public enum S3TestServer {
    private static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// Whether S3 suites run; prints why when they are skipped. Evaluated once.
    public static let enabled: Bool = {
        if environment["STOCKCAST_TEST_S3_ENDPOINT"] == nil && environment["STOCKCAST_REQUIRE_S3"] != "1" {
            print("S3 suites skipped: STOCKCAST_TEST_S3_ENDPOINT is not set (scripts/test-s3.sh start; STOCKCAST_REQUIRE_S3=1 fails instead)")
            return false
        }
        return true
    }()

    /// Settings for the test bucket with keys under `prefix` (give each test its own).
    public static func settings(prefix: String = "") throws -> S3ArtifactRepository.Settings {
        guard let endpoint = environment["STOCKCAST_TEST_S3_ENDPOINT"].flatMap(URL.init(string:)), let bucket = environment["STOCKCAST_TEST_S3_BUCKET"],
            let keyID = environment["STOCKCAST_TEST_S3_ACCESS_KEY_ID"], let secret = environment["STOCKCAST_TEST_S3_SECRET_ACCESS_KEY"]
        else {
            throw Missing()
        }
        var settings = S3ArtifactRepository.Settings(endpoint: endpoint, bucket: bucket, credentials: .init(accessKeyID: keyID, secretAccessKey: secret))
        settings.prefix = prefix
        return settings
    }

    /// A prefix no other test uses.
    public static func uniquePrefix(_ label: String) -> String {
        "\(label)-\(UUID().uuidString.prefix(8).lowercased())/"
    }

    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "STOCKCAST_REQUIRE_S3=1 but STOCKCAST_TEST_S3_* are not set (scripts/test-s3.sh start; eval \"$(scripts/test-s3.sh env)\")"
        }
    }
}
