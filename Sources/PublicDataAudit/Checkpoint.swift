import Foundation

/// A ledger's signed statement of its size and root, in the C2SP `tlog-checkpoint` text form.
///
/// The body is three lines and optional extension lines, each ending in a newline:
///
/// ```text
/// publicdata.example.gov.cn/audit/sm3
/// 1204
/// 3q0mVb0cR2qXJ0m1mDkz2QqvYV7oYc4wJ5m3vJkX0Ww=
/// time 2027-03-01T08:00:00.000Z
/// ```
///
/// 1. the **origin**, naming the ledger and its hash (``LedgerConfiguration/origin``);
/// 2. the **tree size** in decimal, without leading zeros;
/// 3. the **root hash** in standard base64;
/// 4. extension lines; the ledger writes one, `time <ISO 8601 instant>`.
///
/// A ``SignedCheckpoint`` appends a blank line and one signature line per signer (C2SP `signed-note`).
public struct Checkpoint: Sendable, Hashable {
    /// The origin line: a unique name of the ledger, including its hasher's name.
    public let origin: String
    /// The number of entries in the tree.
    public let size: Int
    /// The tree's root hash at ``size``.
    public let rootHash: LedgerHash
    /// Extension lines after the root, in order (without newlines).
    public let extensions: [String]

    /// Creates a checkpoint.
    /// - Parameters:
    ///   - origin: A non-empty line without control characters.
    ///   - size: The tree size, zero or more.
    ///   - rootHash: The root hash.
    ///   - extensions: Non-empty lines without control characters.
    /// - Throws: ``AuditError`` `invalidArgument` when a line is empty or contains a control character, or the
    ///   size is negative.
    public init(origin: String, size: Int, rootHash: LedgerHash, extensions: [String] = []) throws(AuditError) {
        guard Self.isValidLine(origin) else {
            throw AuditError(code: .invalidArgument, message: "a checkpoint origin must be one non-empty line")
        }
        guard size >= 0 else { throw AuditError(code: .invalidArgument, message: "a tree size may not be negative") }
        guard rootHash.count > 0 else { throw AuditError(code: .invalidArgument, message: "a root hash is empty") }
        for line in extensions where !Self.isValidLine(line) {
            throw AuditError(code: .invalidArgument, message: "a checkpoint extension must be one non-empty line")
        }
        self.origin = origin
        self.size = size
        self.rootHash = rootHash
        self.extensions = extensions
    }

    /// The note body that signers sign: origin, size, base64 root and extensions, each line ending in `\n`.
    public var body: String {
        ([origin, String(size), rootHash.base64] + extensions).map { $0 + "\n" }.joined()
    }

    /// The instant in the `time` extension line, if there is one.
    public var time: Date? {
        for line in extensions where line.hasPrefix("time ") {
            return PublicDataJSON.parseInstant(String(line.dropFirst(5)))
        }
        return nil
    }

    /// Parses a checkpoint body (without the blank line and signatures).
    /// - Parameter body: The body text; every line ends in `\n`.
    /// - Returns: The checkpoint.
    /// - Throws: ``AuditError`` `malformedDocument` naming the first problem.
    public static func parse(body: String) throws(AuditError) -> Checkpoint {
        func fail(_ message: String) -> AuditError {
            AuditError(code: .malformedDocument, message: "checkpoint: \(message)")
        }
        guard body.hasSuffix("\n") else { throw fail("the body does not end in a newline") }
        let lines = body.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 3 else { throw fail("expected origin, size and root lines") }
        let sizeText = lines[1]
        guard !sizeText.isEmpty, sizeText.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            sizeText == "0" || !sizeText.hasPrefix("0"), let size = Int(sizeText)
        else { throw fail("the size line \"\(sizeText)\" is not a decimal number") }
        guard let root = LedgerHash(base64: lines[2]), root.count > 0, root.base64 == lines[2] else {
            throw fail("the root line is not canonical base64")
        }
        do {
            return try Checkpoint(origin: lines[0], size: size, rootHash: root, extensions: Array(lines[3...]))
        } catch {
            throw fail(error.message)
        }
    }

    static func isValidLine(_ line: String) -> Bool {
        !line.isEmpty && !line.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }
}

/// Signs checkpoint bodies on behalf of a ledger operator; the host provides it (HSM, SM2, Ed25519, ...).
///
/// The library writes no signature algorithm. It passes the checkpoint ``Checkpoint/body`` as UTF-8 bytes
/// and writes the C2SP signature line `— <name> <base64(keyID ‖ signature)>`.
public protocol CheckpointSigner: Sendable {
    /// The key's name as written in the signature line: non-empty, no whitespace, no `+`.
    var name: String { get }
    /// The 4-byte key identifier (for C2SP Ed25519 keys: the first 4 bytes of a hash of name and key).
    var keyID: [UInt8] { get }
    /// Signs `message`.
    /// - Parameter message: The checkpoint body's UTF-8 bytes.
    /// - Returns: The signature bytes.
    /// - Throws: Any error of the signing backend; the ledger reports it as ``AuditError`` `signingFailed`.
    func sign(_ message: [UInt8]) async throws -> [UInt8]
}

/// Checks checkpoint signatures with a trusted public key; regulators configure one per trusted signer.
public protocol CheckpointVerifier: Sendable {
    /// The key's name, as in the signature line.
    var name: String { get }
    /// The 4-byte key identifier, as in the signature line.
    var keyID: [UInt8] { get }
    /// Whether `signature` is a valid signature of `message` by this key.
    /// - Parameters:
    ///   - signature: The signature bytes (after the key id).
    ///   - message: The checkpoint body's UTF-8 bytes.
    /// - Returns: `true` only for a valid signature.
    func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool
}

/// One signature line of a signed note: key name, key id and signature.
public struct NoteSignature: Sendable, Hashable {
    /// The key's name.
    public let name: String
    /// The 4-byte key id.
    public let keyID: [UInt8]
    /// The signature bytes.
    public let signature: [UInt8]

    /// Creates a signature line.
    /// - Throws: ``AuditError`` `invalidArgument` when the name is empty or has whitespace or `+`, or the key
    ///   id is not 4 bytes.
    public init(name: String, keyID: [UInt8], signature: [UInt8]) throws(AuditError) {
        guard !name.isEmpty, !name.contains("+"),
            !name.unicodeScalars.contains(where: {
                $0.properties.isWhitespace || $0.properties.generalCategory == .control
            })
        else { throw AuditError(code: .invalidArgument, message: "signer name \"\(name)\" is not a valid key name") }
        guard keyID.count == 4 else {
            throw AuditError(code: .invalidArgument, message: "a key id has \(keyID.count) bytes, expected 4")
        }
        self.name = name
        self.keyID = keyID
        self.signature = signature
    }

    /// Creates a line from parts already validated.
    init(validName name: String, keyID: [UInt8], signature: [UInt8]) {
        self.name = name
        self.keyID = keyID
        self.signature = signature
    }

    /// `— <name> <base64(keyID ‖ signature)>` (without the newline).
    public var line: String {
        "\u{2014} \(name) \(Data(keyID + signature).base64EncodedString())"
    }
}

/// A ``Checkpoint`` with one or more signature lines, in the C2SP signed-note text form.
///
/// In JSON a signed checkpoint is its exact text, because signatures cover exact bytes.
public struct SignedCheckpoint: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The signed checkpoint.
    public let checkpoint: Checkpoint
    /// The signature lines, in order.
    public let signatures: [NoteSignature]

    /// Creates a signed checkpoint from parts (use ``Checkpoint/signed(by:)`` to sign).
    public init(checkpoint: Checkpoint, signatures: [NoteSignature]) {
        self.checkpoint = checkpoint
        self.signatures = signatures
    }

    /// The full text: body, blank line, one signature line per signature.
    public var text: String {
        checkpoint.body + "\n" + signatures.map { $0.line + "\n" }.joined()
    }

    /// The full text.
    public var description: String { text }

    /// The names of the signers whose signatures verify with one of `verifiers` (matching name and key id).
    ///
    /// Signature lines from unknown keys are ignored, as the signed-note format prescribes.
    /// - Parameter verifiers: The trusted keys.
    /// - Returns: The verified signer names, in signature order; empty when none verifies.
    public func verifiedSigners(using verifiers: [any CheckpointVerifier]) -> [String] {
        let message = Array(checkpoint.body.utf8)
        return signatures.compactMap { line in
            let trusted = verifiers.contains { verifier in
                verifier.name == line.name && verifier.keyID == line.keyID
                    && verifier.isValidSignature(line.signature, for: message)
            }
            return trusted ? line.name : nil
        }
    }

    /// Whether at least one signature verifies with one of `verifiers`.
    /// - Parameter verifiers: The trusted keys.
    /// - Returns: `true` when a trusted signature is valid.
    public func isSigned(byAnyOf verifiers: [any CheckpointVerifier]) -> Bool {
        !verifiedSigners(using: verifiers).isEmpty
    }

    /// Parses a signed checkpoint file's bytes: UTF-8 text within `limits`.
    /// - Parameters:
    ///   - data: The file's bytes.
    ///   - limits: The size limits (``AuditLimits/default``).
    /// - Returns: The signed checkpoint.
    /// - Throws: ``AuditError`` `limitExceeded`, or `malformedDocument` (also for bytes that are not UTF-8).
    public static func parse(data: Data, limits: AuditLimits = .default) throws(AuditError) -> SignedCheckpoint {
        try limits.check(data.count, limits.maximumCheckpointBytes, "the signed checkpoint (bytes)")
        guard let text = String(data: data, encoding: .utf8) else {
            throw AuditError(code: .malformedDocument, message: "signed checkpoint: the text is not UTF-8")
        }
        return try parse(text, limits: limits)
    }

    /// Parses a signed checkpoint text.
    ///
    /// Signatures must be canonical base64; the text must stay within `limits`.
    /// - Parameters:
    ///   - text: Body, blank line, signature lines, each ending in `\n`.
    ///   - limits: The size limits (``AuditLimits/default``).
    /// - Returns: The signed checkpoint.
    /// - Throws: ``AuditError`` `malformedDocument` naming the problem, `limitExceeded`.
    public static func parse(_ text: String, limits: AuditLimits = .default) throws(AuditError) -> SignedCheckpoint {
        func fail(_ message: String) -> AuditError {
            AuditError(code: .malformedDocument, message: "signed checkpoint: \(message)")
        }
        try limits.check(text.utf8.count, limits.maximumCheckpointBytes, "the signed checkpoint (bytes)")
        guard let separator = text.range(of: "\n\n") else { throw fail("no blank line before the signatures") }
        let body = String(text[..<separator.lowerBound]) + "\n"
        let checkpoint = try Checkpoint.parse(body: body)
        let rest = text[separator.upperBound...]
        guard rest.hasSuffix("\n") else { throw fail("the last signature line does not end in a newline") }
        var signatures: [NoteSignature] = []
        let lines = rest.dropLast().split(separator: "\n", omittingEmptySubsequences: false)
        try limits.check(lines.count, limits.maximumSignatures, "the signed checkpoint (signature lines)")
        for line in lines {
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0] == "\u{2014}" else { throw fail("a signature line is malformed") }
            guard let blob = Base64.decodeCanonical(String(parts[2])), blob.count > 4 else {
                throw fail("a signature is not canonical base64 of a key id and a signature")
            }
            do {
                signatures.append(
                    try NoteSignature(
                        name: String(parts[1]),
                        keyID: Array(blob.prefix(4)),
                        signature: Array(blob.dropFirst(4))
                    )
                )
            } catch {
                throw fail(error.message)
            }
        }
        guard !signatures.isEmpty else { throw fail("there is no signature line") }
        return SignedCheckpoint(checkpoint: checkpoint, signatures: signatures)
    }

    /// Decodes a signed checkpoint from its text.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try SignedCheckpoint.parse(text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    /// Encodes the signed checkpoint as its text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

extension Checkpoint {
    /// Signs the checkpoint's ``body`` with every signer.
    /// - Parameter signers: One or more signers.
    /// - Returns: The signed checkpoint.
    /// - Throws: ``AuditError`` `signingFailed` when there is no signer or a signer fails, `invalidArgument`
    ///   when a signer's name or key id is unusable.
    public func signed(by signers: [any CheckpointSigner]) async throws(AuditError) -> SignedCheckpoint {
        guard !signers.isEmpty else {
            throw AuditError(code: .signingFailed, message: "a checkpoint needs at least one signer")
        }
        let message = Array(body.utf8)
        var lines: [NoteSignature] = []
        for signer in signers {
            let signature: [UInt8]
            do {
                signature = try await signer.sign(message)
            } catch {
                throw AuditError(code: .signingFailed, message: "signer \(signer.name) failed: \(error)")
            }
            guard !signature.isEmpty else {
                throw AuditError(code: .signingFailed, message: "signer \(signer.name) returned an empty signature")
            }
            lines.append(try NoteSignature(name: signer.name, keyID: signer.keyID, signature: signature))
        }
        return SignedCheckpoint(checkpoint: self, signatures: lines)
    }
}
