import PredictionCore

extension PredictionRecord {
    /// The record as both backends store it: `-0.0` becomes `0.0`; a NaN price or bound is `.invalidValue`
    /// (SQLite would store it as NULL, PostgreSQL as NaN), and so is a score with only one of `actualClose` and
    /// `scoredAt` (the tables check that both are NULL or neither).
    func canonicalized() throws -> PredictionRecord {
        var row = self
        row.predictedClose = try self.predictedClose.storedRequired("predicted_close")
        row.lower80 = try self.lower80.storedRequired("lower_80")
        row.upper80 = try self.upper80.storedRequired("upper_80")
        row.lower95 = try self.lower95.storedRequired("lower_95")
        row.upper95 = try self.upper95.storedRequired("upper_95")
        row.originClose = try self.originClose.storedRequired("origin_close")
        row.actualClose = try self.actualClose.map { try $0.storedRequired("actual_close") }
        guard (row.actualClose == nil) == (row.scoredAt == nil) else {
            throw StorageError(.invalidValue, "actual_close and scored_at must be set together")
        }
        return row
    }
}

extension PredictionScore {
    /// The score as stored: `-0.0` becomes `0.0`; a NaN close is `.invalidValue`.
    func canonicalized() throws -> PredictionScore {
        PredictionScore(id: self.id, actualClose: try self.actualClose.storedRequired("actual_close"))
    }
}

extension Array where Element == PredictionScore {
    /// The scores to apply, canonical, in input order, each id once (its first score wins: later ones would find the
    /// prediction already scored). A NaN anywhere refuses the whole batch.
    func canonicalizedUnique() throws -> [PredictionScore] {
        let canonical = try self.map { try $0.canonicalized() }
        var seen = Set<Int64>()
        seen.reserveCapacity(canonical.count)
        return canonical.filter { seen.insert($0.id).inserted }
    }
}
