import NIOSSL

/// The server side of `http.tls.*`: certificate chain and private key from PEM files, TLS 1.2 or later.
enum ServerTLS {
    /// The TLS configuration, `nil` when TLS is off; a file that cannot be read or parsed stops the start with a
    /// message naming it.
    static func configuration(certificate: String?, privateKey: String?) throws -> TLSConfiguration? {
        guard let certificate, let privateKey else { return nil }
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificate)
        } catch {
            throw ConfigurationError("http.tls.certificate: cannot read a PEM certificate chain from \(certificate) (\(error))")
        }
        guard !chain.isEmpty else { throw ConfigurationError("http.tls.certificate: \(certificate) holds no certificate") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: privateKey, format: .pem)
        } catch {
            throw ConfigurationError("http.tls.private_key: cannot read a PEM private key from \(privateKey) (\(error))")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }
}
