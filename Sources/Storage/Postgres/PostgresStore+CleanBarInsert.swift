import struct Foundation.Date
import PostgresNIO
import PredictionCore

extension PostgresStore {
    /// `INSERT … SELECT … FROM unnest(…)` for a chunk of cleaned bars, with `ON CONFLICT … DO UPDATE` when
    /// `upsert` (rows known to be new skip it): one array parameter per column (22 in all), whatever the number
    /// of rows. Column names come from constants.
    static func cleanBarInsert(
        _ chunk: ArraySlice<CleanBar>, ticker: String, exchange: String, writtenAt: Date, upsert: Bool
    ) -> PostgresQuery {
        let bars = PostgresBarColumns(chunk.lazy.map(\.bar))
        let indicatorRows = chunk.map(\.indicators.values)
        let indicators = IndicatorSet.columnNames.indices.map { column in
            PostgresNullableArray(indicatorRows.map { $0[column] })
        }
        let names = IndicatorSet.columnNames
        let valueColumns = ["open", "high", "low", "close", "volume", "source_adj_close", "adjustment_factor"]
            + names + ["flagged"]

        var query = PostgresQuery.StringInterpolation(literalCapacity: 2048, interpolationCount: 26)
        query.appendLiteral("INSERT INTO clean_bars (ticker, exchange, session_date, ")
        query.appendLiteral(valueColumns.joined(separator: ", ") + ", written_at) SELECT ")
        query.appendInterpolation(ticker)
        query.appendLiteral(", ")
        query.appendInterpolation(exchange)
        query.appendLiteral(", DATE '1970-01-01' + t.day, ")
        query.appendLiteral(valueColumns.map { "t.\($0)" }.joined(separator: ", ") + ", ")
        query.appendInterpolation(writtenAt)
        query.appendLiteral(" FROM unnest(")
        query.appendInterpolation(bars.days)
        query.appendLiteral("::int4[], ")
        for column in [bars.opens, bars.highs, bars.lows, bars.closes] {
            query.appendInterpolation(column)
            query.appendLiteral("::float8[], ")
        }
        query.appendInterpolation(bars.volumes)
        query.appendLiteral("::int8[], ")
        query.appendInterpolation(PostgresNullableArray(bars.adjustedCloses))
        query.appendLiteral("::float8[], ")
        query.appendInterpolation(chunk.map(\.adjustmentFactor))
        query.appendLiteral("::float8[], ")
        for column in indicators {
            query.appendInterpolation(column)
            query.appendLiteral("::float8[], ")
        }
        query.appendInterpolation(chunk.map(\.flagged))
        query.appendLiteral("::bool[]) AS t(day, " + valueColumns.joined(separator: ", ") + ")")
        if upsert {
            query.appendLiteral(" ON CONFLICT (ticker, exchange, session_date) DO UPDATE SET ")
            query.appendLiteral((valueColumns + ["written_at"]).map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", "))
        }
        return PostgresQuery(stringInterpolation: query)
    }
}
