/// HMAC (RFC 2104) over a hasher with 64-byte blocks (SHA-256, SM3).
///
/// Package-internal: the test kit's `TestCheckpointSigner` and the demo's shared key use it. A MAC is not a
/// signature — whoever can verify can sign — so no production signer is built on it.
package func hmac(_ hasher: any LedgerHasher, key: [UInt8], message: [UInt8]) -> [UInt8] {
    var block = key.count > 64 ? hasher.digest(key).bytes : key
    block += [UInt8](repeating: 0, count: 64 - block.count)
    let inner = hasher.digest(block.map { $0 ^ 0x36 } + message).bytes
    return hasher.digest(block.map { $0 ^ 0x5c } + inner).bytes
}

/// Compares two byte strings in time independent of where they differ.
package func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for (x, y) in zip(a, b) { difference |= x ^ y }
    return difference == 0
}

/// The key id of a shared-key signer: the first 4 bytes of SHA-256(name ‖ "\n" ‖ 0xff ‖ key).
package func sharedKeyID(name: String, key: [UInt8]) -> [UInt8] {
    Array(SHA256Hasher().digest(Array(name.utf8) + [0x0a, 0xff] + key).bytes.prefix(4))
}
