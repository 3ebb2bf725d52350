import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import Testing

@testable import App

/// Issue 9 (8): the UI and API tell browsers what they may do with them, and the server can speak TLS itself.
@Suite struct BrowserSecurityTests {
    @Test func everyResponseCarriesTheSecurityHeaders() async throws {
        let harness = try AppTestHarness()
        try await harness.test { client in
            for uri in ["/", "/js/main.js", "/api/datasets", "/api/nope", "/openapi.json"] {
                try await client.execute(uri: uri, method: .get) { response in
                    let csp = response.headers[.contentSecurityPolicy] ?? ""
                    #expect(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "\(uri): \(csp)")
                    #expect(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "\(uri)")
                    #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(uri)")
                    #expect(response.headers[.init("X-Frame-Options")!] == "DENY", "\(uri)")
                    #expect(response.headers[.init("Referrer-Policy")!] == "no-referrer", "\(uri)")
                    #expect(response.headers[.strictTransportSecurity] == nil, "no HSTS without TLS")
                }
            }
            // The page itself has no inline script the policy would block.
            let html = try await client.execute(uri: "/", method: .get) { String(buffer: $0.body) }
            #expect(!html.contains("<script>") && html.contains("<script type=\"module\" src="))
            #expect(!html.contains(" on") || html.range(of: #"\son[a-z]+="#, options: .regularExpression) == nil, "inline event handlers")
        }
    }

    @Test func tlsServesHTTPSAndWSSOnly() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stockcast-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-days", "1", "-keyout", key, "-out", certificate,
        ]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        #expect(openssl.terminationStatus == 0)

        let harness = try AppTestHarness {
            $0.tlsCertificate = certificate
            $0.tlsPrivateKey = key
        }
        #expect(harness.parts.origins.origins.allSatisfy { $0.hasPrefix("https://") })
        try await harness.testLive { client in
            let port = try #require(client.port)
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .file(certificate)
            let https = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
            do {
                let response = try await https.execute(HTTPClientRequest(url: "https://127.0.0.1:\(port)/health"), timeout: .seconds(10))
                #expect(response.status == .ok)
                #expect(response.headers["Strict-Transport-Security"].first == "max-age=31536000")
            } catch {
                Issue.record("HTTPS request failed: \(error)")
            }
            try await https.shutdown()
            // WebSockets go over TLS too (wss), with the same origin rules (https origins).
            try await WebSocketClient.connect(url: "wss://localhost:\(port)/ws/alerts", tlsConfiguration: tls, logger: .init(label: "wss")) { inbound, _, _ in
                var iterator = inbound.messages(maxSize: 1 << 16).makeAsyncIterator()
                guard case .text(let hello) = try await iterator.next() else { Issue.record("no hello over wss"); return }
                #expect(hello.contains("\"type\":\"hello\""))
            }
            // Plain HTTP on the TLS port gets no HTTP answer.
            let plain = try await RawHTTP.exchange(port: port, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n", timeout: .seconds(3))
            #expect(!plain.text.hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test func brokenTLSFilesStopTheStartWithTheirName() throws {
        #expect(throws: ConfigurationError.self) { try ServerTLS.configuration(certificate: "/nonexistent/cert.pem", privateKey: "/nonexistent/key.pem") }
        do {
            _ = try ServerTLS.configuration(certificate: "/nonexistent/cert.pem", privateKey: "/nonexistent/key.pem")
        } catch let error as ConfigurationError {
            #expect(error.description.contains("http.tls.certificate") && error.description.contains("/nonexistent/cert.pem"))
        }
    }
}
