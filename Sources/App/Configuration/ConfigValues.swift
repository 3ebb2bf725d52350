import Foundation

/// Flat, dotted configuration keys (`http.port`, `storage.postgres.url`) merged from layers, lowest first:
/// built-in defaults (`AppConfiguration.defaultValues`, equal to `Config/default.json`), `Config/default.json` in the
/// working directory when present, the file named by `--config` / `STOCKCAST_CONFIG`, `STOCKCAST_*` environment
/// variables, then command-line flags.
///
/// Environment names are derived from keys: `STOCKCAST_` + the key upper-cased with `.` → `_`
/// (`storage.postgres.url` → `STOCKCAST_STORAGE_POSTGRES_URL`), plus the short aliases in `environmentAliases`.
struct ConfigValues: Sendable {
    private(set) var values: [String: String]

    init(_ values: [String: String]) {
        self.values = values
    }

    /// Short environment names the issue and README promise.
    static let environmentAliases: [String: String] = [
        "STOCKCAST_HOST": "http.host",
        "STOCKCAST_PORT": "http.port",
        "STOCKCAST_DATA_DIR": "data_dir",
        "STOCKCAST_POSTGRES_URL": "storage.postgres.url",
    ]

    /// Overlays a JSON object (nested objects become dotted keys). Unknown keys are an error, so typos never pass silently.
    /// Keys starting with `_` or `//` are comments.
    mutating func merge(json data: Data, origin: String, knownKeys: Set<String>) throws {
        let root: ConfigJSON
        do {
            root = try JSONDecoder().decode(ConfigJSON.self, from: data)
        } catch {
            throw ConfigurationError("\(origin) is not valid JSON: \(error)")
        }
        guard case .object(let members) = root else { throw ConfigurationError("\(origin) must hold a JSON object") }
        var flat: [String: String] = [:]
        try Self.flatten(members, prefix: "", into: &flat, origin: origin)
        for (key, value) in flat {
            guard knownKeys.contains(key) else {
                throw ConfigurationError("\(origin): unknown configuration key \"\(key)\" (known keys: \(knownKeys.sorted().joined(separator: ", ")))")
            }
            self.values[key] = value
        }
    }

    /// The usual variables of other tools, used for a key only when every layer left it empty.
    static let environmentFallbacks: [String: String] = [
        "AWS_ACCESS_KEY_ID": "artifacts.s3.access_key_id",
        "AWS_SECRET_ACCESS_KEY": "artifacts.s3.secret_access_key",
    ]

    /// Fills keys still empty from `environmentFallbacks`.
    mutating func fillFallbacks(from environment: [String: String]) {
        for (name, key) in Self.environmentFallbacks where self.optionalString(key) == nil {
            if let value = environment[name], !value.isEmpty { self.values[key] = value }
        }
    }

    /// Overlays `STOCKCAST_*` variables for known keys.
    mutating func merge(environment: [String: String], knownKeys: Set<String>) {
        for key in knownKeys {
            let name = "STOCKCAST_" + key.uppercased().replacingOccurrences(of: ".", with: "_")
            if let value = environment[name] { self.values[key] = value }
        }
        for (name, key) in Self.environmentAliases {
            if let value = environment[name] { self.values[key] = value }
        }
    }

    /// Overlays explicit values (command-line flags).
    mutating func merge(_ overrides: [String: String]) {
        for (key, value) in overrides { self.values[key] = value }
    }

    func string(_ key: String) -> String {
        self.values[key] ?? ""
    }

    func optionalString(_ key: String) -> String? {
        guard let value = self.values[key], !value.isEmpty else { return nil }
        return value
    }

    /// An http(s) URL, or `nil` when empty.
    func optionalURL(_ key: String) throws -> String? {
        guard let value = self.optionalString(key) else { return nil }
        guard value.hasPrefix("http://") || value.hasPrefix("https://"), URL(string: value) != nil else {
            throw ConfigurationError("\(key) must be an http:// or https:// URL, got \"\(value)\"")
        }
        return value
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws -> Int {
        guard let value = Int(self.string(key)), range.contains(value) else {
            throw ConfigurationError("\(key) must be an integer in \(range.lowerBound)...\(range.upperBound), got \"\(self.string(key))\"")
        }
        return value
    }

    func double(_ key: String, in range: ClosedRange<Double>) throws -> Double {
        guard let value = Double(self.string(key)), range.contains(value) else {
            throw ConfigurationError("\(key) must be a number in \(range.lowerBound)...\(range.upperBound), got \"\(self.string(key))\"")
        }
        return value
    }

    func bool(_ key: String) throws -> Bool {
        switch self.string(key).lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw ConfigurationError("\(key) must be true or false, got \"\(self.string(key))\"")
        }
    }

    private static func flatten(_ object: [String: ConfigJSON], prefix: String, into flat: inout [String: String], origin: String) throws {
        for (name, value) in object where !name.hasPrefix("//") && !name.hasPrefix("_") {
            let key = prefix.isEmpty ? name : "\(prefix).\(name)"
            switch value {
            case .object(let nested): try self.flatten(nested, prefix: key, into: &flat, origin: origin)
            case .scalar(let text): flat[key] = text
            case .array: throw ConfigurationError("\(origin): \(key) must be a string, number, boolean or object")
            }
        }
    }
}

/// A JSON configuration document: objects, and scalars kept as their text (`8080`, `true`, `"x"`, `null` → "").
enum ConfigJSON: Decodable {
    case object([String: ConfigJSON])
    case scalar(String)
    case array

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .scalar("")
        } else if let value = try? container.decode(Bool.self) {
            self = .scalar(value ? "true" : "false")
        } else if let value = try? container.decode(Int.self) {
            self = .scalar(String(value))
        } else if let value = try? container.decode(Double.self) {
            self = .scalar(String(value))
        } else if let value = try? container.decode(String.self) {
            self = .scalar(value)
        } else if let value = try? container.decode([String: ConfigJSON].self) {
            self = .object(value)
        } else {
            self = .array
        }
    }
}

/// A configuration problem, reported at start with the key at fault.
struct ConfigurationError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
