import Foundation

/// A witness's timestamped cosignature of a checkpoint (C2SP `tlog-cosignature`, `cosignature/v1`).
///
/// A cosignature is a note signature line on the checkpoint,
/// `— <witness name> base64(key id ‖ timestamped_signature)`, where `timestamped_signature` is the 8-byte
/// big-endian POSIX timestamp followed by the signature over the signed message:
///
/// ```text
/// cosignature/v1
/// time 1679315147
/// <the checkpoint body, every line ending in a newline>
/// ```
///
/// Key ids (C2SP): an Ed25519 cosigner's id is `SHA-256(name ‖ 0x0A ‖ 0x04 ‖ 32-byte public key)[:4]`
/// (``ed25519KeyID(name:publicKey:)``). The library writes no signature algorithm: a witness signs with any
/// ``CheckpointSigner`` whose ``CheckpointSigner/keyID`` is the cosigner's id, and verifiers check with the
/// matching ``CheckpointVerifier`` (`PublicDataCrypto` provides Ed25519 ones with the `OpenSSL` trait).
///
/// Semantically a cosignature states that, at ``timestamp``, the checkpoint was the largest consistent tree
/// head the witness had observed for the origin.
public struct Cosignature: Sendable, Hashable {
    /// The header line of the signed message, `cosignature/v1`.
    public static let header = "cosignature/v1"
    /// The signed-note signature type of Ed25519 cosignatures, `0x04`.
    public static let ed25519SignatureType: UInt8 = 0x04

    /// The cosigner's key name.
    public let name: String
    /// The cosigner's 4-byte key id.
    public let keyID: [UInt8]
    /// When the cosignature was made, in seconds since 1970-01-01T00:00:00Z (at most 2⁶³ − 1).
    public let timestamp: UInt64
    /// The signature over ``signedMessage(for:timestamp:)``.
    public let signature: [UInt8]

    /// Creates a cosignature from its parts.
    /// - Throws: ``AuditError`` `invalidArgument` when the name is not a key name, the key id is not 4 bytes,
    ///   the timestamp exceeds 2⁶³ − 1 or the signature is empty.
    public init(name: String, keyID: [UInt8], timestamp: UInt64, signature: [UInt8]) throws(AuditError) {
        _ = try NoteSignature(name: name, keyID: keyID, signature: signature)
        guard timestamp <= UInt64(Int64.max) else {
            throw AuditError(code: .invalidArgument, message: "a cosignature timestamp exceeds 2^63 - 1")
        }
        guard !signature.isEmpty else {
            throw AuditError(code: .invalidArgument, message: "a cosignature has no signature bytes")
        }
        self.name = name
        self.keyID = keyID
        self.timestamp = timestamp
        self.signature = signature
    }

    /// Reads a cosignature from a note signature line: 8 timestamp bytes, then the signature.
    /// - Throws: ``AuditError`` `malformedDocument` when the line is too short to hold a timestamp and a
    ///   signature or the timestamp exceeds 2⁶³ − 1.
    public init(_ line: NoteSignature) throws(AuditError) {
        guard line.signature.count > 8 else {
            throw AuditError(
                code: .malformedDocument,
                message: "the signature line of \(line.name) is too short for a timestamped cosignature"
            )
        }
        let timestamp = line.signature.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        do {
            try self.init(
                name: line.name,
                keyID: line.keyID,
                timestamp: timestamp,
                signature: Array(line.signature.dropFirst(8))
            )
        } catch {
            throw AuditError(code: .malformedDocument, message: "cosignature of \(line.name): \(error.message)")
        }
    }

    /// The note signature line: key id, then the big-endian timestamp and the signature.
    public var noteSignature: NoteSignature {
        let stamp = (0..<8).map { UInt8(truncatingIfNeeded: timestamp >> (56 - 8 * $0)) }
        return NoteSignature(validName: name, keyID: keyID, signature: stamp + signature)
    }

    /// `— <name> <base64(key id ‖ timestamp ‖ signature)>` (without the newline).
    public var line: String { noteSignature.line }

    /// ``timestamp`` as an instant.
    public var date: Date { Date(timeIntervalSince1970: TimeInterval(timestamp)) }

    /// The bytes a cosigner signs: `cosignature/v1`, `time <timestamp>` and the checkpoint body, each line
    /// ending in a newline (extension lines included).
    /// - Parameters:
    ///   - checkpoint: The cosigned checkpoint.
    ///   - timestamp: Seconds since the epoch, in decimal without leading zeros.
    /// - Returns: The message's UTF-8 bytes.
    public static func signedMessage(for checkpoint: Checkpoint, timestamp: UInt64) -> [UInt8] {
        Array("\(header)\ntime \(timestamp)\n\(checkpoint.body)".utf8)
    }

    /// The key id of an Ed25519 cosigner: `SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key)[:4]`.
    /// - Parameters:
    ///   - name: The cosigner's name.
    ///   - publicKey: The 32-byte Ed25519 public key.
    /// - Returns: The 4-byte key id.
    public static func ed25519KeyID(name: String, publicKey: [UInt8]) -> [UInt8] {
        Array(SHA256Hasher().digest(Array(name.utf8) + [0x0a, ed25519SignatureType] + publicKey).bytes.prefix(4))
    }

    /// Whether this cosignature is `verifier`'s valid signature of `checkpoint` (name and key id must match).
    /// - Parameters:
    ///   - checkpoint: The cosigned checkpoint.
    ///   - verifier: The witness's key.
    /// - Returns: `true` only for a valid cosignature by that key.
    public func isValid(for checkpoint: Checkpoint, using verifier: any CheckpointVerifier) -> Bool {
        verifier.name == name && verifier.keyID == keyID
            && verifier.isValidSignature(signature, for: Self.signedMessage(for: checkpoint, timestamp: timestamp))
    }
}

extension Checkpoint {
    /// Cosigns the checkpoint as a witness (C2SP `cosignature/v1`).
    ///
    /// Only a witness that checked consistency should call this (see ``Witness``).
    /// - Parameters:
    ///   - cosigner: The witness's key; its ``CheckpointSigner/keyID`` must be the cosigner key id.
    ///   - timestamp: Seconds since the epoch, not zero.
    /// - Returns: The cosignature.
    /// - Throws: ``AuditError`` `signingFailed` when the signer fails or the timestamp is zero.
    public func cosigned(
        by cosigner: any CheckpointSigner,
        at timestamp: UInt64
    ) async throws(AuditError)
        -> Cosignature
    {
        guard timestamp > 0 else {
            throw AuditError(code: .signingFailed, message: "a cosignature timestamp may not be zero")
        }
        let signature: [UInt8]
        do {
            signature = try await cosigner.sign(Cosignature.signedMessage(for: self, timestamp: timestamp))
        } catch {
            throw AuditError(code: .signingFailed, message: "cosigner \(cosigner.name) failed: \(error)")
        }
        do {
            return try Cosignature(
                name: cosigner.name,
                keyID: cosigner.keyID,
                timestamp: timestamp,
                signature: signature
            )
        } catch {
            throw AuditError(code: .signingFailed, message: error.message)
        }
    }
}

extension SignedCheckpoint {
    /// The checkpoint with `more` signature lines appended (e.g. cosignatures a witness returned); lines
    /// already present are not repeated.
    /// - Parameter more: The lines to add.
    /// - Returns: The extended signed checkpoint.
    public func adding(_ more: [NoteSignature]) -> SignedCheckpoint {
        var lines = signatures
        for line in more where !lines.contains(line) { lines.append(line) }
        return SignedCheckpoint(checkpoint: checkpoint, signatures: lines)
    }
}

/// When a checkpoint is trusted: signed by the log, and cosigned by at least ``quorum`` of the configured
/// ``witnesses`` (k-of-n, C2SP `tlog-cosignature`).
///
/// Signature lines from unknown keys are ignored. A line whose name and key id match a configured key but whose
/// signature fails makes the whole checkpoint untrusted, as C2SP `signed-note` recommends. Cosignatures
/// timestamped more than ``maximumFutureSkew`` after the verifier's clock do not count.
///
/// ```swift
/// let policy = try TrustPolicy(logKeys: [operatorKey], witnesses: [bureau, center, administration], quorum: 2)
/// policy.evaluate(signed).isTrusted
/// ```
public struct TrustPolicy: Sendable {
    /// The log's checkpoint keys; one valid signature suffices.
    public let logKeys: [any CheckpointVerifier]
    /// The witnesses' cosigner keys.
    public let witnesses: [any CheckpointVerifier]
    /// How many distinct witnesses must cosign.
    public let quorum: Int
    /// How far in the future a cosignature's timestamp may lie (seconds).
    public var maximumFutureSkew: TimeInterval

    /// Creates a policy.
    /// - Parameters:
    ///   - logKeys: The log's keys (at least one).
    ///   - witnesses: The witnesses' cosigner keys, distinct by name and key id.
    ///   - quorum: 0 … `witnesses.count`.
    ///   - maximumFutureSkew: Seconds a cosignature may lie ahead of the clock (default 10 minutes).
    /// - Throws: ``AuditError`` `invalidArgument` for no log key, duplicate witnesses or a quorum out of range.
    public init(
        logKeys: [any CheckpointVerifier],
        witnesses: [any CheckpointVerifier] = [],
        quorum: Int = 0,
        maximumFutureSkew: TimeInterval = 600
    ) throws(AuditError) {
        guard !logKeys.isEmpty else { throw AuditError(code: .invalidArgument, message: "a policy needs a log key") }
        guard (0...witnesses.count).contains(quorum) else {
            throw AuditError(
                code: .invalidArgument,
                message: "a quorum of \(quorum) is not within 0…\(witnesses.count) configured witnesses"
            )
        }
        let identities = witnesses.map { "\($0.name) \($0.keyID)" }
        guard Set(identities).count == identities.count else {
            throw AuditError(code: .invalidArgument, message: "a witness is configured twice")
        }
        self.logKeys = logKeys
        self.witnesses = witnesses
        self.quorum = quorum
        self.maximumFutureSkew = maximumFutureSkew
    }

    /// Trusts any valid signature by one of `verifiers`, without witnesses.
    /// - Parameter verifiers: The log's keys; when empty, no checkpoint is trusted.
    public init(trusting verifiers: [any CheckpointVerifier]) {
        logKeys = verifiers
        witnesses = []
        quorum = 0
        maximumFutureSkew = 600
    }

    /// Evaluates a signed checkpoint.
    /// - Parameters:
    ///   - signed: The checkpoint with its signature and cosignature lines.
    ///   - now: The verifier's clock, for the future-timestamp check.
    /// - Returns: The verdict.
    public func evaluate(_ signed: SignedCheckpoint, now: Date = Date()) -> TrustVerdict {
        let body = Array(signed.checkpoint.body.utf8)
        var verdict = TrustVerdict(quorum: quorum)
        var counted = Set<Int>()
        for line in signed.signatures {
            if let key = logKeys.first(where: { $0.name == line.name && $0.keyID == line.keyID }) {
                if key.isValidSignature(line.signature, for: body) {
                    if !verdict.logSigners.contains(line.name) { verdict.logSigners.append(line.name) }
                } else {
                    verdict.invalidSignatures.append(line.name)
                }
                continue
            }
            guard let index = witnesses.firstIndex(where: { $0.name == line.name && $0.keyID == line.keyID })
            else { continue }
            guard let cosignature = try? Cosignature(line),
                cosignature.isValid(for: signed.checkpoint, using: witnesses[index])
            else {
                verdict.invalidSignatures.append(line.name)
                continue
            }
            guard cosignature.date.timeIntervalSince(now) <= maximumFutureSkew else {
                verdict.futureCosigners.append(line.name)
                continue
            }
            if counted.insert(index).inserted { verdict.cosigners.append(line.name) }
        }
        return verdict
    }

    /// Whether `signed` satisfies the policy.
    /// - Parameters:
    ///   - signed: The checkpoint.
    ///   - now: The verifier's clock.
    /// - Returns: ``TrustVerdict/isTrusted`` of ``evaluate(_:now:)``.
    public func trusts(_ signed: SignedCheckpoint, now: Date = Date()) -> Bool {
        evaluate(signed, now: now).isTrusted
    }
}

/// What a ``TrustPolicy`` found on a checkpoint.
public struct TrustVerdict: Sendable, Hashable, CustomStringConvertible {
    /// The log keys whose signature verified.
    public var logSigners: [String] = []
    /// The distinct witnesses whose cosignature verified, in line order.
    public var cosigners: [String] = []
    /// Lines of configured keys whose signature failed (the checkpoint is then untrusted).
    public var invalidSignatures: [String] = []
    /// Witnesses whose cosignature lies too far in the future (not counted).
    public var futureCosigners: [String] = []
    /// The required number of cosigners.
    public var quorum: Int

    /// Creates an empty verdict for `quorum`.
    public init(quorum: Int) { self.quorum = quorum }

    /// Signed by the log, no failing line of a configured key, and at least ``quorum`` cosigners.
    public var isTrusted: Bool { !logSigners.isEmpty && invalidSignatures.isEmpty && cosigners.count >= quorum }

    /// Why the checkpoint is (not) trusted, in one line.
    public var description: String {
        var parts: [String] = []
        parts.append(
            logSigners.isEmpty ? "no trusted log signature" : "signed by \(logSigners.joined(separator: ", "))"
        )
        if quorum > 0 || !cosigners.isEmpty {
            let names = cosigners.isEmpty ? "" : " (\(cosigners.joined(separator: ", ")))"
            parts.append("\(cosigners.count) of \(quorum) required cosignatures\(names)")
        }
        if !invalidSignatures.isEmpty {
            parts.append("invalid signature by \(invalidSignatures.joined(separator: ", "))")
        }
        if !futureCosigners.isEmpty {
            parts.append("cosignature from the future by \(futureCosigners.joined(separator: ", "))")
        }
        return parts.joined(separator: "; ")
    }
}
