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
    func methods(at path: String) -> [String] {
        let parts = Self.components(path)
        let methods = self.routes.filter { route in
            route.components.count == parts.count
                && zip(route.components, parts).allSatisfy { pattern, part in pattern.hasPrefix("{") || pattern == part }
        }.map(\.method)
        return Array(Set(methods)).sorted()
    }

    private static func components(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }
}
