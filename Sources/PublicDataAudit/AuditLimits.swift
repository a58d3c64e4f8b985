import Foundation

/// Size limits for the documents an auditor feeds the audit layer; a host may lower or raise them.
///
/// Every limit is checked **before** the document is parsed, so a hostile input costs at most its limit in
/// memory. An input over a limit throws ``AuditError`` with code `limitExceeded`.
///
/// | Limit | Default | Applies to |
/// |-------|---------|-----------|
/// | ``maximumProofHashes`` | 128 | inclusion and consistency proofs (a tree of 2⁶³ leaves needs at most 126) |
/// | ``maximumCheckpointBytes`` | 64 KiB | a signed checkpoint's text (body and signature lines) |
/// | ``maximumSignatures`` | 64 | signature lines of one signed checkpoint |
/// | ``maximumBundleBytes`` | 64 MiB | a proof bundle's JSON, including the entry |
public struct AuditLimits: Sendable, Hashable {
    /// The most hashes in one Merkle proof.
    public var maximumProofHashes: Int
    /// The most bytes in one signed checkpoint text.
    public var maximumCheckpointBytes: Int
    /// The most signature lines in one signed checkpoint.
    public var maximumSignatures: Int
    /// The most bytes in one proof bundle.
    public var maximumBundleBytes: Int

    /// Creates limits (the defaults are those of ``default``).
    public init(
        maximumProofHashes: Int = 128,
        maximumCheckpointBytes: Int = 64 << 10,
        maximumSignatures: Int = 64,
        maximumBundleBytes: Int = 64 << 20
    ) {
        self.maximumProofHashes = maximumProofHashes
        self.maximumCheckpointBytes = maximumCheckpointBytes
        self.maximumSignatures = maximumSignatures
        self.maximumBundleBytes = maximumBundleBytes
    }

    /// The documented defaults.
    public static let `default` = AuditLimits()

    /// Throws `limitExceeded` when `count` is above `limit`.
    func check(_ count: Int, _ limit: Int, _ what: String) throws(AuditError) {
        guard count <= limit else {
            throw AuditError(code: .limitExceeded, message: "\(what) has \(count), above the limit of \(limit)")
        }
    }

    /// Reads a proof written one canonical base64 hash per line (as in C2SP tlog-proof).
    /// - Parameter text: The lines; a final newline is optional, blank lines are not allowed.
    /// - Returns: The hashes.
    /// - Throws: ``AuditError`` `limitExceeded` beyond ``maximumProofHashes``, `malformedDocument` for a line
    ///   that is not canonical base64.
    public func parseProofLines(_ text: String) throws(AuditError) -> [LedgerHash] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        try check(lines.count, maximumProofHashes, "the proof (hashes)")
        var proof: [LedgerHash] = []
        for (number, line) in lines.enumerated() {
            guard let bytes = Base64.decodeCanonical(String(line)), !bytes.isEmpty else {
                throw AuditError(
                    code: .malformedDocument,
                    message: "proof line \(number + 1) is not a canonical base64 hash"
                )
            }
            proof.append(LedgerHash(bytes: bytes))
        }
        return proof
    }
}
