import class Foundation.JSONDecoder
import class Foundation.JSONEncoder
import struct Foundation.Data
import PredictionCore

/// JSON kept in text columns (hyper-parameters; feature lists in SQLite). Written with sorted keys and without
/// escaped slashes, so equal values are stored as equal text on both backends.
enum StoredJSON {
    /// `value` as compact JSON text with sorted keys; a value JSON cannot hold (NaN, infinity) is `.invalidValue`.
    static func text<Value: Encodable>(_ value: Value, field: StaticString) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do {
            data = try encoder.encode(value)
        } catch {
            throw StorageError(.invalidValue, "\(field) cannot be stored as JSON (non-finite number?)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Decodes the JSON text of column `column`; undecodable text is `.corruptRow` naming the column.
    static func value<Value: Decodable>(_ type: Value.Type, from text: String, column: String) throws -> Value {
        do {
            return try JSONDecoder().decode(Value.self, from: Data(text.utf8))
        } catch {
            throw StorageError(.corruptRow, "stored column \(column) is not valid JSON of the expected shape")
        }
    }
}
