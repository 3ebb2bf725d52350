import Foundation
import Hummingbird
import Logging

/// The web UI: plain HTML, CSS and JavaScript modules in `Resources/Web` (shipped in the binary's resource bundle), or
/// in `http.web_root` when set (so the UI can be edited without rebuilding). No build step, no third-party code.
enum WebAssets {
    /// The folder the UI is served from.
    static func rootFolder(_ configuration: AppConfiguration) -> String {
        if let root = configuration.webRoot { return root }
        return Bundle.module.url(forResource: "Web", withExtension: nil)?.path ?? "Web"
    }

    /// Serves UI files for GET/HEAD requests the router does not answer. Every file is revalidated (`no-cache` with
    /// ETag/Last-Modified), so a new binary never leaves a browser on stale modules.
    static func middleware(_ configuration: AppConfiguration, logger: Logger) -> FileMiddleware<AppRequestContext, LocalFileSystem> {
        FileMiddleware(
            rootFolder(configuration), cacheControl: .init([(MediaType(type: .any), [.noCache])]), searchForIndexHtml: true, logger: logger
        )
    }
}
