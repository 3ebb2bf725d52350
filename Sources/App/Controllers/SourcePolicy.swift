import Foundation
import MarketData

/// Decides which sources API callers may name. `yahoo` and `stooq` always; `csv:FILE` only for a file inside
/// `<data_dir>/import/` (relative names are taken relative to it), after resolving `..` and symbolic links, so no API
/// caller can make the server read an arbitrary file. The CLI, run by the machine's user, is not restricted.
struct SourcePolicy: Sendable {
    let importDirectory: URL

    /// Validates `text` and returns it in canonical form (`csv:` with the resolved path relative to the import
    /// directory, so no server path is stored or shown).
    func apiSource(_ text: String) throws -> String {
        let spec: SourceSpec
        do {
            spec = try SourceSpec(parsing: text)
        } catch let error as ProviderError {
            throw APIError.badRequest(error.message, code: "invalid_source")
        }
        guard case .csv(let path) = spec else { return text }
        let root = self.importDirectory.standardizedFileURL.resolvingSymlinksInPath().path
        let candidate = path.hasPrefix("/") ? URL(fileURLWithPath: path) : URL(fileURLWithPath: root).appendingPathComponent(path)
        let resolved = candidate.standardizedFileURL.resolvingSymlinksInPath().path
        guard resolved.hasPrefix(root + "/") else {
            throw APIError.badRequest(
                "csv sources over the API must name a file inside the import directory (<data_dir>/import/); \"\(path)\" is outside it",
                code: "source_outside_import_dir"
            )
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw APIError.notFound("no CSV file \"\(path)\" in the import directory (<data_dir>/import/)", code: "source_not_found")
        }
        return "csv:\(resolved.dropFirst(root.count + 1))"
    }
}
