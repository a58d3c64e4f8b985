import Foundation

/// A cryptographic hash function used by an audit ledger: its name, digest size and digest of any bytes.
///
/// The library ships ``SHA256Hasher`` (FIPS 180-4) and ``SM3Hasher`` (GB/T 32905-2016). A host may plug in
/// its own implementation (for example a hardware security module) by conforming to this protocol.
///
/// ## Contract
/// - ``name`` is stable for the life of every ledger that uses the hasher: it is written into the ledger's
///   origin line, and a ledger refuses to reopen with a hasher of another name.
/// - ``hash(_:into:)`` writes exactly ``digestSize`` bytes and accepts any input, including the empty one.
/// - ``hash(prefix:_:_:into:)`` hashes the concatenation `prefix ‖ first ‖ second`; the default
///   implementation copies the three parts into one temporary buffer. The built-in hashers stream the parts
///   without copying. The Merkle tree calls it for leaves (`0x00 ‖ entry`) and nodes (`0x01 ‖ left ‖ right`).
/// - Implementations are pure: the same input always gives the same digest, from any thread.
public protocol LedgerHasher: Sendable {
    /// The algorithm's stable name, e.g. `"sha-256"` or `"sm3"`.
    var name: String { get }
    /// The number of bytes in a digest.
    var digestSize: Int { get }

    /// Writes the digest of `message` into `output`.
    /// - Parameters:
    ///   - message: The bytes to hash; may be empty.
    ///   - output: At least ``digestSize`` writable bytes; the first ``digestSize`` receive the digest.
    func hash(_ message: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer)

    /// Writes the digest of `prefix ‖ first ‖ second` into `output`.
    /// - Parameters:
    ///   - prefix: One leading byte (the RFC 6962 domain separator).
    ///   - first: The first part; may be empty.
    ///   - second: The second part; may be empty.
    ///   - output: At least ``digestSize`` writable bytes.
    func hash(
        prefix: UInt8,
        _ first: UnsafeRawBufferPointer,
        _ second: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    )
}

extension LedgerHasher {
    /// Concatenates the parts into one temporary buffer and hashes it (hosts' hashers get this for free).
    public func hash(
        prefix: UInt8,
        _ first: UnsafeRawBufferPointer,
        _ second: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) {
        let total = 1 + first.count + second.count
        withUnsafeTemporaryAllocation(byteCount: total, alignment: 8) { buffer in
            buffer[0] = prefix
            if first.count > 0 {
                UnsafeMutableRawBufferPointer(rebasing: buffer[1..<(1 + first.count)]).copyMemory(from: first)
            }
            if second.count > 0 {
                UnsafeMutableRawBufferPointer(rebasing: buffer[(1 + first.count)...]).copyMemory(from: second)
            }
            hash(UnsafeRawBufferPointer(buffer), into: output)
        }
    }

    /// The digest of `bytes`.
    /// - Parameter bytes: Any contiguous bytes (`[UInt8]`, `Data`, ...), including none.
    /// - Returns: A ``LedgerHash`` of ``digestSize`` bytes.
    public func digest(_ bytes: some ContiguousBytes) -> LedgerHash {
        var out = [UInt8](repeating: 0, count: digestSize)
        bytes.withUnsafeBytes { input in
            out.withUnsafeMutableBytes { hash(input, into: $0) }
        }
        return LedgerHash(bytes: out)
    }

    /// The digest of the UTF-8 bytes of `text`.
    /// - Parameter text: The text to hash.
    /// - Returns: A ``LedgerHash`` of ``digestSize`` bytes.
    public func digest(utf8 text: String) -> LedgerHash {
        digest(Array(text.utf8))
    }
}

/// The compression function of a Merkle–Damgård hash with 64-byte blocks and a 64-bit big-endian bit length.
protocol MDCompressor {
    /// The initial chaining value.
    init()
    /// Compresses `blocks` consecutive 64-byte blocks starting at `data`.
    mutating func compress(_ data: UnsafeRawPointer, blocks: Int)
    /// Writes the 32-byte big-endian chaining value.
    func store(into output: UnsafeMutableRawPointer)
}

/// Streaming buffering and padding shared by SHA-256 and SM3 (both use the same padding rule).
struct MDStream<Compressor: MDCompressor> {
    private var compressor = Compressor()
    private var buffer: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    private var buffered = 0
    private var length: UInt64 = 0

    init() {}

    mutating func update(byte: UInt8) {
        var value = byte
        withUnsafeBytes(of: &value) { update($0) }
    }

    mutating func update(_ input: UnsafeRawBufferPointer) {
        guard var pointer = input.baseAddress, input.count > 0 else { return }
        var remaining = input.count
        length &+= UInt64(remaining)
        if buffered > 0 {
            let take = min(64 - buffered, remaining)
            let offset = buffered
            withUnsafeMutableBytes(of: &buffer) { raw in
                if let base = raw.baseAddress { (base + offset).copyMemory(from: pointer, byteCount: take) }
            }
            buffered += take
            pointer += take
            remaining -= take
            if buffered < 64 { return }
            var block = buffer
            withUnsafeBytes(of: &block) { raw in
                if let base = raw.baseAddress { compressor.compress(base, blocks: 1) }
            }
            buffered = 0
        }
        let whole = remaining / 64
        if whole > 0 {
            compressor.compress(pointer, blocks: whole)
            pointer += whole * 64
            remaining -= whole * 64
        }
        if remaining > 0 {
            let tail = remaining
            withUnsafeMutableBytes(of: &buffer) { raw in
                if let base = raw.baseAddress { base.copyMemory(from: pointer, byteCount: tail) }
            }
            buffered = tail
        }
    }

    mutating func finish(into output: UnsafeMutableRawPointer) {
        let bitLength = length &* 8
        var block = buffer
        let used = buffered
        withUnsafeMutableBytes(of: &block) { raw in
            guard let base = raw.baseAddress else { return }
            raw[used] = 0x80
            for index in (used + 1)..<64 { raw[index] = 0 }
            if used >= 56 {
                compressor.compress(base, blocks: 1)
                for index in 0..<64 { raw[index] = 0 }
            }
            raw.storeBytes(of: bitLength.bigEndian, toByteOffset: 56, as: UInt64.self)
            compressor.compress(base, blocks: 1)
        }
        compressor.store(into: output)
    }
}

@inline(__always)
func rotateLeft(_ value: UInt32, _ count: UInt32) -> UInt32 {
    (value &<< count) | (value &>> (32 &- count))
}

@inline(__always)
func rotateRight(_ value: UInt32, _ count: UInt32) -> UInt32 {
    (value &>> count) | (value &<< (32 &- count))
}

extension LedgerHasher {
    /// Runs an MD stream over `prefix ‖ first ‖ second`.
    static func streamHash<C: MDCompressor>(
        _ type: C.Type,
        prefix: UInt8,
        _ first: UnsafeRawBufferPointer,
        _ second: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) {
        guard let out = output.baseAddress else { return }
        let total = 1 + first.count + second.count
        if total + 9 <= 128 {
            // Short inputs (Merkle nodes, small leaves): lay out the padded message once, compress it in one go.
            withUnsafeTemporaryAllocation(byteCount: 128, alignment: 8) { buffer in
                guard let base = buffer.baseAddress else { return }
                buffer.initializeMemory(as: UInt8.self, repeating: 0)
                buffer[0] = prefix
                if let source = first.baseAddress { (base + 1).copyMemory(from: source, byteCount: first.count) }
                if let source = second.baseAddress {
                    (base + 1 + first.count).copyMemory(from: source, byteCount: second.count)
                }
                buffer[total] = 0x80
                let blocks = total + 9 <= 64 ? 1 : 2
                buffer.storeBytes(
                    of: (UInt64(total) &* 8).bigEndian,
                    toByteOffset: blocks * 64 - 8,
                    as: UInt64.self
                )
                var compressor = C()
                compressor.compress(base, blocks: blocks)
                compressor.store(into: out)
            }
            return
        }
        var stream = MDStream<C>()
        stream.update(byte: prefix)
        stream.update(first)
        stream.update(second)
        stream.finish(into: out)
    }
}
