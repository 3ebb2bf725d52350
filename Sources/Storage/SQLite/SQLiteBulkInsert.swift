import SQLiteNIO

/// A multi-row `INSERT … SELECT … FROM (VALUES (…), (…)) ON CONFLICT … DO UPDATE` for one table, split into
/// statements that stay within SQLite's limit of 32766 bound parameters.
///
/// Values that are the same for every row (ticker, exchange, provenance, write time) are bound once as
/// `?1 … ?k` in the select list, so a raw bar costs 7 parameters instead of 12 and each row tuple is just `?`s:
/// sqlite-nio cannot keep prepared statements, so every statement is parsed, and parsing is most of the cost.
/// Column names come from constants in this module, never from data.
struct SQLiteBulkInsert: Sendable {
    /// Where a column's value comes from.
    enum Slot: Sendable {
        /// Bound once per statement as `?n` (1-based index into the shared values).
        case shared(Int)
        /// Bound for each row, in column order.
        case row
    }

    /// SQLite's default `SQLITE_MAX_VARIABLE_NUMBER`.
    static let parameterLimit = 32_766

    /// Number of values bound once per statement.
    let sharedCount: Int
    /// Number of values bound per row.
    let perRowCount: Int
    /// Most rows in one statement.
    let rowsPerStatement: Int

    private let head: String
    private let slots: [Slot]
    private let tail: String
    private let fullStatement: String

    /// Describes the insert. `columns` pairs each column with its slot; `key` names the conflict target; every
    /// other column is overwritten on conflict (`updating: false` makes it `DO NOTHING`).
    init(table: String, columns: [(String, Slot)], key: [String], updating: Bool = true, maxRows: Int = 4096) {
        self.slots = columns.map(\.1)
        self.sharedCount = columns.reduce(0) { count, column in
            if case .shared(let index) = column.1 { return max(count, index) }
            return count
        }
        self.perRowCount = columns.count(where: { if case .row = $0.1 { true } else { false } })
        precondition(self.perRowCount > 0, "a bulk insert binds at least one value per row")
        self.rowsPerStatement = min(maxRows, (Self.parameterLimit - self.sharedCount) / self.perRowCount)
        self.head = "INSERT INTO \(table) (\(columns.map(\.0).joined(separator: ", "))) "
        if updating {
            let updates = columns.map(\.0).filter { !key.contains($0) }.map { "\($0) = excluded.\($0)" }
            self.tail = " ON CONFLICT (\(key.joined(separator: ", "))) DO UPDATE SET \(updates.joined(separator: ", "))"
        } else {
            self.tail = " ON CONFLICT (\(key.joined(separator: ", "))) DO NOTHING"
        }
        self.fullStatement = Self.statement(
            head: self.head, slots: self.slots, tail: self.tail, sharedCount: self.sharedCount,
            rowCount: self.rowsPerStatement)
    }

    private static func statement(head: String, slots: [Slot], tail: String, sharedCount: Int, rowCount: Int) -> String {
        // INSERT INTO t (a, b, c) SELECT ?1, column1, column2 FROM (VALUES (?, ?), (?, ?)) WHERE true ON CONFLICT …
        // Shared values are numbered ?1…?k in the select list, so each row tuple is only plain `?`s, which take the
        // next numbers in order (fewer tokens to parse per row). `WHERE true` resolves the parser's ambiguity
        // between a join's ON and the upsert's ON CONFLICT.
        var select: [String] = []
        var column = 0
        for slot in slots {
            switch slot {
            case .shared(let number):
                select.append("?\(number)")
            case .row:
                column += 1
                select.append("column\(column)")
            }
        }
        let tuple = "(" + Array(repeating: "?", count: column).joined(separator: ", ") + ")"
        var sql = head + "SELECT " + select.joined(separator: ", ") + " FROM (VALUES "
        sql.reserveCapacity(sql.utf8.count + tail.utf8.count + rowCount * (tuple.utf8.count + 2) + 32)
        for row in 0..<rowCount {
            if row > 0 { sql += ", " }
            sql += tuple
        }
        return sql + ") WHERE true" + tail
    }

    /// The statement for `rowCount` rows (cached for full chunks).
    func sql(rowCount: Int) -> String {
        if rowCount == self.rowsPerStatement { return self.fullStatement }
        return Self.statement(
            head: self.head, slots: self.slots, tail: self.tail, sharedCount: self.sharedCount, rowCount: rowCount)
    }

    /// Writes `rows` in as few statements as the parameter limit allows. `bind` appends exactly `perRowCount`
    /// values for a row, in the order of the `.row` columns. Call inside a transaction.
    func execute<Row>(
        _ rows: [Row], shared: [SQLiteData], on session: SQLiteSession, bind: (Row, inout [SQLiteData]) -> Void
    ) async throws {
        precondition(shared.count == self.sharedCount, "wrong number of shared values")
        var start = rows.startIndex
        while start < rows.endIndex {
            let end = min(start + self.rowsPerStatement, rows.endIndex)
            var binds = shared
            binds.reserveCapacity(shared.count + (end - start) * self.perRowCount)
            for row in rows[start..<end] {
                bind(row, &binds)
            }
            assert(binds.count == shared.count + (end - start) * self.perRowCount, "bind appended a wrong count")
            try await session.query(self.sql(rowCount: end - start), binds)
            start = end
        }
    }
}
