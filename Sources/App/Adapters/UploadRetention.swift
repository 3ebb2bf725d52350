import Actors
import Foundation
import Logging
import ServiceLifecycle
import Storage

/// Uploaded CSVs (`<data_dir>/import/uploads/`) are kept only while they can still be needed: a file is deleted once
/// its run has completed (the bars are stored), and of the files whose runs failed (kept so the run can be retried)
/// only the newest `keptFailedUploads` stay. Every uploaded CSV used to be kept forever (370 files after fuzzing).
struct UploadRetention: Service {
    /// Failed uploads kept for retries. Defaults to `20`.
    static let keptFailedUploads = 20

    let pipeline: MarketDataPipeline
    let uploads: URL
    let logger: Logger

    func run() async throws {
        for await event in await self.pipeline.events().cancelOnGracefulShutdown() {
            guard event.step == nil, event.run.source.hasPrefix("csv:uploads/") else { continue }
            let file = self.uploads.appendingPathComponent(String(event.run.source.dropFirst("csv:uploads/".count)))
            switch event.run.status {
            case .completed:
                try? FileManager.default.removeItem(at: file)
            case .failed:
                self.prune(keeping: file)
            default:
                continue
            }
        }
    }

    /// Deletes the oldest uploads beyond the bound, never `current` (its run may be retried now).
    private func prune(keeping current: URL) {
        let fileManager = FileManager.default
        guard let names = try? fileManager.contentsOfDirectory(atPath: self.uploads.path), names.count > Self.keptFailedUploads else { return }
        let dated = names.map { self.uploads.appendingPathComponent($0) }.map { url in
            (url, (try? fileManager.attributesOfItem(atPath: url.path)[.modificationDate] as? Date) ?? .distantPast)
        }.sorted { $0.1 > $1.1 }
        for (url, _) in dated.dropFirst(Self.keptFailedUploads) where url.lastPathComponent != current.lastPathComponent {
            try? fileManager.removeItem(at: url)
            self.logger.info("removed an old failed upload", metadata: ["file": "uploads/\(url.lastPathComponent)"])
        }
    }
}
