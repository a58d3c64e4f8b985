/// SM3 (GB/T 32905-2016, 国密), written in Swift: 32-byte digests, name `"sm3"`.
///
/// The inner loop works on unsafe buffers and allocates nothing per byte or per block.
///
/// ```swift
/// SM3Hasher().digest(utf8: "abc").hex
/// // "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
/// ```
public struct SM3Hasher: LedgerHasher, Hashable {
    /// Creates the hasher.
    public init() {}

    /// `"sm3"`.
    public var name: String { "sm3" }

    /// 32.
    public var digestSize: Int { 32 }

    /// Writes the SM3 digest of `message` into `output` (32 bytes).
    public func hash(_ message: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
        var stream = MDStream<SM3Compressor>()
        stream.update(message)
        if let base = output.baseAddress { stream.finish(into: base) }
    }

    /// Writes the SM3 digest of `prefix ‖ first ‖ second` into `output`, without copying the parts.
    public func hash(
        prefix: UInt8,
        _ first: UnsafeRawBufferPointer,
        _ second: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) {
        Self.streamHash(SM3Compressor.self, prefix: prefix, first, second, into: output)
    }
}

/// `rotl(T_j, j mod 32)` for j in 0..<64.
private let sm3RotatedConstants: [UInt32] = (0..<64).map { j in
    let t: UInt32 = j < 16 ? 0x79cc_4519 : 0x7a87_9d8a
    return rotateLeft(t, UInt32(j % 32))
}

struct SM3Compressor: MDCompressor {
    private var v0: UInt32 = 0x7380_166f
    private var v1: UInt32 = 0x4914_b2b9
    private var v2: UInt32 = 0x1724_42d7
    private var v3: UInt32 = 0xda8a_0600
    private var v4: UInt32 = 0xa96f_30bc
    private var v5: UInt32 = 0x1631_38aa
    private var v6: UInt32 = 0xe38d_ee4d
    private var v7: UInt32 = 0xb0fb_0e4e

    init() {}

    @inline(__always)
    private static func p1(_ x: UInt32) -> UInt32 { x ^ rotateLeft(x, 15) ^ rotateLeft(x, 23) }

    mutating func compress(_ data: UnsafeRawPointer, blocks: Int) {
        var s0 = v0
        var s1 = v1
        var s2 = v2
        var s3 = v3
        var s4 = v4
        var s5 = v5
        var s6 = v6
        var s7 = v7
        sm3RotatedConstants.withUnsafeBufferPointer { t in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 68) { w in
                for blockIndex in 0..<blocks {
                    let block = data + blockIndex &* 64
                    for i in 0..<16 {
                        w[i] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: i &* 4, as: UInt32.self))
                    }
                    for j in 16..<68 {
                        let mixed = w[j &- 16] ^ w[j &- 9] ^ rotateLeft(w[j &- 3], 15)
                        w[j] = Self.p1(mixed) ^ rotateLeft(w[j &- 13], 7) ^ w[j &- 6]
                    }
                    var a = s0
                    var b = s1
                    var c = s2
                    var d = s3
                    var e = s4
                    var f = s5
                    var g = s6
                    var h = s7
                    var j = 0
                    while j < 16 {
                        sm3Round(a, &b, c, &d, e, &f, g, &h, t[j], w[j], w[j &+ 4], low: true)
                        sm3Round(d, &a, b, &c, h, &e, f, &g, t[j &+ 1], w[j &+ 1], w[j &+ 5], low: true)
                        sm3Round(c, &d, a, &b, g, &h, e, &f, t[j &+ 2], w[j &+ 2], w[j &+ 6], low: true)
                        sm3Round(b, &c, d, &a, f, &g, h, &e, t[j &+ 3], w[j &+ 3], w[j &+ 7], low: true)
                        j &+= 4
                    }
                    while j < 64 {
                        sm3Round(a, &b, c, &d, e, &f, g, &h, t[j], w[j], w[j &+ 4], low: false)
                        sm3Round(d, &a, b, &c, h, &e, f, &g, t[j &+ 1], w[j &+ 1], w[j &+ 5], low: false)
                        sm3Round(c, &d, a, &b, g, &h, e, &f, t[j &+ 2], w[j &+ 2], w[j &+ 6], low: false)
                        sm3Round(b, &c, d, &a, f, &g, h, &e, t[j &+ 3], w[j &+ 3], w[j &+ 7], low: false)
                        j &+= 4
                    }
                    s0 ^= a
                    s1 ^= b
                    s2 ^= c
                    s3 ^= d
                    s4 ^= e
                    s5 ^= f
                    s6 ^= g
                    s7 ^= h
                }
            }
        }
        v0 = s0
        v1 = s1
        v2 = s2
        v3 = s3
        v4 = s4
        v5 = s5
        v6 = s6
        v7 = s7
    }

    func store(into output: UnsafeMutableRawPointer) {
        output.storeBytes(of: v0.bigEndian, toByteOffset: 0, as: UInt32.self)
        output.storeBytes(of: v1.bigEndian, toByteOffset: 4, as: UInt32.self)
        output.storeBytes(of: v2.bigEndian, toByteOffset: 8, as: UInt32.self)
        output.storeBytes(of: v3.bigEndian, toByteOffset: 12, as: UInt32.self)
        output.storeBytes(of: v4.bigEndian, toByteOffset: 16, as: UInt32.self)
        output.storeBytes(of: v5.bigEndian, toByteOffset: 20, as: UInt32.self)
        output.storeBytes(of: v6.bigEndian, toByteOffset: 24, as: UInt32.self)
        output.storeBytes(of: v7.bigEndian, toByteOffset: 28, as: UInt32.self)
    }
}

/// One SM3 round with the working variables renamed instead of shifted: `b ⋘= 9`, `f ⋘= 19`,
/// `d = TT1` (the new A), `h = P0(TT2)` (the new E).
@inline(__always)
private func sm3Round(
    _ a: UInt32,
    _ b: inout UInt32,
    _ c: UInt32,
    _ d: inout UInt32,
    _ e: UInt32,
    _ f: inout UInt32,
    _ g: UInt32,
    _ h: inout UInt32,
    _ t: UInt32,
    _ w: UInt32,
    _ w4: UInt32,
    low: Bool
) {
    let a12 = rotateLeft(a, 12)
    let ss1 = rotateLeft(a12 &+ e &+ t, 7)
    let ss2 = ss1 ^ a12
    let ff = low ? a ^ b ^ c : (a & b) | (c & (a | b))
    let gg = low ? e ^ f ^ g : g ^ (e & (f ^ g))
    let tt1 = ff &+ d &+ ss2 &+ (w ^ w4)
    let tt2 = gg &+ h &+ ss1 &+ w
    b = rotateLeft(b, 9)
    f = rotateLeft(f, 19)
    d = tt1
    h = tt2 ^ rotateLeft(tt2, 9) ^ rotateLeft(tt2, 17)
}
