import PublicDataAudit

/// A deterministic checkpoint signer and verifier for tests: HMAC-SHA256 (RFC 2104) with a shared key.
///
/// Not a public-key signature — anyone holding the key can sign — so use it only in tests and demos.
/// Production hosts plug in an HSM, SM2 or Ed25519 signer through `CheckpointSigner`.
///
/// ```swift
/// let signer = TestCheckpointSigner(name: "test-log", key: Array("secret".utf8))
/// let signed = try await checkpoint.signed(by: [signer])
/// signed.isSigned(byAnyOf: [signer])   // true
/// ```
public struct TestCheckpointSigner: CheckpointSigner, CheckpointVerifier, Hashable {
    /// The key name written in signature lines.
    public let name: String
    /// The shared HMAC key.
    public let key: [UInt8]

    /// Creates a signer.
    /// - Parameters:
    ///   - name: The key name (no whitespace, no `+`).
    ///   - key: The HMAC key.
    public init(name: String = "publicdatakit-test", key: [UInt8] = Array("publicdatakit test key".utf8)) {
        self.name = name
        self.key = key
    }

    /// The first 4 bytes of SHA-256(name ‖ "\n" ‖ 0xff ‖ key).
    public var keyID: [UInt8] { sharedKeyID(name: name, key: key) }

    /// HMAC-SHA256(key, message).
    public func sign(_ message: [UInt8]) async throws -> [UInt8] {
        mac(message)
    }

    /// Whether `signature` equals HMAC-SHA256(key, message).
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        constantTimeEquals(signature, mac(message))
    }

    /// HMAC-SHA256 of `message` under ``key``.
    public func mac(_ message: [UInt8]) -> [UInt8] {
        hmac(SHA256Hasher(), key: key, message: message)
    }
}
