import Foundation

/// Why a Merkle proof was rejected.
public enum ProofFailure: String, Sendable, Hashable, Codable, CustomStringConvertible {
    /// A size is negative, or a leaf index is not below the tree size.
    case indexOutOfRange = "index_out_of_range"
    /// The old size of a consistency proof is larger than the new size.
    case sizesOutOfOrder = "sizes_out_of_order"
    /// A hash in the proof, the leaf hash or a root has the wrong number of bytes.
    case wrongDigestSize = "wrong_digest_size"
    /// The proof has more hashes than the sizes call for.
    case proofTooLong = "proof_too_long"
    /// The proof has fewer hashes than the sizes call for.
    case proofTooShort = "proof_too_short"
    /// The proof is empty but the sizes call for hashes.
    case emptyProof = "empty_proof"
    /// The recomputed root differs from the expected root.
    case rootMismatch = "root_mismatch"
    /// The root recomputed for the old tree of a consistency proof differs from the old root.
    case oldRootMismatch = "old_root_mismatch"

    /// The raw value.
    public var description: String { rawValue }
}

/// The answer of a proof check: valid, or invalid with the reason. A "no" is a value, not an error.
public enum ProofCheck: Sendable, Hashable, CustomStringConvertible {
    /// The proof holds.
    case valid
    /// The proof does not hold, for this reason.
    case invalid(ProofFailure)

    /// `true` for ``valid``.
    public var isValid: Bool { self == .valid }

    /// `valid` or `invalid(REASON)`.
    public var description: String {
        switch self {
        case .valid: "valid"
        case .invalid(let reason): "invalid(\(reason))"
        }
    }
}

/// Verification of inclusion and consistency proofs, exactly as RFC 9162 §2.1.3.2 and §2.1.4.2 specify.
///
/// The verifier needs no tree and no store: only the hasher, the sizes, the hashes and the proof. It rejects
/// every malformed proof — a wrong length (too short or with extra hashes), an index at or beyond the size,
/// sizes out of order, an empty proof where hashes are needed, a non-empty proof where none is allowed,
/// hashes of the wrong size — rather than accepting it (compare immudb GHSA-672p-m5jq-mrh8).
public enum MerkleVerifier {
    /// The leaf hash `H(0x00 ‖ entry)` of an entry.
    /// - Parameters:
    ///   - entry: The entry's bytes.
    ///   - hasher: The hash function.
    /// - Returns: The leaf hash.
    public static func leafHash(of entry: some ContiguousBytes, hasher: any LedgerHasher) -> LedgerHash {
        var out = [UInt8](repeating: 0, count: hasher.digestSize)
        entry.withUnsafeBytes { bytes in
            out.withUnsafeMutableBytes {
                hasher.hash(prefix: 0x00, bytes, UnsafeRawBufferPointer(start: nil, count: 0), into: $0)
            }
        }
        return LedgerHash(bytes: out)
    }

    /// The interior node hash `H(0x01 ‖ left ‖ right)`.
    /// - Parameters:
    ///   - left: The left child's hash.
    ///   - right: The right child's hash.
    ///   - hasher: The hash function.
    /// - Returns: The node hash.
    public static func nodeHash(_ left: LedgerHash, _ right: LedgerHash, hasher: any LedgerHasher) -> LedgerHash {
        var out = [UInt8](repeating: 0, count: hasher.digestSize)
        left.bytes.withUnsafeBytes { l in
            right.bytes.withUnsafeBytes { r in
                out.withUnsafeMutableBytes { hasher.hash(prefix: 0x01, l, r, into: $0) }
            }
        }
        return LedgerHash(bytes: out)
    }

    /// Checks that `leafHash` is the leaf at `index` of the tree of `treeSize` leaves with root `rootHash`.
    /// - Parameters:
    ///   - leafHash: The leaf hash (see ``leafHash(of:hasher:)``).
    ///   - index: The leaf's index.
    ///   - treeSize: The tree's size.
    ///   - proof: The inclusion path, from the leaf's sibling up.
    ///   - rootHash: The expected root at `treeSize`.
    ///   - hasher: The hash function.
    /// - Returns: ``ProofCheck/valid`` or the reason for rejection.
    public static func checkInclusion(
        leafHash: LedgerHash,
        index: Int,
        treeSize: Int,
        proof: [LedgerHash],
        rootHash: LedgerHash,
        hasher: any LedgerHasher
    ) -> ProofCheck {
        guard treeSize > 0, index >= 0, index < treeSize else { return .invalid(.indexOutOfRange) }
        let width = hasher.digestSize
        guard leafHash.count == width, rootHash.count == width, proof.allSatisfy({ $0.count == width }) else {
            return .invalid(.wrongDigestSize)
        }
        var fn = index
        var sn = treeSize - 1
        var running = leafHash.bytes
        var scratch = [UInt8](repeating: 0, count: width)
        for node in proof {
            if sn == 0 { return .invalid(.proofTooLong) }
            if fn & 1 == 1 || fn == sn {
                combine(node.bytes, running, into: &scratch, hasher: hasher)
                if fn & 1 == 0 {
                    while fn & 1 == 0, fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                combine(running, node.bytes, into: &scratch, hasher: hasher)
            }
            swap(&running, &scratch)
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { return .invalid(.proofTooShort) }
        return running == rootHash.bytes ? .valid : .invalid(.rootMismatch)
    }

    /// Checks that the tree of `newSize` leaves with root `newRoot` extends the tree of `oldSize` leaves with
    /// root `oldRoot` (same first `oldSize` leaves).
    ///
    /// Equal sizes need an empty proof and equal roots; an old size of 0 needs an empty proof and the root of
    /// the empty tree; otherwise the RFC 9162 §2.1.4.2 algorithm runs.
    /// - Parameters:
    ///   - oldSize: The earlier size.
    ///   - newSize: The later size.
    ///   - oldRoot: The root at `oldSize`.
    ///   - newRoot: The root at `newSize`.
    ///   - proof: The consistency proof.
    ///   - hasher: The hash function.
    /// - Returns: ``ProofCheck/valid`` or the reason for rejection.
    public static func checkConsistency(
        oldSize: Int,
        newSize: Int,
        oldRoot: LedgerHash,
        newRoot: LedgerHash,
        proof: [LedgerHash],
        hasher: any LedgerHasher
    ) -> ProofCheck {
        guard oldSize >= 0, newSize >= 0 else { return .invalid(.indexOutOfRange) }
        guard oldSize <= newSize else { return .invalid(.sizesOutOfOrder) }
        let width = hasher.digestSize
        guard oldRoot.count == width, newRoot.count == width, proof.allSatisfy({ $0.count == width }) else {
            return .invalid(.wrongDigestSize)
        }
        if oldSize == newSize {
            guard proof.isEmpty else { return .invalid(.proofTooLong) }
            return oldRoot == newRoot ? .valid : .invalid(.rootMismatch)
        }
        if oldSize == 0 {
            guard proof.isEmpty else { return .invalid(.proofTooLong) }
            return oldRoot == hasher.digest([UInt8]()) ? .valid : .invalid(.oldRootMismatch)
        }
        guard !proof.isEmpty else { return .invalid(.emptyProof) }
        var path = proof.map(\.bytes)
        if oldSize & (oldSize - 1) == 0 { path.insert(oldRoot.bytes, at: 0) }
        var fn = oldSize - 1
        var sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var oldRunning = path[0]
        var newRunning = path[0]
        var scratch = [UInt8](repeating: 0, count: width)
        for node in path.dropFirst() {
            if sn == 0 { return .invalid(.proofTooLong) }
            if fn & 1 == 1 || fn == sn {
                combine(node, oldRunning, into: &scratch, hasher: hasher)
                swap(&oldRunning, &scratch)
                combine(node, newRunning, into: &scratch, hasher: hasher)
                swap(&newRunning, &scratch)
                if fn & 1 == 0 {
                    while fn & 1 == 0, fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                combine(newRunning, node, into: &scratch, hasher: hasher)
                swap(&newRunning, &scratch)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { return .invalid(.proofTooShort) }
        guard oldRunning == oldRoot.bytes else { return .invalid(.oldRootMismatch) }
        return newRunning == newRoot.bytes ? .valid : .invalid(.rootMismatch)
    }

    private static func combine(_ left: [UInt8], _ right: [UInt8], into out: inout [UInt8], hasher: any LedgerHasher) {
        left.withUnsafeBytes { l in
            right.withUnsafeBytes { r in
                out.withUnsafeMutableBytes { hasher.hash(prefix: 0x01, l, r, into: $0) }
            }
        }
    }
}
