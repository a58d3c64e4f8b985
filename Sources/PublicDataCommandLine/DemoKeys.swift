import PublicDataAudit

/// The demo's shared checkpoint key: HMAC-SHA256 under a published text.
///
/// A MAC, not a signature: whoever can verify can sign. It shows the signing protocol in builds without the
/// `OpenSSL` trait; real deployments sign with Ed25519 or SM2 keys (``SignatureKeys``) or a host's HSM.
struct DemoCheckpointKey: CheckpointSigner, CheckpointVerifier {
    /// The key name in signature lines.
    let name: String
    /// The shared key.
    let key: [UInt8]

    var keyID: [UInt8] { sharedKeyID(name: name, key: key) }

    func sign(_ message: [UInt8]) async throws -> [UInt8] {
        hmac(SHA256Hasher(), key: key, message: message)
    }

    func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        constantTimeEquals(signature, hmac(SHA256Hasher(), key: key, message: message))
    }
}

/// The demo's checkpoint keys.
enum DemoKeys {
    /// The demo's shared key (or another shared key text given with `--key`).
    static func signer(key: String? = nil) -> DemoCheckpointKey {
        DemoCheckpointKey(name: "publicdatakit-demo", key: Array((key ?? "publicdatakit demo key, not secret").utf8))
    }
}
