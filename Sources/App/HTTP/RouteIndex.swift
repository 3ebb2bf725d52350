import Hummingbird

/// The method patterns of every route (from `OpenAPIDocument`, which a test keeps equal to the router), to answer a
/// request for a known path with a method it does not have with 405 and `Allow` instead of 404.
struct RouteIndex: Sendable {
    private let routes: [(method: String, components: [String])]

    init(operations: [(method: String, path: String)]) {
        self.routes = operations.map { ($0.method.uppercased(), Self.components($0.path)) }
    }

    /// The index of every documented operation.
    static let documented = RouteIndex(operations: OpenAPIDocument.operations.map { ($0.method, $0.path) })

    /// The methods routed at `path` (`{param}` matches any one component; a trailing slash is ignored), empty when
    /// the path is not routed at all.
    ///
    /// As in the router, a literal component wins over a parameter: `/api/models/features` is that route only, not
    /// also `/api/models/{id}`.
    func methods(at path: String) -> [String] {
        let parts = Self.components(path)
        let matching = self.routes.filter { route in
            route.components.count == parts.count
                && zip(route.components, parts).allSatisfy { pattern, part in pattern.hasPrefix("{") || pattern == part }
        }
        func literals(_ components: [String]) -> [Bool] { components.map { !$0.hasPrefix("{") } }
        // The most specific pattern: literal components as early as possible (lexicographic over true > false).
        guard let best = matching.map({ literals($0.components) }).max(by: { a, b in
            zip(a, b).first { $0 != $1 }.map { !$0.0 && $0.1 } ?? false
        }) else { return [] }
        return Array(Set(matching.filter { literals($0.components) == best }.map(\.method))).sorted()
    }

    private static func components(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }
}
