#if OpenSSL
import CPublicDataOpenSSL
import PublicDataAudit

/// A digest algorithm fetched from libcrypto once and released with the last hasher using it.
final class FetchedDigest: @unchecked Sendable {
    let md: OpaquePointer

    init?(_ name: String) {
        guard let md = EVP_MD_fetch(nil, name, nil) else {
            ERR_clear_error()
            return nil
        }
        self.md = md
    }

    deinit { EVP_MD_free(md) }
}

/// SHA-256 or SM3 computed by the system's libcrypto (OpenSSL 3), which uses the CPU's hash instructions
/// (SHA-NI, ARMv8 SHA) where present.
///
/// Same ``name``s and digests as ``SHA256Hasher`` and ``SM3Hasher``, so a ledger may switch between them; the
/// built-in Swift hashers stay the default. Available with the package trait `OpenSSL`.
public struct OpenSSLHasher: LedgerHasher {
    /// The algorithms libcrypto provides here.
    public enum Algorithm: String, Sendable, CaseIterable {
        /// SHA-256 (FIPS 180-4), named `sha-256`.
        case sha256 = "sha-256"
        /// SM3 (GB/T 32905-2016), named `sm3`.
        case sm3 = "sm3"
    }

    /// `sha-256` or `sm3`.
    public let name: String
    /// 32.
    public let digestSize = 32
    private let digest: FetchedDigest

    /// Fetches the algorithm from libcrypto.
    /// - Parameter algorithm: SHA-256 or SM3.
    /// - Throws: ``AuditError`` `invalidArgument` when the libcrypto in use lacks the algorithm.
    public init(_ algorithm: Algorithm) throws(AuditError) {
        guard let digest = FetchedDigest(algorithm == .sha256 ? "SHA256" : "SM3") else {
            throw AuditError(code: .invalidArgument, message: "libcrypto provides no \(algorithm.rawValue)")
        }
        self.name = algorithm.rawValue
        self.digest = digest
    }

    /// Writes the digest of `message` into `output`.
    public func hash(_ message: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        run(nil, message, empty, into: output)
    }

    /// Writes the digest of `prefix ‖ first ‖ second` into `output`, without copying the parts.
    public func hash(
        prefix: UInt8,
        _ first: UnsafeRawBufferPointer,
        _ second: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) {
        run(prefix, first, second, into: output)
    }

    private func run(
        _ prefix: UInt8?,
        _ first: UnsafeRawBufferPointer,
        _ second: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) {
        guard let context = EVP_MD_CTX_new() else { fatalError("libcrypto is out of memory") }
        defer { EVP_MD_CTX_free(context) }
        var ok = EVP_DigestInit_ex2(context, digest.md, nil) == 1
        if var byte = prefix {
            ok = ok && EVP_DigestUpdate(context, &byte, 1) == 1
        }
        if first.count > 0 { ok = ok && EVP_DigestUpdate(context, first.baseAddress, first.count) == 1 }
        if second.count > 0 { ok = ok && EVP_DigestUpdate(context, second.baseAddress, second.count) == 1 }
        var length: UInt32 = 0
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Int(EVP_MAX_MD_SIZE)) { buffer in
            ok = ok && EVP_DigestFinal_ex(context, buffer.baseAddress, &length) == 1
            precondition(ok && Int(length) == digestSize, "libcrypto failed to hash")
            output.copyMemory(from: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[0..<digestSize]))
        }
    }
}
#endif
