/// A market-data source as written on the command line, in config and in run records:
/// `csv:FILE`, `yahoo` or `stooq`. `description` gives back the same text, so `SourceSpec(parsing: s.description) == s`.
public enum SourceSpec: Hashable, Sendable, CustomStringConvertible {
    /// A local CSV file.
    case csv(path: String)
    /// The Yahoo Finance chart API.
    case yahoo
    /// Stooq's CSV download.
    case stooq

    /// The accepted forms, for error and help messages.
    public static let validForms = "csv:FILE, yahoo, stooq"

    /// Parses `csv:FILE` (any non-empty path, kept verbatim), `yahoo` or `stooq` (case-insensitive, surrounding
    /// spaces ignored). Anything else throws `ProviderError.invalidSource` listing the valid forms.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingWhitespace()
        let lowered = trimmed.lowercased()
        if lowered == "yahoo" {
            self = .yahoo
        } else if lowered == "stooq" {
            self = .stooq
        } else if lowered.hasPrefix("csv:") {
            let path = String(trimmed.dropFirst(4))
            guard !path.trimmingWhitespace().isEmpty else {
                throw ProviderError(.invalidSource, "source \"csv:\" needs a file path; valid forms: \(Self.validForms)")
            }
            self = .csv(path: path)
        } else {
            let shown = trimmed.count > 80 ? String(trimmed.prefix(80)) + "…" : trimmed
            throw ProviderError(.invalidSource, "unknown source \"\(shown)\"; valid forms: \(Self.validForms)")
        }
    }

    /// `csv:FILE`, `yahoo` or `stooq`.
    public var description: String {
        switch self {
        case .csv(let path): "csv:\(path)"
        case .yahoo: "yahoo"
        case .stooq: "stooq"
        }
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    fileprivate func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = self.firstIndex(where: { !isSpace($0) }), let last = self.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(self[first...last])
    }
}
