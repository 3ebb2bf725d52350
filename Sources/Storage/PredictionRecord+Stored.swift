extension PredictionRecord {
    /// The record as both backends store it: `-0.0` becomes `0.0`; a NaN price or bound is `.invalidValue`
    /// (SQLite would store it as NULL, PostgreSQL as NaN).
    func canonicalized() throws -> PredictionRecord {
        var row = self
        row.predictedClose = try self.predictedClose.storedRequired("predicted_close")
        row.lower80 = try self.lower80.storedRequired("lower_80")
        row.upper80 = try self.upper80.storedRequired("upper_80")
        row.lower95 = try self.lower95.storedRequired("lower_95")
        row.upper95 = try self.upper95.storedRequired("upper_95")
        row.originClose = try self.originClose.storedRequired("origin_close")
        return row
    }
}
