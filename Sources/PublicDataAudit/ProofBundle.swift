import Foundation

/// Everything a regulator needs to check, offline, that one event is in the ledger: the entry, its index,
/// the inclusion proof and the signed checkpoint (in the spirit of C2SP `tlog-proof`).
///
/// In JSON (`PublicDataJSON`):
///
/// ```json
/// {"checkpoint":"<signed checkpoint text>","entry":"<base64 canonical bytes>","format":"publicdatakit-proof-bundle/v1",
///  "hasher":"sm3","inclusionProof":["<base64>", ...],"index":17}
/// ```
///
/// Check it with ``AuditVerifier/verify(_:hasher:trusting:)``; no store is needed.
public struct ProofBundle: Codable, Sendable, Hashable {
    /// The format tag of this layout.
    public static let currentFormat = "publicdatakit-proof-bundle/v1"

    /// The format tag (``currentFormat``).
    public var format: String
    /// The name of the ledger's hasher (must match the hasher the regulator verifies with).
    public var hasher: String
    /// The event's canonical bytes (``CanonicalEventEncoding``).
    public var entry: Data
    /// The event's leaf index.
    public var index: Int
    /// The inclusion proof of ``index`` in the checkpoint's tree.
    public var inclusionProof: [LedgerHash]
    /// The signed checkpoint the proof leads to.
    public var checkpoint: SignedCheckpoint

    /// Creates a bundle.
    public init(hasher: String, entry: Data, index: Int, inclusionProof: [LedgerHash], checkpoint: SignedCheckpoint) {
        self.format = Self.currentFormat
        self.hasher = hasher
        self.entry = entry
        self.index = index
        self.inclusionProof = inclusionProof
        self.checkpoint = checkpoint
    }

    /// The bundle as `PublicDataJSON`.
    /// - Throws: `EncodingError`.
    public func jsonData() throws -> Data { try PublicDataJSON.encode(self) }

    /// Reads a bundle from JSON.
    /// - Throws: `ModelDecodingError`.
    public static func fromJSON(_ data: Data) throws(ModelDecodingError) -> ProofBundle {
        try PublicDataJSON.decode(ProofBundle.self, from: data)
    }

    /// Reads a bundle from JSON within `limits`: the size is checked before parsing, the proof length after.
    ///
    /// Hashes, the entry and signatures must be canonical base64.
    /// - Parameters:
    ///   - data: The JSON.
    ///   - limits: The size limits (``AuditLimits/default``).
    /// - Returns: The bundle.
    /// - Throws: ``AuditError`` `limitExceeded`, or `malformedDocument` naming the JSON path.
    public static func decode(_ data: Data, limits: AuditLimits = .default) throws(AuditError) -> ProofBundle {
        try limits.check(data.count, limits.maximumBundleBytes, "the proof bundle (bytes)")
        let bundle: ProofBundle
        do {
            bundle = try PublicDataJSON.decode(ProofBundle.self, from: data)
        } catch {
            throw AuditError(code: .malformedDocument, message: "\(error.path): \(error.message)")
        }
        try limits.check(bundle.inclusionProof.count, limits.maximumProofHashes, "the inclusion proof (hashes)")
        return bundle
    }

    private enum CodingKeys: String, CodingKey {
        case format, hasher, entry, index, inclusionProof, checkpoint
    }

    /// Decodes a bundle, requiring canonical base64 for the entry.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        format = try container.decode(String.self, forKey: .format)
        hasher = try container.decode(String.self, forKey: .hasher)
        let entryText = try container.decode(String.self, forKey: .entry)
        guard let entryBytes = Base64.decodeCanonicalData(entryText) else {
            throw DecodingError.dataCorruptedError(
                forKey: .entry,
                in: container,
                debugDescription: "The entry is not canonical base64."
            )
        }
        entry = entryBytes
        index = try container.decode(Int.self, forKey: .index)
        inclusionProof = try container.decode([LedgerHash].self, forKey: .inclusionProof)
        checkpoint = try container.decode(SignedCheckpoint.self, forKey: .checkpoint)
    }

    /// The proof as C2SP `tlog-proof` text: `c2sp.org/tlog-proof@v1`, `index N`, one base64 hash per line,
    /// a blank line, then the signed checkpoint. The entry itself travels separately (``entry``).
    public var tlogProofText: String {
        "c2sp.org/tlog-proof@v1\nindex \(index)\n" + inclusionProof.map { $0.base64 + "\n" }.joined() + "\n"
            + checkpoint.text
    }

    /// Reads `tlog-proof` text back into a bundle for `entry`, within `limits`.
    ///
    /// The text and the entry together may not exceed ``AuditLimits/maximumBundleBytes`` (checked before
    /// parsing), the proof ``AuditLimits/maximumProofHashes`` lines (checked before any hash is decoded), and the
    /// checkpoint the limits of ``SignedCheckpoint/parse(_:limits:)``.
    /// - Parameters:
    ///   - text: Text produced by ``tlogProofText``.
    ///   - entry: The entry's canonical bytes.
    ///   - hasher: The hasher name.
    ///   - limits: The size limits (``AuditLimits/default``).
    /// - Returns: The bundle.
    /// - Throws: ``AuditError`` `limitExceeded` or `malformedDocument`.
    public static func parse(
        tlogProof text: String,
        entry: Data,
        hasher: String,
        limits: AuditLimits = .default
    ) throws(AuditError) -> ProofBundle {
        func fail(_ message: String) -> AuditError {
            AuditError(code: .malformedDocument, message: "tlog-proof: \(message)")
        }
        let (size, overflow) = text.utf8.count.addingReportingOverflow(entry.count)
        try limits.check(overflow ? .max : size, limits.maximumBundleBytes, "the tlog-proof and its entry (bytes)")
        guard let separator = text.range(of: "\n\n") else { throw fail("no blank line before the checkpoint") }
        let head = text[..<separator.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
        try limits.check(max(0, head.count - 2), limits.maximumProofHashes, "the inclusion proof (hashes)")
        guard head.count >= 2, head[0] == "c2sp.org/tlog-proof@v1" else { throw fail("missing header line") }
        guard head[1].hasPrefix("index "), let index = Int(head[1].dropFirst(6)), index >= 0 else {
            throw fail("missing index line")
        }
        var proof: [LedgerHash] = []
        for line in head.dropFirst(2) {
            guard let bytes = Base64.decodeCanonical(String(line)), !bytes.isEmpty else {
                throw fail("a hash is not canonical base64")
            }
            let digest = LedgerHash(bytes: bytes)
            proof.append(digest)
        }
        let checkpoint = try SignedCheckpoint.parse(String(text[separator.upperBound...]), limits: limits)
        return ProofBundle(hasher: hasher, entry: entry, index: index, inclusionProof: proof, checkpoint: checkpoint)
    }
}

/// Why an offline check failed.
public enum AuditFailure: Sendable, Hashable, CustomStringConvertible {
    /// The bundle or checkpoint names another hasher than the one given to the verifier.
    case hasherMismatch(expected: String, found: String)
    /// The bundle's format tag is unknown.
    case unknownFormat(String)
    /// No trusted key signed the checkpoint.
    case untrustedCheckpoint
    /// The two checkpoints name different ledgers.
    case originMismatch
    /// Fewer witnesses than the policy's quorum cosigned the checkpoint.
    case insufficientCosignatures(found: Int, required: Int)
    /// The Merkle proof does not hold.
    case proof(ProofFailure)
    /// The entry is not valid canonical event bytes.
    case malformedEntry(String)

    /// A short text.
    public var description: String {
        switch self {
        case .hasherMismatch(let expected, let found): "hasher mismatch: expected \(expected), found \(found)"
        case .unknownFormat(let format): "unknown format \(format)"
        case .untrustedCheckpoint: "no trusted signature on the checkpoint"
        case .originMismatch: "the checkpoints name different ledgers"
        case .insufficientCosignatures(let found, let required):
            "the checkpoint has \(found) of \(required) required witness cosignatures"
        case .proof(let reason): "proof rejected: \(reason)"
        case .malformedEntry(let message): "malformed entry: \(message)"
        }
    }
}

/// The verdict of an offline check of a ``ProofBundle``.
public enum BundleVerification: Sendable, Hashable {
    /// The event is in the signed tree; here it is, decoded from its canonical bytes.
    case valid(RecordedEvent)
    /// The bundle does not prove inclusion.
    case invalid(AuditFailure)

    /// `true` for ``valid(_:)``.
    public var isValid: Bool {
        if case .valid = self { return true }
        return false
    }
}

/// The verdict of comparing a store with a checkpoint (``AuditVerifier/verifyStore(_:against:hasher:pageSize:)``).
public enum CheckpointStoreVerification: Sendable, Hashable {
    /// The store's first `size` events hash to the checkpoint's root.
    case matches
    /// The store holds only `count` events, fewer than the checkpoint's size.
    case storeTooShort(count: Int)
    /// The store's first `size` events hash to another root: history was rewritten.
    case rootMismatch(found: LedgerHash)
}

/// Offline verification for regulators: needs the hasher, trusted keys and the documents — never the store
/// (except ``verifyStore(_:against:hasher:pageSize:)``, which re-reads one on purpose).
public enum AuditVerifier {
    /// Checks a proof bundle: hasher, trusted signature, inclusion proof against the checkpoint root, and
    /// canonical entry bytes.
    /// - Parameters:
    ///   - bundle: The bundle.
    ///   - hasher: The hasher the regulator computes with; its name must match the bundle's.
    ///   - verifiers: The trusted checkpoint keys.
    /// - Returns: The decoded event, or the first reason for rejection.
    public static func verify(
        _ bundle: ProofBundle,
        hasher: any LedgerHasher,
        trusting verifiers: [any CheckpointVerifier]
    ) -> BundleVerification {
        verify(bundle, hasher: hasher, policy: TrustPolicy(trusting: verifiers))
    }

    /// Checks a proof bundle under a ``TrustPolicy``: hasher, the log's signature and the required witness
    /// cosignatures, inclusion proof against the checkpoint root, and canonical entry bytes.
    /// - Parameters:
    ///   - bundle: The bundle.
    ///   - hasher: The hasher the regulator computes with; its name must match the bundle's.
    ///   - policy: The log keys, witnesses and quorum.
    ///   - now: The verifier's clock (cosignatures from the future do not count).
    /// - Returns: The decoded event, or the first reason for rejection.
    public static func verify(
        _ bundle: ProofBundle,
        hasher: any LedgerHasher,
        policy: TrustPolicy,
        now: Date = Date()
    ) -> BundleVerification {
        guard bundle.format == ProofBundle.currentFormat else { return .invalid(.unknownFormat(bundle.format)) }
        guard bundle.hasher == hasher.name else {
            return .invalid(.hasherMismatch(expected: hasher.name, found: bundle.hasher))
        }
        let checkpoint = bundle.checkpoint.checkpoint
        guard checkpoint.origin.hasSuffix("/" + hasher.name) else {
            return .invalid(.hasherMismatch(expected: hasher.name, found: checkpoint.origin))
        }
        if let failure = trustFailure(policy.evaluate(bundle.checkpoint, now: now)) { return .invalid(failure) }
        let check = MerkleVerifier.checkInclusion(
            leafHash: MerkleVerifier.leafHash(of: bundle.entry, hasher: hasher),
            index: bundle.index,
            treeSize: checkpoint.size,
            proof: bundle.inclusionProof,
            rootHash: checkpoint.rootHash,
            hasher: hasher
        )
        if case .invalid(let reason) = check { return .invalid(.proof(reason)) }
        do {
            return .valid(try CanonicalEventEncoding.decode(Array(bundle.entry)))
        } catch {
            return .invalid(.malformedEntry(error.message))
        }
    }

    /// Checks that `new` extends `old`: same ledger, both trusted, and a valid consistency proof.
    ///
    /// A failure means the ledger's history was rewritten or forked between the two checkpoints.
    /// - Parameters:
    ///   - old: The earlier checkpoint.
    ///   - new: The later checkpoint.
    ///   - proof: The consistency proof from `old.size` to `new.size` (``Ledger/consistencyProof(from:to:)``).
    ///   - hasher: The ledger's hasher.
    ///   - verifiers: The trusted checkpoint keys.
    /// - Returns: `nil` when consistent, otherwise the reason.
    public static func checkConsistency(
        from old: SignedCheckpoint,
        to new: SignedCheckpoint,
        proof: [LedgerHash],
        hasher: any LedgerHasher,
        trusting verifiers: [any CheckpointVerifier]
    ) -> AuditFailure? {
        checkConsistency(from: old, to: new, proof: proof, hasher: hasher, policy: TrustPolicy(trusting: verifiers))
    }

    /// Checks that `new` extends `old` under a ``TrustPolicy`` (both checkpoints must satisfy it).
    /// - Parameters:
    ///   - old: The earlier checkpoint.
    ///   - new: The later checkpoint.
    ///   - proof: The consistency proof from `old.size` to `new.size`.
    ///   - hasher: The ledger's hasher.
    ///   - policy: The log keys, witnesses and quorum.
    ///   - now: The verifier's clock.
    /// - Returns: `nil` when consistent, otherwise the reason.
    public static func checkConsistency(
        from old: SignedCheckpoint,
        to new: SignedCheckpoint,
        proof: [LedgerHash],
        hasher: any LedgerHasher,
        policy: TrustPolicy,
        now: Date = Date()
    ) -> AuditFailure? {
        guard old.checkpoint.origin == new.checkpoint.origin else { return .originMismatch }
        guard new.checkpoint.origin.hasSuffix("/" + hasher.name) else {
            return .hasherMismatch(expected: hasher.name, found: new.checkpoint.origin)
        }
        for signed in [old, new] {
            if let failure = trustFailure(policy.evaluate(signed, now: now)) { return failure }
        }
        let check = MerkleVerifier.checkConsistency(
            oldSize: old.checkpoint.size,
            newSize: new.checkpoint.size,
            oldRoot: old.checkpoint.rootHash,
            newRoot: new.checkpoint.rootHash,
            proof: proof,
            hasher: hasher
        )
        if case .invalid(let reason) = check { return .proof(reason) }
        return nil
    }

    /// The failure a policy verdict means, or `nil` when trusted.
    static func trustFailure(_ verdict: TrustVerdict) -> AuditFailure? {
        if verdict.logSigners.isEmpty || !verdict.invalidSignatures.isEmpty { return .untrustedCheckpoint }
        if verdict.cosigners.count < verdict.quorum {
            return .insufficientCosignatures(found: verdict.cosigners.count, required: verdict.quorum)
        }
        return nil
    }

    /// Recomputes the root of a store's first `checkpoint.size` events in O(log n) memory and compares it
    /// with the checkpoint.
    /// - Parameters:
    ///   - store: The store to re-read.
    ///   - checkpoint: A checkpoint (whose signature the caller has checked).
    ///   - hasher: The ledger's hasher.
    ///   - pageSize: Events per read.
    /// - Returns: Whether the store still matches.
    /// - Throws: ``AuditError`` `storeFailure` or `malformedEntry`.
    public static func verifyStore(
        _ store: any EventStore,
        against checkpoint: Checkpoint,
        hasher: any LedgerHasher,
        pageSize: Int = 1000
    ) async throws(AuditError) -> CheckpointStoreVerification {
        var range = CompactRange(hasher: hasher)
        var after: Int64 = 0
        let limit = max(1, pageSize)
        while range.size < checkpoint.size {
            let page: [RecordedEvent]
            do {
                page = try await store.readAll(after: after, limit: limit)
            } catch {
                throw AuditError(code: .storeFailure, message: "\(error)")
            }
            for event in page.prefix(checkpoint.size - range.size) {
                range.append(try CanonicalEventEncoding.encode(event))
            }
            guard let last = page.last, page.count == limit else { break }
            after = last.globalPosition
        }
        guard range.size == checkpoint.size else { return .storeTooShort(count: range.size) }
        let root = range.rootHash
        return root == checkpoint.rootHash ? .matches : .rootMismatch(found: root)
    }
}
