import PublicDataAudit
import Testing

/// Every malformed proof must be rejected (compare immudb GHSA-672p-m5jq-mrh8).
struct MalformedProofTests {
    let hasher = SHA256Hasher()
    let tree: MerkleTree

    init() {
        tree = MerkleTreeTests.tree(SHA256Hasher(), MerkleTreeTests.entries(22))
    }

    func inclusion(
        _ index: Int,
        _ size: Int,
        _ proof: [LedgerHash],
        leafIndex: Int? = nil,
        root: LedgerHash? = nil
    )
        throws -> ProofCheck
    {
        let leaf = try #require(tree.leafHash(at: leafIndex ?? index))
        return MerkleVerifier.checkInclusion(
            leafHash: leaf,
            index: index,
            treeSize: size,
            proof: proof,
            rootHash: try root ?? tree.rootHash(atSize: size),
            hasher: hasher
        )
    }

    @Test func inclusionRejectsEveryMutation() throws {
        for size in 1...21 {
            for index in 0..<size {
                let proof = try tree.inclusionProof(forLeafAt: index, treeSize: size)
                #expect(try inclusion(index, size, proof) == .valid)
                // Index at or beyond the size, or negative.
                #expect(try inclusion(size, size, proof, leafIndex: index) == .invalid(.indexOutOfRange))
                #expect(try inclusion(-1, size, proof, leafIndex: index) == .invalid(.indexOutOfRange))
                // An extra hash, at the end or the front.
                let extra = hasher.digest([UInt8]())
                #expect(try inclusion(index, size, proof + [extra]) != .valid)
                #expect(try inclusion(index, size, [extra] + proof) != .valid)
                // A missing hash, or an empty proof where one is needed.
                if !proof.isEmpty {
                    #expect(try inclusion(index, size, Array(proof.dropLast())) != .valid)
                    #expect(try inclusion(index, size, Array(proof.dropFirst())) != .valid)
                    #expect(try inclusion(index, size, []) != .valid)
                }
                // Any flipped bit in any hash.
                for position in proof.indices {
                    var bytes = proof[position].bytes
                    bytes[position % bytes.count] ^= 0x01
                    var mutated = proof
                    mutated[position] = LedgerHash(bytes: bytes)
                    #expect(try inclusion(index, size, mutated) == .invalid(.rootMismatch))
                }
                // A wrong index, a wrong size, a wrong leaf.
                if size > 1 {
                    #expect(try inclusion((index + 1) % size, size, proof, leafIndex: index) != .valid)
                    #expect(try inclusion(index, size, proof, leafIndex: (index + 1) % size) != .valid)
                }
                // The proof checked against another size (with that size's root) must fail.
                if index < size - 1 {
                    #expect(try inclusion(index, size - 1, proof) != .valid)
                }
                #expect(try inclusion(index, size + 1, proof) != .valid)
                // A hash of the wrong size.
                if let first = proof.first {
                    var short = proof
                    short[0] = LedgerHash(bytes: Array(first.bytes.dropLast()))
                    #expect(try inclusion(index, size, short) == .invalid(.wrongDigestSize))
                }
            }
        }
    }

    func consistency(
        _ m: Int,
        _ n: Int,
        _ proof: [LedgerHash],
        oldRoot: LedgerHash? = nil,
        newRoot: LedgerHash? = nil
    )
        throws -> ProofCheck
    {
        MerkleVerifier.checkConsistency(
            oldSize: m,
            newSize: n,
            oldRoot: try oldRoot ?? tree.rootHash(atSize: max(0, min(m, 22))),
            newRoot: try newRoot ?? tree.rootHash(atSize: max(0, min(n, 22))),
            proof: proof,
            hasher: hasher
        )
    }

    @Test func consistencyRejectsEveryMutation() throws {
        let extra = hasher.digest([UInt8]())
        for n in 0...21 {
            for m in 0...n {
                let proof = try tree.consistencyProof(from: m, to: n)
                #expect(try consistency(m, n, proof) == .valid)
                #expect(try consistency(m, n, proof + [extra]) != .valid)
                #expect(try consistency(m, n, [extra] + proof) != .valid)
                if m > 0, m < n {
                    #expect(!proof.isEmpty)
                    #expect(try consistency(m, n, []) == .invalid(.emptyProof))
                    #expect(try consistency(m, n, Array(proof.dropLast())) != .valid)
                    #expect(try consistency(m, n, Array(proof.dropFirst())) != .valid)
                    for position in proof.indices {
                        var bytes = proof[position].bytes
                        bytes[0] ^= 0x80
                        var mutated = proof
                        mutated[position] = LedgerHash(bytes: bytes)
                        #expect(try consistency(m, n, mutated) != .valid)
                    }
                    // Swapped sizes, wrong sizes, swapped or wrong roots.
                    #expect(
                        try consistency(
                            n,
                            m,
                            proof,
                            oldRoot: tree.rootHash(atSize: n),
                            newRoot: tree.rootHash(atSize: m)
                        )
                            == .invalid(.sizesOutOfOrder)
                    )
                    #expect(try consistency(m + 1, n, proof) != .valid)
                    #expect(try consistency(m, n - 1, proof) != .valid)
                    #expect(try consistency(m - 1, n, proof) != .valid)
                    #expect(try consistency(m, n + 1, proof) != .valid)
                    #expect(try consistency(m, n, proof, oldRoot: tree.rootHash(atSize: n)) != .valid)
                    #expect(try consistency(m, n, proof, newRoot: tree.rootHash(atSize: m)) != .valid)
                }
                if m == n, m > 0 {
                    #expect(try consistency(m, n, [], newRoot: tree.rootHash(atSize: m - 1)) == .invalid(.rootMismatch))
                }
            }
        }
        // An old size of zero must come with the empty root and no hashes.
        #expect(try consistency(0, 5, [], oldRoot: tree.rootHash(atSize: 1)) == .invalid(.oldRootMismatch))
        #expect(try consistency(-1, 5, []) == .invalid(.indexOutOfRange))
    }
}
