import Hummingbird

/// Headers that keep browsers from being turned against the UI and its API keys (which sit in localStorage):
/// a Content-Security-Policy that allows only this origin's scripts, styles and connections (no inline script, no
/// frames of this page anywhere), `nosniff`, `X-Frame-Options: DENY` for browsers without `frame-ancestors`, no
/// referrer, and HSTS when the server speaks TLS. Set on every HTTP response, errors included.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The policy: the UI is plain modules and CSS from this origin; the favicon is a `data:` SVG; charts are canvas.
    static var contentSecurityPolicy: String {
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; "
            + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    }

    /// Whether TLS is on (then `Strict-Transport-Security` is sent).
    let secure: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.init("X-Frame-Options")!] = "DENY"
        response.headers[.init("Referrer-Policy")!] = "no-referrer"
        response.headers[.init("Cross-Origin-Opener-Policy")!] = "same-origin"
        if self.secure { response.headers[.strictTransportSecurity] = "max-age=31536000" }
        return response
    }
}
