import CXGBoost

/// An XGBoost release number, as written at the end of a model JSON (`"version": [1, 7, 4]`).
///
/// XGBoost reads models saved by older releases, but not always those of newer ones: libxgboost 1.7 loads a model
/// saved by XGBoost 3.x without complaint yet misreads its intercept (`base_score` became a list), so every
/// prediction is off by a constant. `XGBoostRegressor` therefore refuses models newer than the library.
public struct XGBoostRelease: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Major release.
    public var major: Int
    /// Minor release.
    public var minor: Int
    /// Patch release.
    public var patch: Int

    /// A version from its parts.
    public init(major: Int, minor: Int, patch: Int) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    /// The release of the linked libxgboost (`XGBoostVersion()`).
    public static let library: XGBoostRelease = {
        var major: Int32 = 0
        var minor: Int32 = 0
        var patch: Int32 = 0
        CXGBoost.XGBoostVersion(&major, &minor, &patch)
        return XGBoostRelease(major: Int(major), minor: Int(minor), patch: Int(patch))
    }()

    /// The version a model JSON was saved by: the last `"version": [major, minor, patch]` member (XGBoost writes the
    /// top-level members in key order, `learner` then `version`). `nil` when there is none.
    public init?(modelJSON json: String) {
        let bytes = Array(json.utf8.suffix(256))
        let key = Array(#""version""#.utf8)
        guard bytes.count >= key.count else { return nil }
        var start = bytes.count - key.count
        while start >= 0 {
            if bytes[start..<(start + key.count)].elementsEqual(key), let parts = Self.numbers(after: start + key.count, in: bytes) {
                guard parts.count == 3 else { return nil }
                self.init(major: parts[0], minor: parts[1], patch: parts[2])
                return
            }
            start -= 1
        }
        return nil
    }

    public var description: String { "\(self.major).\(self.minor).\(self.patch)" }

    public static func < (lhs: XGBoostRelease, rhs: XGBoostRelease) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }

    /// The integers of `: [a, b, c]` starting at `index`, or `nil` when the bytes there are not that shape.
    private static func numbers(after index: Int, in bytes: [UInt8]) -> [Int]? {
        var position = index
        func skipSpaces() {
            while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
        }
        func expect(_ character: Character) -> Bool {
            skipSpaces()
            guard position < bytes.count, bytes[position] == character.asciiValue else { return false }
            position += 1
            return true
        }
        guard expect(":"), expect("[") else { return nil }
        var parts: [Int] = []
        while parts.count < 4 {
            skipSpaces()
            var value = 0
            var digits = 0
            while position < bytes.count, (0x30...0x39).contains(bytes[position]), digits < 9 {
                value = value * 10 + Int(bytes[position] - 0x30)
                position += 1
                digits += 1
            }
            guard digits > 0 else { return nil }
            parts.append(value)
            if expect("]") { return parts }
            guard expect(",") else { return nil }
        }
        return nil
    }
}
