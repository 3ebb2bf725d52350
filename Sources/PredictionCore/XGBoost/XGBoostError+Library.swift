import CXGBoost

extension XGBoostError {
    /// Longest piece of XGBoost's own error text kept in a message.
    static let libraryTextLimit = 1_000

    /// Throws when a libxgboost call returned a non-zero status, with the library's `XGBGetLastError()` text.
    ///
    /// XGBoost keeps that text in thread-local storage, so this must run right after the C call, on the same thread,
    /// with no `await` in between: every call site passes the C call's result directly.
    static func check(
        _ status: Int32, _ function: String, code: Code = .libraryFailure, file: String = #fileID, line: Int = #line
    ) throws {
        guard status != 0 else { return }
        throw XGBoostError(code, "\(function) failed: \(Self.lastLibraryText())", function: function, file: file, line: line)
    }

    /// XGBoost's last error text on this thread, without the stack trace the library appends, bounded in length.
    static func lastLibraryText() -> String {
        guard let pointer = XGBGetLastError() else { return "no error text" }
        var text = Substring(String(cString: pointer))
        if let trace = text.firstRange(of: "Stack trace:") {
            text = text[..<trace.lowerBound]
        }
        text = Self.withoutLogPrefix(text)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        if text.isEmpty { return "no error text" }
        if text.count > Self.libraryTextLimit {
            return String(text.prefix(Self.libraryTextLimit)) + "…"
        }
        return String(text)
    }

    /// Drops XGBoost's log prefix, `[13:43:38] ./src/learner.cc:1008: `, keeping the sentence after it, so the same
    /// failure always gives the same message.
    static func withoutLogPrefix(_ text: Substring) -> Substring {
        var rest = text
        if rest.first == "[", let close = rest.firstIndex(of: "]") {
            rest = rest[rest.index(after: close)...].drop(while: { $0 == " " })
        }
        if let separator = rest.firstRange(of: ": ") {
            let location = rest[..<separator.lowerBound]
            let isSourceLocation = !location.contains(" ") && location.contains(".")
                && location.split(separator: ":").last?.allSatisfy(\.isNumber) == true
            if isSourceLocation { rest = rest[separator.upperBound...] }
        }
        return rest
    }
}
