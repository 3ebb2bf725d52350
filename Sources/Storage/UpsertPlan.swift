import PredictionCore

/// A row type that the stores upsert by comparing incoming rows with stored ones (raw bars, corporate actions,
/// cleaned bars). Both backends use the same plan, so they count and write exactly the same rows.
protocol UpsertableRow: Sendable {
    /// What identifies the row within one instrument (the rest of the primary key is the instrument).
    associatedtype Key: Hashable & Comparable & Sendable

    /// The row's key.
    var upsertKey: Key { get }

    /// The row as it will be stored: `-0.0` becomes `0.0` (SQLite stores integral reals as integers, which loses
    /// the sign) and a NaN in an optional field becomes `nil` (SQLite stores NaN as NULL). Throws for a NaN in a
    /// required field, which neither backend can round-trip.
    func canonicalized() throws -> Self

    /// Bit-for-bit equality of every stored field (`0.1 + 0.2` and `0.3` differ; so would `0.0` and `-0.0`).
    func isStoredIdentically(to other: Self) -> Bool
}

/// Which incoming rows a store must write, and the counts it reports.
///
/// Incoming rows are canonicalised, then compared bit-exactly with the stored rows that have the same key: a new
/// key is an insert, a different row an update, an identical row is counted `unchanged` and not written. When the
/// batch holds a key twice the last row wins and the key is counted once.
struct UpsertPlan<Row: UpsertableRow>: Sendable {
    /// Rows whose key is not stored yet, ascending by key.
    var inserts: [Row]
    /// Rows whose key is stored with different values, ascending by key.
    var updates: [Row]
    /// What the upsert did.
    var counts: UpsertCounts

    /// Every row to write: the inserts, then the updates.
    var rowsToWrite: [Row] { self.inserts + self.updates }

    /// Plans an upsert of `incoming` over `stored` (the stored rows of the same instrument whose keys may collide;
    /// extra stored rows are ignored).
    ///
    /// Both lists are brought into key order (a linear check, no work when they already are, as the stores read
    /// them) and merged, so planning costs no hashing.
    init(incoming: [Row], stored: [Row]) throws {
        var rows = try incoming.map { try $0.canonicalized() }
        if !Self.isStrictlyAscending(rows) {
            // Stable, so among rows with the same key the last one stays last; keep only that one.
            rows = Self.sortedByKey(rows)
            var unique: [Row] = []
            unique.reserveCapacity(rows.count)
            for row in rows {
                if let last = unique.last, last.upsertKey == row.upsertKey {
                    unique[unique.count - 1] = row
                } else {
                    unique.append(row)
                }
            }
            rows = unique
        }
        let existing = Self.isStrictlyAscending(stored) ? stored : Self.sortedByKey(stored)

        var counts = UpsertCounts()
        var inserts: [Row] = []
        var updates: [Row] = []
        inserts.reserveCapacity(rows.count)
        var storedIndex = existing.startIndex
        for row in rows {
            let key = row.upsertKey
            while storedIndex < existing.endIndex, existing[storedIndex].upsertKey < key {
                storedIndex += 1
            }
            if storedIndex < existing.endIndex, existing[storedIndex].upsertKey == key {
                if existing[storedIndex].isStoredIdentically(to: row) {
                    counts.unchanged += 1
                } else {
                    counts.updated += 1
                    updates.append(row)
                }
            } else {
                counts.inserted += 1
                inserts.append(row)
            }
        }
        self.inserts = inserts
        self.updates = updates
        self.counts = counts
    }

    private static func isStrictlyAscending(_ rows: [Row]) -> Bool {
        zip(rows, rows.dropFirst()).allSatisfy { $0.upsertKey < $1.upsertKey }
    }

    private static func sortedByKey(_ rows: [Row]) -> [Row] {
        // `sorted(by:)` is not guaranteed stable; sorting (key, position) pairs is.
        rows.enumerated().sorted { ($0.element.upsertKey, $0.offset) < ($1.element.upsertKey, $1.offset) }.map(\.element)
    }

    /// The inclusive key range the incoming rows cover, used to read only the stored rows that can collide.
    static func keyRange(of incoming: [Row]) -> ClosedRange<Row.Key>? {
        guard var low = incoming.first?.upsertKey else { return nil }
        var high = low
        for row in incoming.dropFirst() {
            let key = row.upsertKey
            if key < low { low = key }
            if key > high { high = key }
        }
        return low...high
    }
}

// MARK: - Bit-exact comparison and canonical values

extension Double {
    /// `0.0` for `-0.0`, otherwise `self`.
    var canonicalZero: Double { self == 0 ? 0 : self }

    /// The value as stored in a NOT NULL column; throws for NaN and ±∞ (every number stored is finite).
    func storedRequired(_ field: StaticString) throws -> Double {
        guard self.isFinite else { throw StorageError(.invalidValue, "\(field) is not a finite number (\(self))") }
        return self.canonicalZero
    }
}

extension Optional where Wrapped == Double {
    /// The value as stored in a nullable column: NaN and ±∞ become `nil`, `-0.0` becomes `0.0`.
    var storedOptional: Double? {
        guard let value = self, value.isFinite else { return nil }
        return value.canonicalZero
    }

    /// Bit-exact equality, `nil` equal only to `nil`.
    func isBitEqual(to other: Double?) -> Bool {
        switch (self, other) {
        case (nil, nil): true
        case (let a?, let b?): a.bitPattern == b.bitPattern
        default: false
        }
    }
}

extension PriceBar: UpsertableRow {
    var upsertKey: SessionDate { self.session }

    func canonicalized() throws -> PriceBar {
        PriceBar(
            session: self.session, open: try self.open.storedRequired("open"), high: try self.high.storedRequired("high"),
            low: try self.low.storedRequired("low"), close: try self.close.storedRequired("close"), volume: self.volume,
            sourceAdjustedClose: self.sourceAdjustedClose.storedOptional
        )
    }

    func isStoredIdentically(to other: PriceBar) -> Bool {
        self.session == other.session && self.open.bitPattern == other.open.bitPattern
            && self.high.bitPattern == other.high.bitPattern && self.low.bitPattern == other.low.bitPattern
            && self.close.bitPattern == other.close.bitPattern && self.volume == other.volume
            && self.sourceAdjustedClose.isBitEqual(to: other.sourceAdjustedClose)
    }
}

/// The key of a corporate action within an instrument: at most one dividend and one split per session.
struct CorporateActionKey: Hashable, Comparable, Sendable {
    /// The ex-date.
    var session: SessionDate
    /// Dividend or split.
    var kind: CorporateAction.Kind

    static func < (lhs: CorporateActionKey, rhs: CorporateActionKey) -> Bool {
        (lhs.session, lhs.kind.rawValue) < (rhs.session, rhs.kind.rawValue)
    }
}

extension CorporateAction: UpsertableRow {
    var upsertKey: CorporateActionKey { CorporateActionKey(session: self.session, kind: self.kind) }

    func canonicalized() throws -> CorporateAction {
        CorporateAction(session: self.session, kind: self.kind, value: try self.value.storedRequired("value"))
    }

    func isStoredIdentically(to other: CorporateAction) -> Bool {
        self.session == other.session && self.kind == other.kind && self.value.bitPattern == other.value.bitPattern
    }
}

extension CleanBar: UpsertableRow {
    var upsertKey: SessionDate { self.bar.session }

    func canonicalized() throws -> CleanBar {
        CleanBar(
            bar: try self.bar.canonicalized(),
            adjustmentFactor: try self.adjustmentFactor.storedRequired("adjustment factor"),
            indicators: IndicatorSet(values: self.indicators.values.map(\.storedOptional)),
            flagged: self.flagged
        )
    }

    func isStoredIdentically(to other: CleanBar) -> Bool {
        guard self.bar.isStoredIdentically(to: other.bar), self.flagged == other.flagged,
            self.adjustmentFactor.bitPattern == other.adjustmentFactor.bitPattern
        else { return false }
        let mine = self.indicators.values
        let theirs = other.indicators.values
        for index in mine.indices where !mine[index].isBitEqual(to: theirs[index]) {
            return false
        }
        return true
    }
}
