import PublicDataAudit

#if OpenSSL
import PublicDataCrypto
#endif

/// Public-key checkpoint keys from PEM files (Ed25519, SM2), available in builds with the `OpenSSL` trait.
enum SignatureKeys {
    /// A verifier for the public (or private) key in the PEM file at `path`.
    /// - Throws: ``InputError`` naming the file: unreadable, malformed PEM, unsupported key type, or a build
    ///   without the `OpenSSL` trait.
    static func verifier(pemFile path: String) throws -> any CheckpointVerifier {
        let data = try PublicDataTool.read(path)
        #if OpenSSL
        do {
            return try PEMKeys.verifier(pem: data, name: nil)
        } catch {
            throw InputError(file: path, message: error.message)
        }
        #else
        _ = data
        throw InputError(
            file: path,
            message: "public keys need the OpenSSL trait (swift build --traits OpenSSL) and libcrypto"
        )
        #endif
    }
}
