import Foundation
import Logging
import PredictionCore
import Storage

/// `stockcast artifacts sync --to s3`: copies the artifact of every trained model from `<data_dir>/artifacts` to the
/// configured bucket, so a single instance can move to S3 (and then to several instances). Each artifact is read and
/// hash-checked locally, stored, read back from the bucket and hash-checked again; only then does its model record
/// point at the bucket. Safe to run again (objects already there are verified, not copied) and while a server runs.
enum ArtifactSync {
    struct Report: Sendable {
        var copied = 0
        var alreadyThere = 0
        /// Artifacts a model names that are in neither place (the model cannot be served until it is trained again).
        var missing: [String] = []
    }

    static func toS3(_ models: any ModelStore, from local: LocalArtifactRepository, to target: any ArtifactRepository, logger: Logger) async throws
        -> Report
    {
        try await target.checkReachable()
        var report = Report()
        var offset = 0
        while true {
            let page = try await models.models(of: nil, offset: offset, limit: 500)
            for model in page {
                guard let sha = model.artifactSHA256 else { continue }
                let bytes: Data
                do {
                    bytes = try await local.get(sha256: sha)
                } catch let error as StorageError where error.code == .notFound {
                    if try await target.contains(sha256: sha) {
                        report.alreadyThere += 1
                    } else {
                        report.missing.append("model \(model.id): \(sha)")
                    }
                    continue
                }
                let existed = try await target.contains(sha256: sha)
                let (uri, stored) = try await target.put(bytes)
                guard stored == sha, LocalArtifactRepository.sha256(try await target.get(sha256: sha)) == sha else {
                    throw StorageError(.corruptRow, "artifact \(sha) of model \(model.id) read back from \(target.location) does not match its hash")
                }
                if existed { report.alreadyThere += 1 } else { report.copied += 1 }
                // Point the record at the bucket, unless it changed meanwhile (a new training of that model).
                if var current = try await models.model(id: model.id), current.artifactSHA256 == sha, current.artifactURI != uri {
                    current.artifactURI = uri
                    try await models.updateModel(current)
                }
                logger.info("artifact synced", metadata: ["model": "\(model.id)", "sha256": "\(sha)", "copied": "\(!existed)"])
            }
            guard page.count == 500 else { break }
            offset += 500
        }
        return report
    }
}
