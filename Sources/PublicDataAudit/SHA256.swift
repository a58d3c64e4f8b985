/// SHA-256 (FIPS 180-4), written in Swift: 32-byte digests, name `"sha-256"`.
///
/// The inner loop works on unsafe buffers and allocates nothing per byte or per block.
///
/// ```swift
/// SHA256Hasher().digest(utf8: "abc").hex
/// // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// ```
public struct SHA256Hasher: LedgerHasher, Hashable {
    /// Creates the hasher.
    public init() {}

    /// `"sha-256"`.
    public var name: String { "sha-256" }

    /// 32.
    public var digestSize: Int { 32 }

    /// Writes the SHA-256 digest of `message` into `output` (32 bytes).
    public func hash(_ message: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
        var stream = MDStream<SHA256Compressor>()
        stream.update(message)
        if let base = output.baseAddress { stream.finish(into: base) }
    }

    /// Writes the SHA-256 digest of `prefix ‖ first ‖ second` into `output`, without copying the parts.
    public func hash(
        prefix: UInt8,
        _ first: UnsafeRawBufferPointer,
        _ second: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) {
        Self.streamHash(SHA256Compressor.self, prefix: prefix, first, second, into: output)
    }
}

private let sha256RoundConstants: [UInt32] = [
    0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
    0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
    0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
    0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
    0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
    0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
    0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
    0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
]

struct SHA256Compressor: MDCompressor {
    private var h0: UInt32 = 0x6a09_e667
    private var h1: UInt32 = 0xbb67_ae85
    private var h2: UInt32 = 0x3c6e_f372
    private var h3: UInt32 = 0xa54f_f53a
    private var h4: UInt32 = 0x510e_527f
    private var h5: UInt32 = 0x9b05_688c
    private var h6: UInt32 = 0x1f83_d9ab
    private var h7: UInt32 = 0x5be0_cd19

    init() {}

    mutating func compress(_ data: UnsafeRawPointer, blocks: Int) {
        var s0 = h0
        var s1 = h1
        var s2 = h2
        var s3 = h3
        var s4 = h4
        var s5 = h5
        var s6 = h6
        var s7 = h7
        sha256RoundConstants.withUnsafeBufferPointer { k in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                for blockIndex in 0..<blocks {
                    let block = data + blockIndex &* 64
                    for i in 0..<16 {
                        w[i] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: i &* 4, as: UInt32.self))
                    }
                    for i in 16..<64 {
                        let x = w[i &- 15]
                        let y = w[i &- 2]
                        let sigma0 = rotateRight(x, 7) ^ rotateRight(x, 18) ^ (x &>> 3)
                        let sigma1 = rotateRight(y, 17) ^ rotateRight(y, 19) ^ (y &>> 10)
                        w[i] = w[i &- 16] &+ sigma0 &+ w[i &- 7] &+ sigma1
                    }
                    var a = s0
                    var b = s1
                    var c = s2
                    var d = s3
                    var e = s4
                    var f = s5
                    var g = s6
                    var h = s7
                    var i = 0
                    while i < 64 {
                        sha256Round(a, b, c, &d, e, f, g, &h, k[i] &+ w[i])
                        sha256Round(h, a, b, &c, d, e, f, &g, k[i &+ 1] &+ w[i &+ 1])
                        sha256Round(g, h, a, &b, c, d, e, &f, k[i &+ 2] &+ w[i &+ 2])
                        sha256Round(f, g, h, &a, b, c, d, &e, k[i &+ 3] &+ w[i &+ 3])
                        sha256Round(e, f, g, &h, a, b, c, &d, k[i &+ 4] &+ w[i &+ 4])
                        sha256Round(d, e, f, &g, h, a, b, &c, k[i &+ 5] &+ w[i &+ 5])
                        sha256Round(c, d, e, &f, g, h, a, &b, k[i &+ 6] &+ w[i &+ 6])
                        sha256Round(b, c, d, &e, f, g, h, &a, k[i &+ 7] &+ w[i &+ 7])
                        i &+= 8
                    }
                    s0 &+= a
                    s1 &+= b
                    s2 &+= c
                    s3 &+= d
                    s4 &+= e
                    s5 &+= f
                    s6 &+= g
                    s7 &+= h
                }
            }
        }
        h0 = s0
        h1 = s1
        h2 = s2
        h3 = s3
        h4 = s4
        h5 = s5
        h6 = s6
        h7 = s7
    }

    func store(into output: UnsafeMutableRawPointer) {
        output.storeBytes(of: h0.bigEndian, toByteOffset: 0, as: UInt32.self)
        output.storeBytes(of: h1.bigEndian, toByteOffset: 4, as: UInt32.self)
        output.storeBytes(of: h2.bigEndian, toByteOffset: 8, as: UInt32.self)
        output.storeBytes(of: h3.bigEndian, toByteOffset: 12, as: UInt32.self)
        output.storeBytes(of: h4.bigEndian, toByteOffset: 16, as: UInt32.self)
        output.storeBytes(of: h5.bigEndian, toByteOffset: 20, as: UInt32.self)
        output.storeBytes(of: h6.bigEndian, toByteOffset: 24, as: UInt32.self)
        output.storeBytes(of: h7.bigEndian, toByteOffset: 28, as: UInt32.self)
    }
}

/// One SHA-256 round with the working variables renamed instead of shifted: `d += T1`, `h = T1 + T2`.
@inline(__always)
private func sha256Round(
    _ a: UInt32,
    _ b: UInt32,
    _ c: UInt32,
    _ d: inout UInt32,
    _ e: UInt32,
    _ f: UInt32,
    _ g: UInt32,
    _ h: inout UInt32,
    _ kw: UInt32
) {
    let t1 = h &+ (rotateRight(e, 6) ^ rotateRight(e, 11) ^ rotateRight(e, 25)) &+ (g ^ (e & (f ^ g))) &+ kw
    let t2 = (rotateRight(a, 2) ^ rotateRight(a, 13) ^ rotateRight(a, 22)) &+ ((a & b) | (c & (a | b)))
    d &+= t1
    h = t1 &+ t2
}
