import Foundation
import PublicDataAudit

#if OpenSSL
import PublicDataCrypto
#endif

/// Public-key checkpoint keys from PEM files (Ed25519, SM2), available in builds with the `OpenSSL` trait.
enum SignatureKeys {
    /// A verifier for the public (or private) key in a PEM file, given as `NAME=FILE` or `FILE` (the key name
    /// is then the file name without its extension).
    /// - Throws: ``InputError`` naming the file: unreadable, malformed PEM, unsupported key type, or a build
    ///   without the `OpenSSL` trait.
    static func verifier(pemFile argument: String) throws -> any CheckpointVerifier {
        var name = ((argument as NSString).lastPathComponent as NSString).deletingPathExtension
        var path = argument
        if let equals = argument.firstIndex(of: "="), !argument[..<equals].contains("/") {
            name = String(argument[..<equals])
            path = String(argument[argument.index(after: equals)...])
        }
        let data = try PublicDataTool.read(path)
        #if OpenSSL
        do {
            return try PEMKeys.verifier(pem: data, name: name)
        } catch {
            throw InputError(file: path, message: error.message)
        }
        #else
        _ = (data, name)
        throw InputError(
            file: path,
            message: "public keys need the OpenSSL trait (swift build --traits OpenSSL) and libcrypto"
        )
        #endif
    }
}
