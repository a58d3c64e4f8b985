import Foundation
import PublicDataAudit
import Testing

/// RFC 6962 §2.1 definitions, written recursively and naively, as the reference for the tree.
struct NaiveMerkle {
    let hasher: any LedgerHasher
    let entries: [[UInt8]]

    func leaf(_ index: Int) -> [UInt8] { hasher.digest([0x00] + entries[index]).bytes }

    func node(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] { hasher.digest([0x01] + left + right).bytes }

    static func split(_ n: Int) -> Int {
        var k = 1
        while k * 2 < n { k *= 2 }
        return k
    }

    /// MTH(D[low:high]).
    func mth(_ low: Int, _ high: Int) -> [UInt8] {
        let n = high - low
        if n == 0 { return hasher.digest([UInt8]()).bytes }
        if n == 1 { return leaf(low) }
        let k = Self.split(n)
        return node(mth(low, low + k), mth(low + k, high))
    }

    /// PATH(m, D[low:high]).
    func path(_ m: Int, _ low: Int, _ high: Int) -> [[UInt8]] {
        let n = high - low
        if n == 1 { return [] }
        let k = Self.split(n)
        if m < k { return path(m, low, low + k) + [mth(low + k, high)] }
        return path(m - k, low + k, high) + [mth(low, low + k)]
    }

    /// SUBPROOF(m, D[low:high], b).
    func subproof(_ m: Int, _ low: Int, _ high: Int, _ b: Bool) -> [[UInt8]] {
        let n = high - low
        if m == n { return b ? [] : [mth(low, high)] }
        let k = Self.split(n)
        if m <= k { return subproof(m, low, low + k, b) + [mth(low + k, high)] }
        return subproof(m - k, low + k, high, false) + [mth(low, low + k)]
    }

    func proof(_ m: Int, _ n: Int) -> [[UInt8]] {
        m == 0 || m == n ? [] : subproof(m, 0, n, true)
    }
}

struct MerkleTreeTests {
    static let referenceLeaves: [[UInt8]] = [
        "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
    ].map { LedgerHash(hex: $0)?.bytes ?? [0xff] }

    static let referenceRoots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]

    static func tree(_ hasher: any LedgerHasher, _ entries: [[UInt8]]) -> MerkleTree {
        var tree = MerkleTree(hasher: hasher)
        for entry in entries { tree.append(entry) }
        return tree
    }

    static func entries(_ count: Int) -> [[UInt8]] {
        (0..<count).map { index in
            [UInt8(truncatingIfNeeded: index)] + (0..<(index % 5)).map { UInt8(truncatingIfNeeded: index &* 7 &+ $0) }
        }
    }

    @Test func referenceRootsOfSizesOneToEight() throws {
        let tree = Self.tree(SHA256Hasher(), Self.referenceLeaves)
        #expect(tree.size == 8)
        let prefixes = ["6e340b9c", "fac54203", "aeb6bcfe", "d37ee418", "4e3bbb1f", "76e67dad", "ddb89be4", "5dc9da79"]
        for size in 1...8 {
            let root = try tree.rootHash(atSize: size)
            #expect(root.hex.hasPrefix(prefixes[size - 1]), "size \(size)")
            #expect(root.hex == Self.referenceRoots[size - 1], "size \(size)")
        }
        #expect(tree.rootHash.hex == Self.referenceRoots[7])
    }

    @Test func incrementalRootsMatchReference() {
        var tree = MerkleTree(hasher: SHA256Hasher())
        var range = CompactRange(hasher: SHA256Hasher())
        for (index, leaf) in Self.referenceLeaves.enumerated() {
            #expect(tree.append(leaf) == index)
            range.append(leaf)
            #expect(tree.rootHash.hex == Self.referenceRoots[index])
            #expect(range.rootHash.hex == Self.referenceRoots[index])
            #expect(range.size == index + 1)
        }
    }

    @Test func aCompactRangeFedLeafHashesMatchesTheReference() throws {
        var tree = MerkleTree(hasher: SHA256Hasher())
        var range = CompactRange(hasher: SHA256Hasher())
        for (index, leaf) in Self.referenceLeaves.enumerated() {
            tree.append(leaf)
            let hash = try #require(tree.leafHash(at: index))
            hash.bytes.withUnsafeBytes { range.append(leafHash: $0) }
            #expect(range.rootHash.hex == Self.referenceRoots[index])
        }
    }

    @Test(arguments: ["sha-256", "sm3"])
    func emptyTreeRootIsHashOfEmptyString(_ name: String) throws {
        let hasher = HasherTests.hasher(named: name)
        let tree = MerkleTree(hasher: hasher)
        #expect(tree.rootHash == hasher.digest([UInt8]()))
        #expect(try tree.rootHash(atSize: 0) == hasher.digest([UInt8]()))
        #expect(CompactRange(hasher: hasher).rootHash == hasher.digest([UInt8]()))
    }

    func expectedLeaf(_ hasher: any LedgerHasher) -> LedgerHash { hasher.digest([0x00, 0x42]) }

    @Test func leafHashesFollowRFC6962() throws {
        let hasher = SHA256Hasher()
        let tree = Self.tree(hasher, Self.referenceLeaves)
        for (index, entry) in Self.referenceLeaves.enumerated() {
            let expected = hasher.digest([0x00] + entry)
            #expect(tree.leafHash(at: index) == expected)
            #expect(MerkleVerifier.leafHash(of: entry, hasher: hasher) == expected)
        }
        #expect(tree.leafHash(at: 8) == nil)
        #expect(tree.leafHash(at: -1) == nil)
        var copy = tree
        #expect(throws: AuditError.self) { try copy.append(leafHash: LedgerHash(bytes: [1, 2, 3])) }
        #expect(copy.size == 8)
        #expect(try copy.append(leafHash: expectedLeaf(hasher)) == 8)
        #expect(copy.leafHash(at: 8) == expectedLeaf(hasher))
    }

    @Test(arguments: ["sha-256", "sm3"])
    func rootsAndProofsMatchNaiveDefinitionForAllSizes(_ name: String) throws {
        let hasher = HasherTests.hasher(named: name)
        let entries = Self.entries(33)
        let tree = Self.tree(hasher, entries)
        let naive = NaiveMerkle(hasher: hasher, entries: entries)
        var roots: [LedgerHash] = []
        for n in 0...entries.count {
            let root = try tree.rootHash(atSize: n)
            #expect(root.bytes == naive.mth(0, n), "root at \(n)")
            roots.append(root)
        }
        for n in 1...entries.count {
            for m in 0..<n {
                let proof = try tree.inclusionProof(forLeafAt: m, treeSize: n)
                #expect(proof.map(\.bytes) == naive.path(m, 0, n), "path \(m) in \(n)")
                let leaf = try #require(tree.leafHash(at: m))
                let check = MerkleVerifier.checkInclusion(
                    leafHash: leaf,
                    index: m,
                    treeSize: n,
                    proof: proof,
                    rootHash: roots[n],
                    hasher: hasher
                )
                #expect(check == .valid, "inclusion \(m) in \(n)")
            }
        }
        for n in 0...entries.count {
            for m in 0...n {
                let proof = try tree.consistencyProof(from: m, to: n)
                #expect(proof.map(\.bytes) == naive.proof(m, n), "proof \(m) to \(n)")
                let check = MerkleVerifier.checkConsistency(
                    oldSize: m,
                    newSize: n,
                    oldRoot: roots[m],
                    newRoot: roots[n],
                    proof: proof,
                    hasher: hasher
                )
                #expect(check == .valid, "consistency \(m) to \(n)")
            }
        }
    }

    @Test func proofGenerationRejectsOutOfRangeArguments() {
        let tree = Self.tree(SHA256Hasher(), Self.entries(5))
        #expect(throws: AuditError.self) { try tree.inclusionProof(forLeafAt: 5, treeSize: 5) }
        #expect(throws: AuditError.self) { try tree.inclusionProof(forLeafAt: -1, treeSize: 5) }
        #expect(throws: AuditError.self) { try tree.inclusionProof(forLeafAt: 0, treeSize: 6) }
        #expect(throws: AuditError.self) { try tree.inclusionProof(forLeafAt: 0, treeSize: 0) }
        #expect(throws: AuditError.self) { try tree.consistencyProof(from: 3, to: 2) }
        #expect(throws: AuditError.self) { try tree.consistencyProof(from: 1, to: 6) }
        #expect(throws: AuditError.self) { try tree.consistencyProof(from: -1, to: 2) }
        #expect(throws: AuditError.self) { try tree.rootHash(atSize: 6) }
        #expect(throws: AuditError.self) { try tree.rootHash(atSize: -1) }
    }
}
