import Dispatch
import Foundation
import PredictionCore

/// Reads a local CSV price file (see `CSVPriceParser` for the accepted formats).
///
/// The file is read and parsed on a Dispatch queue, not on the Swift concurrency pool, so a large file never blocks
/// other tasks. Files larger than `maxFileBytes` (200 MB by default, about three million daily rows) are refused
/// with `.unreadable` before any byte is read, so a wrong path cannot exhaust memory. The file is re-read on every
/// `fetch`; the request's instrument is not checked against the file's contents (the caller says what it holds).
public struct CSVFileProvider: MarketDataProvider {
    /// Default size limit: 200 MB.
    public static let defaultMaxFileBytes = 200 * 1024 * 1024

    /// The file.
    public let fileURL: URL
    /// Largest file accepted, in bytes.
    public let maxFileBytes: Int
    /// How messages name the file: the path as the source gave it (relative to the import directory for API
    /// sources), so errors shown to API clients carry no server path.
    public let displayName: String

    /// `csv:<name>`.
    public var sourceName: String { "csv:\(self.displayName)" }

    /// Creates a provider for a file; `displayName` defaults to its path.
    public init(fileURL: URL, displayName: String? = nil, maxFileBytes: Int = CSVFileProvider.defaultMaxFileBytes) {
        self.fileURL = fileURL
        self.displayName = displayName ?? fileURL.path
        self.maxFileBytes = maxFileBytes
    }

    /// Reads and parses the file; throws `.unreadable` (missing, unreadable, too large) or `.malformed`.
    public func fetch(_ request: FetchRequest) async throws -> FetchedSeries {
        let url = self.fileURL
        let name = self.displayName
        let limit = self.maxFileBytes
        let parser = CSVPriceParser(since: request.since)
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .utility).async {
                continuation.resume(
                    with: Result {
                        let bytes = try Self.read(url, name: name, limit: limit)
                        return try parser.parse(bytes: bytes)
                    })
            }
        }
    }

    /// Reads the whole file after checking its size.
    private static func read(_ url: URL, name: String, limit: Int) throws(ProviderError) -> [UInt8] {
        let path = url.path
        let size: Int
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            guard (attributes[.type] as? FileAttributeType) != .typeDirectory else {
                throw ProviderError(.unreadable, "\(name) is a directory, not a CSV file")
            }
            size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        } catch let error as ProviderError {
            throw error
        } catch {
            throw ProviderError(.unreadable, "cannot read \(name): no such file or no permission")
        }
        guard size <= limit else {
            throw ProviderError(.unreadable, "\(name) is \(size) bytes, larger than the \(limit)-byte limit for CSV files")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ProviderError(.unreadable, "cannot open \(name) for reading")
        }
        defer { try? handle.close() }
        do {
            // Read one byte past the limit so a file that grew after the size check is still refused.
            let data = try handle.read(upToCount: limit + 1) ?? Data()
            guard data.count <= limit else {
                throw ProviderError(.unreadable, "\(name) is larger than the \(limit)-byte limit for CSV files")
            }
            return [UInt8](data)
        } catch let error as ProviderError {
            throw error
        } catch {
            throw ProviderError(.unreadable, "cannot read \(name): \(error.localizedDescription)")
        }
    }
}
