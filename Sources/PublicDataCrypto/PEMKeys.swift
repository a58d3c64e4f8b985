#if OpenSSL
import CPublicDataOpenSSL
import Foundation
import PublicDataAudit

/// A key held by libcrypto, freed with its last user.
final class LoadedKey: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { self.pointer = pointer }

    deinit { EVP_PKEY_free(pointer) }
}

/// The signature algorithms for checkpoints and cosignatures.
public enum SignatureAlgorithm: String, Sendable, Hashable {
    /// Ed25519 (RFC 8032), C2SP signed-note signature type `0x01`.
    case ed25519
    /// SM2 with SM3 (GB/T 32918, GM/T 0003), DER-encoded `(r, s)` as GM/T 0009 specifies.
    case sm2 = "sm2-sm3"
}

/// Ed25519 and SM2 checkpoint keys read from PEM files, through the system's libcrypto (OpenSSL 3).
///
/// ## Key ids (C2SP signed-note)
/// - Ed25519: `SHA-256(name ‖ 0x0A ‖ 0x01 ‖ 32-byte public key)[:4]`, exactly as signed-note specifies, so the
///   signature lines verify with any signed-note implementation.
/// - SM2: signed-note assigns no type byte, so the reserved `0xff` is followed by the identifier `sm2-sm3` and
///   the DER `SubjectPublicKeyInfo`: `SHA-256(name ‖ 0x0A ‖ 0xff ‖ "sm2-sm3" ‖ SPKI)[:4]`.
///
/// ## SM2 user id
/// SM2 signatures hash a user id into `Z_A` (GB/T 32918.2 §5.5). Unless told otherwise, the keys use the
/// default id of GM/T 0009-2012, the 16 ASCII bytes `1234567812345678` (``defaultSM2UserID``); a verifier must
/// use the same id (OpenSSL: `-pkeyopt distid:1234567812345678`).
public enum PEMKeys {
    /// The default SM2 user id of GM/T 0009: `1234567812345678`.
    public static let defaultSM2UserID = "1234567812345678"

    /// A signer for the private key in `pem`.
    /// - Parameters:
    ///   - pem: A PEM private key (PKCS #8 `PRIVATE KEY`, or `EC PRIVATE KEY` on the SM2 curve).
    ///   - name: The key name written in signature lines (no whitespace, no `+`).
    ///   - sm2UserID: The SM2 user id (ignored for Ed25519).
    /// - Throws: ``AuditError`` `invalidArgument`: not a PEM private key, or a key type other than Ed25519 or
    ///   SM2.
    public static func signer(
        pem: Data,
        name: String,
        sm2UserID: String = defaultSM2UserID
    ) throws(AuditError) -> PEMSigner {
        let key = try load(pem, privateKey: true)
        let algorithm = try algorithm(of: key)
        return PEMSigner(
            key: key,
            algorithm: algorithm,
            name: name,
            keyID: try keyID(name: name, key: key, algorithm: algorithm),
            userID: Array(sm2UserID.utf8)
        )
    }

    /// A verifier for the public key in `pem` (a private key's public half is taken too).
    /// - Parameters:
    ///   - pem: A PEM `PUBLIC KEY` (or a private key).
    ///   - name: The key name expected in signature lines.
    ///   - sm2UserID: The SM2 user id (ignored for Ed25519).
    /// - Throws: ``AuditError`` `invalidArgument`: not a PEM key, or a key type other than Ed25519 or SM2.
    public static func verifier(
        pem: Data,
        name: String,
        sm2UserID: String = defaultSM2UserID
    ) throws(AuditError) -> PEMVerifier {
        let key: LoadedKey
        do {
            key = try load(pem, privateKey: false)
        } catch {
            key = try load(pem, privateKey: true)
        }
        let algorithm = try algorithm(of: key)
        return PEMVerifier(
            key: key,
            algorithm: algorithm,
            name: name,
            keyID: try keyID(name: name, key: key, algorithm: algorithm),
            userID: Array(sm2UserID.utf8)
        )
    }

    /// The public key in PEM (`-----BEGIN PUBLIC KEY-----`), e.g. to hand to regulators and witnesses.
    /// - Parameter signer: A signer.
    /// - Returns: The PEM text.
    public static func publicKeyPEM(of signer: PEMSigner) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        guard PEM_write_bio_PUBKEY(bio, signer.key.pointer) == 1 else { return "" }
        var pointer: UnsafeMutablePointer<CChar>?
        let length = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &pointer)
        guard let pointer, length > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
    }

    static func load(_ pem: Data, privateKey: Bool) throws(AuditError) -> LoadedKey {
        let key: OpaquePointer? = pem.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(clamping: raw.count)) else { return nil }
            defer { BIO_free(bio) }
            return privateKey ? PEM_read_bio_PrivateKey(bio, nil, nil, nil) : PEM_read_bio_PUBKEY(bio, nil, nil, nil)
        }
        ERR_clear_error()
        guard let key else {
            throw AuditError(
                code: .invalidArgument,
                message: "not a PEM \(privateKey ? "private" : "public") key (or a malformed one)"
            )
        }
        return LoadedKey(key)
    }

    static func algorithm(of key: LoadedKey) throws(AuditError) -> SignatureAlgorithm {
        if EVP_PKEY_is_a(key.pointer, "ED25519") == 1 { return .ed25519 }
        if EVP_PKEY_is_a(key.pointer, "SM2") == 1 { return .sm2 }
        if EVP_PKEY_is_a(key.pointer, "EC") == 1 {
            var group = [CChar](repeating: 0, count: 64)
            var length = 0
            if EVP_PKEY_get_group_name(key.pointer, &group, group.count, &length) == 1,
                String(decoding: group.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self) == "SM2"
            {
                return .sm2
            }
        }
        let type = EVP_PKEY_get0_type_name(key.pointer).map { String(cString: $0) } ?? "unknown"
        throw AuditError(
            code: .invalidArgument,
            message: "unsupported key type \(type): checkpoint keys are Ed25519 or SM2"
        )
    }

    static func keyID(
        name: String,
        key: LoadedKey,
        algorithm: SignatureAlgorithm,
        purpose: KeyPurpose = .checkpoint
    ) throws(AuditError) -> [UInt8] {
        guard !name.isEmpty, !name.contains("+"), !name.unicodeScalars.contains(where: { $0.properties.isWhitespace })
        else { throw AuditError(code: .invalidArgument, message: "key name \"\(name)\" is not a valid key name") }
        var material = Array(name.utf8) + [0x0a]
        switch algorithm {
        case .ed25519:
            material += [purpose == .checkpoint ? 0x01 : Cosignature.ed25519SignatureType] + (try rawPublicKey(key))
        case .sm2 where purpose == .cosignature:
            var der: UnsafeMutablePointer<UInt8>?
            let length = i2d_PUBKEY(key.pointer, &der)
            guard length > 0, let der else {
                throw AuditError(code: .invalidArgument, message: "cannot encode the SM2 public key")
            }
            defer { CRYPTO_free(der, #file, #line) }
            material += [0xff] + Array("sm2-sm3-cosignature/v1".utf8)
            material += Array(UnsafeBufferPointer(start: der, count: Int(length)))
        case .sm2:
            var der: UnsafeMutablePointer<UInt8>?
            let length = i2d_PUBKEY(key.pointer, &der)
            guard length > 0, let der else {
                throw AuditError(code: .invalidArgument, message: "cannot encode the SM2 public key")
            }
            defer { CRYPTO_free(der, #file, #line) }
            material += [0xff] + Array("sm2-sm3".utf8) + Array(UnsafeBufferPointer(start: der, count: Int(length)))
        }
        return Array(SHA256Hasher().digest(material).bytes.prefix(4))
    }

    /// The 32-byte raw Ed25519 public key.
    static func rawPublicKey(_ key: LoadedKey) throws(AuditError) -> [UInt8] {
        var raw = [UInt8](repeating: 0, count: 32)
        var length = 32
        guard EVP_PKEY_get_raw_public_key(key.pointer, &raw, &length) == 1, length == 32 else {
            ERR_clear_error()
            throw AuditError(code: .invalidArgument, message: "cannot read the Ed25519 public key")
        }
        return raw
    }

    /// A witness's cosigner for the private key in `pem` (C2SP `tlog-cosignature`): Ed25519 with the key id
    /// `SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key)[:4]`.
    ///
    /// SM2 keys are accepted as a PublicDataKit extension that C2SP does not define: the same `cosignature/v1`
    /// message signed with SM2-with-SM3 (DER), key id `SHA-256(name ‖ 0x0A ‖ 0xff ‖ "sm2-sm3-cosignature/v1" ‖
    /// SPKI)[:4]`; only verifiers configured with that key understand it.
    /// - Parameters:
    ///   - pem: A PEM private key.
    ///   - name: The witness's name (a schema-less URL is recommended).
    ///   - sm2UserID: The SM2 user id (ignored for Ed25519).
    /// - Throws: ``AuditError`` `invalidArgument` as ``signer(pem:name:sm2UserID:)``.
    public static func cosigner(
        pem: Data,
        name: String,
        sm2UserID: String = defaultSM2UserID
    ) throws(AuditError) -> PEMSigner {
        let key = try load(pem, privateKey: true)
        let algorithm = try algorithm(of: key)
        return PEMSigner(
            key: key,
            algorithm: algorithm,
            name: name,
            keyID: try keyID(name: name, key: key, algorithm: algorithm, purpose: .cosignature),
            userID: Array(sm2UserID.utf8),
            purpose: .cosignature
        )
    }

    /// A verifier of a witness's cosignatures for the public key in `pem` (see ``cosigner(pem:name:sm2UserID:)``).
    /// - Throws: ``AuditError`` `invalidArgument` as ``verifier(pem:name:sm2UserID:)``.
    public static func cosignatureVerifier(
        pem: Data,
        name: String,
        sm2UserID: String = defaultSM2UserID
    ) throws(AuditError) -> PEMVerifier {
        let key: LoadedKey
        do {
            key = try load(pem, privateKey: false)
        } catch {
            key = try load(pem, privateKey: true)
        }
        let algorithm = try algorithm(of: key)
        return PEMVerifier(
            key: key,
            algorithm: algorithm,
            name: name,
            keyID: try keyID(name: name, key: key, algorithm: algorithm, purpose: .cosignature),
            userID: Array(sm2UserID.utf8),
            purpose: .cosignature
        )
    }

    /// A verifier for a C2SP `signed-note` verifier key (vkey), `<name>+<hex key id>+<base64(type ‖ key)>`, of
    /// type `0x01` (Ed25519 note signatures, e.g. a log's checkpoint key) or `0x04` (Ed25519 cosignatures).
    /// - Parameter vkey: The verifier key text.
    /// - Returns: The verifier; its key id is checked against the one the vkey states.
    /// - Throws: ``AuditError`` `invalidArgument`: not three parts, a bad name, hex or base64, another signature
    ///   type, a key of the wrong length, or a key id that does not match.
    public static func verifier(vkey: String) throws(AuditError) -> PEMVerifier {
        func fail(_ message: String) -> AuditError {
            AuditError(code: .invalidArgument, message: "verifier key: \(message)")
        }
        let parts = vkey.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        // The base64 key may itself contain `+`: split at the first two only.
        guard parts.count == 3 else { throw fail("expected <name>+<key id>+<key>") }
        guard parts[1].count == 8, let stated = LedgerHash(hex: parts[1]) else {
            throw fail("the key id is not 8 hex digits")
        }
        guard let material = Base64.decodeCanonical(parts[2]), let type = material.first else {
            throw fail("the key is not canonical base64")
        }
        let purpose: KeyPurpose
        switch type {
        case 0x01: purpose = .checkpoint
        case Cosignature.ed25519SignatureType: purpose = .cosignature
        default: throw fail(String(format: "signature type 0x%02x is not supported (0x01, 0x04 are)", type))
        }
        let raw = Array(material.dropFirst())
        guard raw.count == 32,
            let pointer = EVP_PKEY_new_raw_public_key_ex(nil, "ED25519", nil, raw, raw.count)
        else {
            ERR_clear_error()
            throw fail("not a 32-byte Ed25519 public key")
        }
        let key = LoadedKey(pointer)
        let id = try keyID(name: parts[0], key: key, algorithm: .ed25519, purpose: purpose)
        guard id == stated.bytes else { throw fail("the key id \(parts[1]) does not match the name and key") }
        return PEMVerifier(key: key, algorithm: .ed25519, name: parts[0], keyID: id, userID: [], purpose: purpose)
    }

    /// The C2SP verifier key (vkey) of an Ed25519 signer or cosigner, to publish; `nil` for SM2 keys.
    /// - Parameter signer: The signer.
    /// - Returns: `<name>+<hex key id>+<base64(type ‖ public key)>`.
    public static func vkey(of signer: PEMSigner) -> String? {
        guard signer.algorithm == .ed25519, let raw = try? rawPublicKey(signer.key) else { return nil }
        let type: UInt8 = signer.purpose == .checkpoint ? 0x01 : Cosignature.ed25519SignatureType
        return "\(signer.name)+\(LedgerHash(bytes: signer.keyID).hex)+\(Data([type] + raw).base64EncodedString())"
    }

    /// Prepares `context` for signing or verifying with `key` (SM2: with the user id and SM3).
    static func prepare(
        _ context: OpaquePointer,
        key: LoadedKey,
        algorithm: SignatureAlgorithm,
        userID: [UInt8],
        signing: Bool
    ) -> OpaquePointer?? {
        switch algorithm {
        case .ed25519:
            let status =
                signing
                ? EVP_DigestSignInit_ex(context, nil, nil, nil, nil, key.pointer, nil)
                : EVP_DigestVerifyInit_ex(context, nil, nil, nil, nil, key.pointer, nil)
            return status == 1 ? .some(nil) : nil
        case .sm2:
            guard let keyContext = EVP_PKEY_CTX_new_from_pkey(nil, key.pointer, nil) else { return nil }
            let idSet = userID.withUnsafeBytes { EVP_PKEY_CTX_set1_id(keyContext, $0.baseAddress, Int32(userID.count)) }
            guard idSet > 0 else {
                EVP_PKEY_CTX_free(keyContext)
                return nil
            }
            EVP_MD_CTX_set_pkey_ctx(context, keyContext)
            let status =
                signing
                ? EVP_DigestSignInit(context, nil, EVP_sm3(), nil, key.pointer)
                : EVP_DigestVerifyInit(context, nil, EVP_sm3(), nil, key.pointer)
            guard status == 1 else {
                EVP_PKEY_CTX_free(keyContext)
                return nil
            }
            return .some(keyContext)
        }
    }
}

/// What a key signs: checkpoints (signed-note type `0x01` for Ed25519) or cosignatures (type `0x04`).
enum KeyPurpose: Sendable, Hashable {
    case checkpoint
    case cosignature
}

/// Signs checkpoint bodies (or, as a witness's cosigner, `cosignature/v1` messages) with an Ed25519 or SM2
/// private key (see ``PEMKeys``).
public struct PEMSigner: CheckpointSigner {
    let key: LoadedKey
    /// The algorithm.
    public let algorithm: SignatureAlgorithm
    /// The key name in signature lines.
    public let name: String
    /// The signed-note key id (see ``PEMKeys``).
    public let keyID: [UInt8]
    let userID: [UInt8]
    var purpose: KeyPurpose = .checkpoint

    /// The verifier for this key's public half.
    public var verifier: PEMVerifier {
        PEMVerifier(key: key, algorithm: algorithm, name: name, keyID: keyID, userID: userID, purpose: purpose)
    }

    /// Signs `message`: Ed25519 (64 bytes) or SM2-with-SM3 (DER).
    /// - Throws: ``AuditError`` `signingFailed` when libcrypto fails.
    public func sign(_ message: [UInt8]) async throws -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else {
            throw AuditError(code: .signingFailed, message: "libcrypto is out of memory")
        }
        defer { EVP_MD_CTX_free(context) }
        guard
            let keyContext = PEMKeys.prepare(context, key: key, algorithm: algorithm, userID: userID, signing: true)
        else {
            ERR_clear_error()
            throw AuditError(code: .signingFailed, message: "libcrypto cannot sign with this \(algorithm) key")
        }
        defer { if let keyContext { EVP_PKEY_CTX_free(keyContext) } }
        var length = 0
        guard EVP_DigestSign(context, nil, &length, message, message.count) == 1 else {
            ERR_clear_error()
            throw AuditError(code: .signingFailed, message: "libcrypto failed to size the signature")
        }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(context, &signature, &length, message, message.count) == 1 else {
            ERR_clear_error()
            throw AuditError(code: .signingFailed, message: "libcrypto failed to sign")
        }
        return Array(signature.prefix(length))
    }
}

/// Verifies checkpoint signatures with an Ed25519 or SM2 public key (see ``PEMKeys``).
public struct PEMVerifier: CheckpointVerifier {
    let key: LoadedKey
    /// The algorithm.
    public let algorithm: SignatureAlgorithm
    /// The key name in signature lines.
    public let name: String
    /// The signed-note key id.
    public let keyID: [UInt8]
    let userID: [UInt8]
    var purpose: KeyPurpose = .checkpoint

    /// Whether the key verifies cosignatures (a witness's key) rather than checkpoint signatures.
    public var verifiesCosignatures: Bool { purpose == .cosignature }

    /// Whether `signature` is this key's valid signature of `message`.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard
            let keyContext = PEMKeys.prepare(context, key: key, algorithm: algorithm, userID: userID, signing: false)
        else {
            ERR_clear_error()
            return false
        }
        defer { if let keyContext { EVP_PKEY_CTX_free(keyContext) } }
        let valid = EVP_DigestVerify(context, signature, signature.count, message, message.count) == 1
        ERR_clear_error()
        return valid
    }
}
#endif
