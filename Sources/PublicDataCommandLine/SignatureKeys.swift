import Foundation
import PublicDataAudit

#if OpenSSL
import PublicDataCrypto
#endif

/// Public-key checkpoint keys from PEM files (Ed25519, SM2) or C2SP vkeys, available in builds with the
/// `OpenSSL` trait.
enum SignatureKeys {
    /// A verifier for the public (or private) key in a PEM file, given as `NAME=FILE` or `FILE` (the key name
    /// is then the file name without its extension), or for a C2SP vkey `NAME+ID+KEY` (Ed25519).
    /// - Parameters:
    ///   - argument: The command-line value.
    ///   - cosigner: `true` for a witness's cosigner key (key id type 0x04), `false` for a log key.
    /// - Throws: ``InputError`` naming the file: unreadable, malformed PEM or vkey, unsupported key type, a vkey
    ///   of the other kind, or a build without the `OpenSSL` trait.
    static func verifier(pemFile argument: String, cosigner: Bool = false) throws -> any CheckpointVerifier {
        var name = ((argument as NSString).lastPathComponent as NSString).deletingPathExtension
        var path = argument
        if let equals = argument.firstIndex(of: "="), !argument[..<equals].contains("/") {
            name = String(argument[..<equals])
            path = String(argument[argument.index(after: equals)...])
        }
        let isVKey =
            argument.split(separator: "+", maxSplits: 2).count == 3
            && !FileManager.default.fileExists(atPath: path)
        let data = isVKey ? Data() : try PublicDataTool.read(path)
        #if OpenSSL
        do {
            if isVKey {
                let verifier = try PEMKeys.verifier(vkey: argument)
                guard verifier.verifiesCosignatures == cosigner else {
                    throw AuditError(
                        code: .invalidArgument,
                        message: cosigner ? "not a cosigner vkey (type 0x04)" : "not a checkpoint vkey (type 0x01)"
                    )
                }
                return verifier
            }
            return cosigner
                ? try PEMKeys.cosignatureVerifier(pem: data, name: name) : try PEMKeys.verifier(pem: data, name: name)
        } catch let error as AuditError {
            throw InputError(file: isVKey ? "vkey" : path, message: error.message)
        }
        #else
        _ = (data, name, cosigner)
        throw InputError(
            file: isVKey ? "vkey" : path,
            message: "public keys need the OpenSSL trait (swift build --traits OpenSSL) and libcrypto"
        )
        #endif
    }

    /// A witness's cosigner from a PEM private key file.
    /// - Throws: ``InputError`` naming the file.
    static func cosigner(pemFile path: String, name: String) throws -> any CheckpointSigner {
        let data = try PublicDataTool.read(path)
        #if OpenSSL
        do {
            return try PEMKeys.cosigner(pem: data, name: name)
        } catch {
            throw InputError(file: path, message: error.message)
        }
        #else
        _ = (data, name)
        throw InputError(
            file: path,
            message: "witness keys need the OpenSSL trait (swift build --traits OpenSSL) and libcrypto"
        )
        #endif
    }

    /// The C2SP vkey of a cosigner read from a PEM file (Ed25519 only).
    static func vkey(pemFile path: String, name: String) throws -> String {
        #if OpenSSL
        let data = try PublicDataTool.read(path)
        do {
            guard let vkey = PEMKeys.vkey(of: try PEMKeys.cosigner(pem: data, name: name)) else {
                throw InputError(file: path, message: "C2SP vkeys exist for Ed25519 keys only")
            }
            return vkey
        } catch let error as AuditError {
            throw InputError(file: path, message: error.message)
        }
        #else
        _ = name
        throw InputError(
            file: path,
            message: "witness keys need the OpenSSL trait (swift build --traits OpenSSL) and libcrypto"
        )
        #endif
    }

}
