/// The samples of a Prometheus text exposition (`GET /metrics`), parsed so the metrics digest is computed from exactly
/// what Prometheus scrapes. Comment lines are skipped; label values may contain any character except an unescaped `"`.
public struct MetricSamples: Sendable {
    /// One sample line.
    public struct Sample: Sendable, Equatable {
        public let name: String
        public let labels: [String: String]
        public let value: Double
    }

    public let samples: [Sample]

    /// Parses exposition text; malformed lines are skipped.
    public init(exposition text: some StringProtocol) {
        self.samples = text.split(separator: "\n").compactMap { Self.parse(Substring($0)) }
    }

    /// Sum of every sample named `name` whose labels include `matching`.
    public func sum(_ name: String, where matching: [String: String] = [:]) -> Double {
        self.samples.reduce(0) { total, sample in
            guard sample.name == name, matching.allSatisfy({ sample.labels[$0.key] == $0.value }) else { return total }
            return total + sample.value
        }
    }

    /// Sum of every sample named `name` whose label `label` satisfies `predicate`.
    public func sum(_ name: String, label: String, _ predicate: (String) -> Bool) -> Double {
        self.samples.reduce(0) { total, sample in
            guard sample.name == name, let value = sample.labels[label], predicate(value) else { return total }
            return total + sample.value
        }
    }

    /// Cumulative bucket counts of histogram `name` summed over all other labels, by upper bound (`+Inf` = .infinity).
    public func buckets(_ name: String) -> [Double: Double] {
        var buckets: [Double: Double] = [:]
        for sample in self.samples where sample.name == name + "_bucket" {
            guard let bound = sample.labels["le"].flatMap(Self.number) else { continue }
            buckets[bound, default: 0] += sample.value
        }
        return buckets
    }

    static func number(_ text: String) -> Double? {
        switch text {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: Double(text)
        }
    }

    static func parse(_ line: Substring) -> Sample? {
        guard let first = line.first, first != "#" else { return nil }
        var name = ""
        var labels: [String: String] = [:]
        var index = line.startIndex
        while index < line.endIndex, line[index] != "{", line[index] != " " {
            name.append(line[index])
            index = line.index(after: index)
        }
        guard !name.isEmpty, index < line.endIndex else { return nil }
        if line[index] == "{" {
            index = line.index(after: index)
            while index < line.endIndex, line[index] != "}" {
                var key = ""
                while index < line.endIndex, line[index] != "=" {
                    if line[index] != "," && line[index] != " " { key.append(line[index]) }
                    index = line.index(after: index)
                }
                guard index < line.endIndex else { return nil }
                index = line.index(after: index)  // =
                guard index < line.endIndex, line[index] == "\"" else { return nil }
                index = line.index(after: index)
                var value = ""
                while index < line.endIndex, line[index] != "\"" {
                    if line[index] == "\\", line.index(after: index) < line.endIndex {
                        index = line.index(after: index)
                        value.append(line[index] == "n" ? "\n" : line[index])
                    } else {
                        value.append(line[index])
                    }
                    index = line.index(after: index)
                }
                guard index < line.endIndex else { return nil }
                index = line.index(after: index)  // closing quote
                labels[key] = value
                while index < line.endIndex, line[index] == "," || line[index] == " " { index = line.index(after: index) }
            }
            guard index < line.endIndex else { return nil }
            index = line.index(after: index)  // }
        }
        let rest = line[index...].split(separator: " ")
        guard let valueText = rest.first, let value = Self.number(String(valueText)) else { return nil }
        return Sample(name: name, labels: labels, value: value)
    }
}

extension MetricSamples {
    /// The `q` quantile of the observations between two cumulative bucket snapshots, interpolated linearly inside the
    /// bucket as Prometheus's `histogram_quantile` does; `nil` when nothing was observed.
    public static func quantile(_ q: Double, current: [Double: Double], previous: [Double: Double]) -> Double? {
        let bounds = current.keys.sorted()
        let counts = bounds.map { max(0, (current[$0] ?? 0) - (previous[$0] ?? 0)) }
        guard let total = counts.last, total > 0 else { return nil }
        let rank = q * total
        var lowerBound = 0.0
        var lowerCount = 0.0
        for (bound, count) in zip(bounds, counts) {
            if count >= rank {
                guard bound.isFinite else { return lowerBound }
                let inBucket = count - lowerCount
                return inBucket > 0 ? lowerBound + (bound - lowerBound) * (rank - lowerCount) / inBucket : bound
            }
            (lowerBound, lowerCount) = (bound, count)
        }
        return lowerBound
    }
}
