import Foundation

/// Files shipped with the test support target (`Sources/TestSupport/Fixtures/`).
public enum Fixtures {
    /// URL of a fixture file, e.g. `Fixtures.url("goog.csv")`.
    public static func url(_ name: String) -> URL {
        guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil) else {
            fatalError("missing test fixture \(name) in Sources/TestSupport/Fixtures")
        }
        return url
    }

    /// Contents of a fixture file as UTF-8 text.
    public static func text(_ name: String) throws -> String {
        try String(contentsOf: self.url(name), encoding: .utf8)
    }
}
