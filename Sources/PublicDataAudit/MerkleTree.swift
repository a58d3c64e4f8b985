import Foundation

/// An append-only Merkle tree with RFC 6962 / RFC 9162 hashing, its roots at every size, and its proofs.
///
/// - A leaf hash is `H(0x00 ‖ entry)`, an interior node `H(0x01 ‖ left ‖ right)`; the root of the empty tree
///   is the hash of the empty string. The tree of `n` leaves splits at the largest power of two below `n`.
/// - ``append(_:)`` touches only the compact range (the roots of the complete subtrees that make up the tree,
///   one per set bit of ``size``): O(log n) hashes in the worst case, one on average.
/// - To answer ``rootHash(atSize:)``, ``inclusionProof(forLeafAt:treeSize:)`` and
///   ``consistencyProof(from:to:)`` for *any* earlier size in O(log n), the tree keeps every complete
///   subtree's hash: the leaf hashes plus about as many interior hashes, i.e. about `2 × digestSize` bytes per
///   entry (64 MB per million entries with a 32-byte hash). ``CompactRange`` keeps only the O(log n) state
///   when no proofs are needed.
///
/// ```swift
/// var tree = MerkleTree(hasher: SHA256Hasher())
/// tree.append(Array("hello".utf8))
/// let proof = try tree.inclusionProof(forLeafAt: 0, treeSize: 1)
/// ```
public struct MerkleTree: Sendable {
    /// The hash function.
    public let hasher: any LedgerHasher
    /// The hasher's digest size, in bytes.
    public let digestSize: Int
    /// `levels[k]` holds the hashes of the complete subtrees of height `k`, left to right, flat.
    private var levels: [[UInt8]]
    /// The number of leaves.
    public private(set) var size: Int = 0

    /// Creates an empty tree.
    /// - Parameter hasher: The hash function, fixed for the tree's life.
    public init(hasher: any LedgerHasher) {
        self.hasher = hasher
        self.digestSize = hasher.digestSize
        self.levels = [[]]
    }

    /// Reserves room for `count` leaves (avoids re-growing the storage while appending many entries).
    /// - Parameter count: The expected number of leaves.
    public mutating func reserveCapacity(_ count: Int) {
        var width = max(0, count)
        var level = 0
        while width > 0 {
            if levels.count == level { levels.append([]) }
            levels[level].reserveCapacity(width * digestSize)
            width /= 2
            level += 1
        }
    }

    /// Appends an entry as one leaf.
    /// - Parameter entry: The entry's bytes (its leaf hash is `H(0x00 ‖ entry)`).
    /// - Returns: The new leaf's index.
    @discardableResult
    public mutating func append(_ entry: some ContiguousBytes) -> Int {
        entry.withUnsafeBytes { append(bytes: $0) }
    }

    /// Appends an entry given as raw bytes.
    /// - Parameter bytes: The entry's bytes.
    /// - Returns: The new leaf's index.
    @discardableResult
    public mutating func append(bytes: UnsafeRawBufferPointer) -> Int {
        let size = digestSize
        return withUnsafeTemporaryAllocation(byteCount: size, alignment: 8) { leaf in
            hasher.hash(prefix: 0x00, bytes, UnsafeRawBufferPointer(start: nil, count: 0), into: leaf)
            return appendLeaf(UnsafeRawBufferPointer(leaf))
        }
    }

    /// Appends a leaf whose hash (`H(0x00 ‖ entry)`) is already known.
    /// - Parameter leafHash: The leaf hash.
    /// - Returns: The new leaf's index.
    /// - Throws: ``AuditError`` `invalidArgument` when the digest has the wrong size.
    @discardableResult
    public mutating func append(leafHash: LedgerHash) throws(AuditError) -> Int {
        guard leafHash.count == digestSize else {
            throw AuditError(
                code: .invalidArgument,
                message: "a leaf hash has \(leafHash.count) bytes, expected \(digestSize)"
            )
        }
        return leafHash.bytes.withUnsafeBytes { appendLeaf($0) }
    }

    private mutating func appendLeaf(_ leaf: UnsafeRawBufferPointer) -> Int {
        let index = size
        let width = digestSize
        levels[0].append(contentsOf: leaf)
        size += 1
        var position = index
        var level = 0
        withUnsafeTemporaryAllocation(byteCount: width, alignment: 8) { node in
            while position & 1 == 1 {
                let right = position
                levels[level].withUnsafeBytes { hashes in
                    hasher.hash(
                        prefix: 0x01,
                        UnsafeRawBufferPointer(rebasing: hashes[(right - 1) * width..<right * width]),
                        UnsafeRawBufferPointer(rebasing: hashes[right * width..<(right + 1) * width]),
                        into: node
                    )
                }
                if levels.count == level + 1 { levels.append([]) }
                levels[level + 1].append(contentsOf: UnsafeRawBufferPointer(node))
                position >>= 1
                level += 1
            }
        }
        return index
    }

    /// The hash of the leaf at `index`, or `nil` when `index` is not below ``size``.
    public func leafHash(at index: Int) -> LedgerHash? {
        guard index >= 0, index < size else { return nil }
        return LedgerHash(bytes: Array(levels[0][index * digestSize..<(index + 1) * digestSize]))
    }

    /// The leaf hashes of `range`, concatenated.
    func leafHashes(_ range: Range<Int>) -> [UInt8] {
        Array(levels[0][(range.lowerBound * digestSize)..<(range.upperBound * digestSize)])
    }

    /// Whether the leaf at `index` has exactly the hash in `bytes`.
    func leafHash(at index: Int, equals bytes: UnsafeRawBufferPointer) -> Bool {
        guard index >= 0, index < size, bytes.count == digestSize else { return false }
        return levels[0].withUnsafeBytes { hashes in
            UnsafeRawBufferPointer(rebasing: hashes[index * digestSize..<(index + 1) * digestSize])
                .elementsEqual(bytes)
        }
    }

    /// The root hash of the whole tree (the hash of the empty string when the tree is empty).
    public var rootHash: LedgerHash {
        subtreeDigest(0, size)
    }

    /// The root hash the tree had when it held `treeSize` leaves.
    /// - Parameter treeSize: A size from 0 to ``size``.
    /// - Returns: The root hash at that size.
    /// - Throws: ``AuditError`` `invalidArgument` when `treeSize` is negative or beyond ``size``.
    public func rootHash(atSize treeSize: Int) throws(AuditError) -> LedgerHash {
        guard treeSize >= 0, treeSize <= size else {
            throw AuditError(code: .invalidArgument, message: "tree size \(treeSize) is outside 0...\(size)")
        }
        return subtreeDigest(0, treeSize)
    }

    /// The inclusion proof (audit path, RFC 6962 §2.1.1) of leaf `index` in the tree of size `treeSize`.
    /// - Parameters:
    ///   - index: The leaf's index, below `treeSize`.
    ///   - treeSize: A size from 1 to ``size``.
    /// - Returns: The sibling hashes from the leaf up to the root.
    /// - Throws: ``AuditError`` `invalidArgument` when the index or size is out of range.
    public func inclusionProof(forLeafAt index: Int, treeSize: Int) throws(AuditError) -> [LedgerHash] {
        guard treeSize >= 1, treeSize <= size else {
            throw AuditError(code: .invalidArgument, message: "tree size \(treeSize) is outside 1...\(size)")
        }
        guard index >= 0, index < treeSize else {
            throw AuditError(code: .invalidArgument, message: "leaf index \(index) is not below tree size \(treeSize)")
        }
        var proof: [LedgerHash] = []
        path(index, 0, treeSize, &proof)
        return proof
    }

    /// The consistency proof (RFC 6962 §2.1.2) that the tree of size `oldSize` is a prefix of the tree of
    /// size `newSize`.
    /// - Parameters:
    ///   - oldSize: The earlier size, from 0 to `newSize`.
    ///   - newSize: The later size, up to ``size``.
    /// - Returns: The proof; empty when `oldSize` is 0 or equals `newSize`.
    /// - Throws: ``AuditError`` `invalidArgument` when the sizes are out of range or out of order.
    public func consistencyProof(from oldSize: Int, to newSize: Int) throws(AuditError) -> [LedgerHash] {
        guard newSize >= 0, newSize <= size else {
            throw AuditError(code: .invalidArgument, message: "tree size \(newSize) is outside 0...\(size)")
        }
        guard oldSize >= 0, oldSize <= newSize else {
            throw AuditError(code: .invalidArgument, message: "old size \(oldSize) is outside 0...\(newSize)")
        }
        guard oldSize > 0, oldSize < newSize else { return [] }
        var proof: [LedgerHash] = []
        subproof(oldSize, 0, newSize, true, &proof)
        return proof
    }

    // MARK: - Internals

    private func path(_ index: Int, _ low: Int, _ high: Int, _ proof: inout [LedgerHash]) {
        let count = high - low
        guard count > 1 else { return }
        let split = largestPowerOfTwo(below: count)
        if index < split {
            path(index, low, low + split, &proof)
            proof.append(subtreeDigest(low + split, high))
        } else {
            path(index - split, low + split, high, &proof)
            proof.append(subtreeDigest(low, low + split))
        }
    }

    private func subproof(_ oldCount: Int, _ low: Int, _ high: Int, _ complete: Bool, _ proof: inout [LedgerHash]) {
        let count = high - low
        if oldCount == count {
            if !complete { proof.append(subtreeDigest(low, high)) }
            return
        }
        let split = largestPowerOfTwo(below: count)
        if oldCount <= split {
            subproof(oldCount, low, low + split, complete, &proof)
            proof.append(subtreeDigest(low + split, high))
        } else {
            subproof(oldCount - split, low + split, high, false, &proof)
            proof.append(subtreeDigest(low, low + split))
        }
    }

    private func subtreeDigest(_ low: Int, _ high: Int) -> LedgerHash {
        var out = [UInt8](repeating: 0, count: digestSize)
        out.withUnsafeMutableBytes { subtreeHash(low, high, into: $0) }
        return LedgerHash(bytes: out)
    }

    /// Writes MTH(D[low:high]) into `output`; every complete aligned subtree is read from storage.
    private func subtreeHash(_ low: Int, _ high: Int, into output: UnsafeMutableRawBufferPointer) {
        let count = high - low
        if count == 0 {
            hasher.hash(UnsafeRawBufferPointer(start: nil, count: 0), into: output)
            return
        }
        if count & (count - 1) == 0, low % count == 0 {
            let level = count.trailingZeroBitCount
            let index = low >> level
            let width = digestSize
            levels[level].withUnsafeBytes { hashes in
                output.copyMemory(from: UnsafeRawBufferPointer(rebasing: hashes[index * width..<(index + 1) * width]))
            }
            return
        }
        let split = largestPowerOfTwo(below: count)
        let width = digestSize
        withUnsafeTemporaryAllocation(byteCount: 2 * width, alignment: 8) { pair in
            let left = UnsafeMutableRawBufferPointer(rebasing: pair[0..<width])
            let right = UnsafeMutableRawBufferPointer(rebasing: pair[width..<2 * width])
            subtreeHash(low, low + split, into: left)
            subtreeHash(low + split, high, into: right)
            hasher.hash(prefix: 0x01, UnsafeRawBufferPointer(left), UnsafeRawBufferPointer(right), into: output)
        }
    }
}

/// The largest power of two strictly below `count` (`count` ≥ 2).
func largestPowerOfTwo(below count: Int) -> Int {
    1 << (Int.bitWidth - 1 - (count - 1).leadingZeroBitCount)
}

/// The O(log n) state of an append-only Merkle tree: the roots of its complete subtrees.
///
/// Use it to compute the root of a long sequence of entries (for example the whole event log) without
/// keeping every leaf; it gives the same roots as ``MerkleTree`` but no proofs.
public struct CompactRange: Sendable {
    /// The hash function.
    public let hasher: any LedgerHasher
    /// The number of leaves appended.
    public private(set) var size: Int = 0
    /// The subtree roots, largest (leftmost) first, flat.
    private var stack: [UInt8] = []

    /// Creates an empty range.
    /// - Parameter hasher: The hash function.
    public init(hasher: any LedgerHasher) {
        self.hasher = hasher
    }

    /// Appends an entry as one leaf.
    /// - Parameter entry: The entry's bytes.
    public mutating func append(_ entry: some ContiguousBytes) {
        entry.withUnsafeBytes { append(bytes: $0) }
    }

    /// Appends an entry given as raw bytes.
    /// - Parameter bytes: The entry's bytes.
    public mutating func append(bytes: UnsafeRawBufferPointer) {
        let width = hasher.digestSize
        withUnsafeTemporaryAllocation(byteCount: width, alignment: 8) { leaf in
            hasher.hash(prefix: 0x00, bytes, UnsafeRawBufferPointer(start: nil, count: 0), into: leaf)
            append(leafHash: UnsafeRawBufferPointer(leaf))
        }
    }

    /// Appends a leaf whose hash (`H(0x00 ‖ entry)`) is already known.
    /// - Parameter leafHash: The leaf hash; exactly ``LedgerHasher/digestSize`` bytes.
    public mutating func append(leafHash: UnsafeRawBufferPointer) {
        let width = hasher.digestSize
        precondition(leafHash.count == width, "a leaf hash has \(leafHash.count) bytes, expected \(width)")
        withUnsafeTemporaryAllocation(byteCount: 2 * width, alignment: 8) { pair in
            let hash = UnsafeMutableRawBufferPointer(rebasing: pair[0..<width])
            let scratch = UnsafeMutableRawBufferPointer(rebasing: pair[width..<2 * width])
            hash.copyMemory(from: leafHash)
            var position = size
            while position & 1 == 1 {
                let start = stack.count - width
                stack.withUnsafeBytes { roots in
                    hasher.hash(
                        prefix: 0x01,
                        UnsafeRawBufferPointer(rebasing: roots[start...]),
                        UnsafeRawBufferPointer(hash),
                        into: scratch
                    )
                }
                stack.removeLast(width)
                hash.copyMemory(from: UnsafeRawBufferPointer(scratch))
                position >>= 1
            }
            stack.append(contentsOf: UnsafeRawBufferPointer(hash))
        }
        size += 1
    }

    /// The root hash of the leaves appended so far.
    public var rootHash: LedgerHash {
        let width = hasher.digestSize
        guard !stack.isEmpty else { return hasher.digest([UInt8]()) }
        var root = Array(stack[(stack.count - width)...])
        var end = stack.count - width
        var next = [UInt8](repeating: 0, count: width)
        while end > 0 {
            let start = end - width
            stack.withUnsafeBytes { roots in
                root.withUnsafeBytes { right in
                    next.withUnsafeMutableBytes { out in
                        hasher.hash(
                            prefix: 0x01,
                            UnsafeRawBufferPointer(rebasing: roots[start..<end]),
                            right,
                            into: out
                        )
                    }
                }
            }
            swap(&root, &next)
            end = start
        }
        return LedgerHash(bytes: root)
    }
}
