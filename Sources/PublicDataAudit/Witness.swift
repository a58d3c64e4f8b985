import Foundation

/// The body of a C2SP `tlog-witness` `add-checkpoint` request: an old size, a consistency proof and a signed
/// checkpoint.
///
/// ```text
/// old 20
/// <base64 hash>        (zero to 63 consistency proof lines)
///
/// <signed checkpoint>
/// ```
public struct AddCheckpointRequest: Sendable, Hashable {
    /// The most proof lines a request may carry (C2SP: fewer than 64).
    public static let maximumProofLines = 63

    /// The size of the checkpoint the witness last cosigned for this origin (0 when none), as the log believes.
    public var oldSize: Int
    /// The RFC 6962 consistency proof from ``oldSize`` to the checkpoint's size.
    public var proof: [LedgerHash]
    /// The log-signed checkpoint to cosign.
    public var checkpoint: SignedCheckpoint

    /// Creates a request.
    public init(oldSize: Int, proof: [LedgerHash], checkpoint: SignedCheckpoint) {
        self.oldSize = oldSize
        self.proof = proof
        self.checkpoint = checkpoint
    }

    /// The request body text.
    public var text: String {
        "old \(oldSize)\n" + proof.map { $0.base64 + "\n" }.joined() + "\n" + checkpoint.text
    }

    /// Parses a request body.
    /// - Parameters:
    ///   - text: The body.
    ///   - limits: The size limits for the checkpoint.
    /// - Returns: The request.
    /// - Throws: ``AuditError`` `malformedDocument` (including a size with leading zeros, more than 63 proof
    ///   lines, non-canonical base64) or `limitExceeded`.
    public static func parse(_ text: String, limits: AuditLimits = .default) throws(AuditError) -> AddCheckpointRequest
    {
        func fail(_ message: String) -> AuditError {
            AuditError(code: .malformedDocument, message: "add-checkpoint request: \(message)")
        }
        try limits.check(text.utf8.count, limits.maximumCheckpointBytes + 64 * 100, "the request (bytes)")
        guard let blank = text.range(of: "\n\n") else { throw fail("no blank line before the checkpoint") }
        let head = text[..<blank.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = head.first, first.hasPrefix("old ") else { throw fail("the first line is not \"old N\"") }
        let sizeText = first.dropFirst(4)
        guard !sizeText.isEmpty, sizeText.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            sizeText == "0" || !sizeText.hasPrefix("0"), let oldSize = Int(sizeText)
        else { throw fail("the old size \"\(sizeText)\" is not a decimal number without leading zeros") }
        let proofLines = head.dropFirst()
        guard proofLines.count <= maximumProofLines else {
            throw fail("\(proofLines.count) consistency proof lines, at most \(maximumProofLines) allowed")
        }
        var proof: [LedgerHash] = []
        for line in proofLines {
            guard let bytes = Base64.decodeCanonical(String(line)), !bytes.isEmpty else {
                throw fail("a consistency proof line is not a canonical base64 hash")
            }
            proof.append(LedgerHash(bytes: bytes))
        }
        let checkpoint = try SignedCheckpoint.parse(String(text[blank.upperBound...]), limits: limits)
        return AddCheckpointRequest(oldSize: oldSize, proof: proof, checkpoint: checkpoint)
    }
}

/// A log the witness follows: its origin, its checkpoint keys and its hash.
public struct WitnessedLog: Sendable {
    /// The checkpoint origin line.
    public var origin: String
    /// The log's checkpoint keys.
    public var keys: [any CheckpointVerifier]
    /// The log's Merkle tree hash (RFC 6962 logs use SHA-256).
    public var hasher: any LedgerHasher

    /// Creates a log entry of a witness's configuration.
    public init(origin: String, keys: [any CheckpointVerifier], hasher: any LedgerHasher) {
        self.origin = origin
        self.keys = keys
        self.hasher = hasher
    }
}

/// Why a witness refused a checkpoint, with the HTTP status C2SP `tlog-witness` assigns.
public struct WitnessRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// The refusal's HTTP status.
    public enum Status: Int, Sendable, Hashable {
        /// 400: malformed request, or an old size above the checkpoint's size.
        case badRequest = 400
        /// 403: no valid signature by a key the witness trusts for the origin (or a failing one).
        case forbidden = 403
        /// 404: the witness follows no log of this origin.
        case notFound = 404
        /// 409: the old size is not the size the witness last cosigned (``WitnessRefusal/latestSize``).
        case conflict = 409
        /// 422: the checkpoint is not consistent with what the witness cosigned (``WitnessRefusal/evidence``).
        case unprocessable = 422
        /// 500: the witness's state could not be read or written.
        case internalError = 500
    }

    /// The status.
    public var status: Status
    /// An explanation.
    public var message: String
    /// For 409: the size of the witness's latest cosigned checkpoint.
    public var latestSize: Int?
    /// For 422: the log-signed checkpoints that contradict each other (kept by the witness as evidence).
    public var evidence: WitnessEvidence?

    /// Creates a refusal.
    public init(status: Status, message: String, latestSize: Int? = nil, evidence: WitnessEvidence? = nil) {
        self.status = status
        self.message = message
        self.latestSize = latestSize
        self.evidence = evidence
    }

    /// The HTTP response body: for 409 the latest size and a newline (`text/x.tlog.size`), else the message.
    public var responseBody: String {
        if status == .conflict, let latestSize { return "\(latestSize)\n" }
        return message + "\n"
    }

    /// `<status> <message>`.
    public var description: String { "\(status.rawValue) \(message)" }
}

/// A log-signed checkpoint the witness refused because it contradicts the one the witness cosigned.
///
/// Both checkpoints carry the log's signature, so the record can be shown to anyone holding the log's key.
/// Two of one size with different roots (``isFork``) prove a split view or a rewritten history by themselves;
/// otherwise the log owes a consistency proof from ``latest`` to ``submitted``, which it could not give.
public struct WitnessEvidence: Sendable, Hashable, Codable {
    /// The witness's latest cosigned checkpoint for the origin (with the log's signature and the cosignature).
    public var latest: SignedCheckpoint
    /// The refused checkpoint, as submitted.
    public var submitted: SignedCheckpoint
    /// The consistency proof the log submitted.
    public var proof: [LedgerHash]
    /// When the witness refused, in seconds since the epoch.
    public var time: Int64
    /// The reason.
    public var reason: String

    /// Creates an evidence record.
    public init(latest: SignedCheckpoint, submitted: SignedCheckpoint, proof: [LedgerHash], time: Int64, reason: String)
    {
        self.latest = latest
        self.submitted = submitted
        self.proof = proof
        self.time = time
        self.reason = reason
    }

    /// Two checkpoints of one size with different roots: a fork, proven by the log's own signatures.
    public var isFork: Bool {
        latest.checkpoint.size == submitted.checkpoint.size
            && latest.checkpoint.rootHash != submitted.checkpoint.rootHash
    }
}

/// Where a witness keeps, per origin, the latest checkpoint it cosigned, and its evidence of refusals.
///
/// ``replace(origin:expected:with:)`` is a compare-and-swap: checking the old size and recording the new
/// checkpoint must be one atomic step, or two requests could roll the witness back (C2SP `tlog-witness`).
public protocol WitnessState: Sendable {
    /// The latest cosigned checkpoint for `origin` (with its cosignature), or `nil`.
    func latest(origin: String) async throws -> SignedCheckpoint?
    /// Records `checkpoint` as the latest for `origin` if the stored latest still has `expected`'s size and
    /// root (`nil`: nothing stored).
    /// - Returns: `false`, changing nothing, when another checkpoint was recorded meanwhile.
    func replace(origin: String, expected: Checkpoint?, with checkpoint: SignedCheckpoint) async throws -> Bool
    /// Keeps evidence of a refused checkpoint.
    func record(_ evidence: WitnessEvidence) async throws
}

/// A witness state in memory, for a witness embedded in a process (and for tests of witnesses).
public actor InMemoryWitnessState: WitnessState {
    private var checkpoints: [String: SignedCheckpoint] = [:]
    /// The evidence recorded so far.
    public private(set) var evidence: [WitnessEvidence] = []

    /// Creates an empty state.
    public init() {}

    /// The latest cosigned checkpoint for `origin`.
    public func latest(origin: String) -> SignedCheckpoint? { checkpoints[origin] }

    /// Compare-and-swap of the latest checkpoint.
    public func replace(origin: String, expected: Checkpoint?, with checkpoint: SignedCheckpoint) -> Bool {
        guard checkpoints[origin]?.checkpoint.sizeAndRoot == expected?.sizeAndRoot else { return false }
        checkpoints[origin] = checkpoint
        return true
    }

    /// Appends evidence.
    public func record(_ evidence: WitnessEvidence) { self.evidence.append(evidence) }
}

extension Checkpoint {
    var sizeAndRoot: String { "\(size) \(rootHash.base64)" }
}

/// A witness (C2SP `tlog-witness`): verifies a log's checkpoint signature and its consistency with the last
/// checkpoint the witness cosigned for that origin, then cosigns (C2SP `tlog-cosignature`).
///
/// Independent parties — a data administration, an audit bureau, a big data center — each run one. A log
/// that rewrote or forked its history cannot obtain their cosignatures, and verifiers that require a quorum of
/// them (``TrustPolicy``) never trust a checkpoint only some parties were shown.
///
/// ```swift
/// let witness = Witness(cosigner: bureauKey, logs: [log], state: InMemoryWitnessState())
/// let cosignature = try await witness.addCheckpoint(request)   // or throws WitnessRefusal
/// let cosigned = request.checkpoint.adding([cosignature.noteSignature])
/// ```
public struct Witness: Sendable {
    /// The witness's cosigner key (key id per ``Cosignature``).
    public let cosigner: any CheckpointSigner
    /// The logs the witness follows.
    public let logs: [WitnessedLog]
    /// Where the latest cosigned checkpoints are kept.
    public let state: any WitnessState
    /// The clock for cosignature timestamps.
    public let clock: @Sendable () -> Date

    /// Creates a witness.
    public init(
        cosigner: any CheckpointSigner,
        logs: [WitnessedLog],
        state: any WitnessState,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.cosigner = cosigner
        self.logs = logs
        self.state = state
        self.clock = clock
    }

    /// Handles an `add-checkpoint` request, in the order of checks C2SP `tlog-witness` prescribes.
    ///
    /// On success the new checkpoint (with the log's verified signatures and the cosignature) is recorded
    /// before the cosignature is returned. A signed checkpoint that contradicts the recorded one is kept as
    /// ``WitnessEvidence`` and refused with status 422.
    /// - Parameter request: The request.
    /// - Returns: The cosignature.
    /// - Throws: ``WitnessRefusal``.
    public func addCheckpoint(_ request: AddCheckpointRequest) async throws(WitnessRefusal) -> Cosignature {
        let signed = request.checkpoint
        let body = signed.checkpoint
        guard let log = logs.first(where: { $0.origin == body.origin }) else {
            throw WitnessRefusal(status: .notFound, message: "unknown log origin \(body.origin)")
        }
        let trust = TrustPolicy(trusting: log.keys).evaluate(signed)
        guard trust.isTrusted else {
            throw WitnessRefusal(status: .forbidden, message: "the checkpoint is not validly signed: \(trust)")
        }
        guard request.oldSize <= body.size else {
            throw WitnessRefusal(
                status: .badRequest,
                message: "the old size \(request.oldSize) is above the checkpoint size \(body.size)"
            )
        }
        let latest: SignedCheckpoint?
        do {
            latest = try await state.latest(origin: body.origin)
        } catch {
            throw WitnessRefusal(status: .internalError, message: "the witness state is unreadable: \(error)")
        }
        let latestSize = latest?.checkpoint.size ?? 0
        guard request.oldSize == latestSize else {
            throw WitnessRefusal(
                status: .conflict,
                message: "the witness last cosigned size \(latestSize), not \(request.oldSize)",
                latestSize: latestSize
            )
        }
        func refuse(_ reason: String) async -> WitnessRefusal {
            var evidence: WitnessEvidence?
            if let latest {
                let record = WitnessEvidence(
                    latest: latest,
                    submitted: signed,
                    proof: request.proof,
                    time: Int64(clock().timeIntervalSince1970.rounded(.down)),
                    reason: reason
                )
                try? await state.record(record)
                evidence = record
            }
            return WitnessRefusal(status: .unprocessable, message: reason, evidence: evidence)
        }
        if body.size == 0, body.rootHash != log.hasher.digest([]) {
            throw await refuse("a checkpoint of size 0 must have the empty tree's root")
        }
        if request.oldSize == 0 {
            guard request.proof.isEmpty else { throw await refuse("a proof from size 0 must be empty") }
        } else if let latest {
            if latest.checkpoint.size == body.size {
                guard latest.checkpoint.rootHash == body.rootHash else {
                    throw await refuse(
                        "size \(body.size) was cosigned with root \(latest.checkpoint.rootHash.base64), "
                            + "not \(body.rootHash.base64)"
                    )
                }
            } else {
                let check = MerkleVerifier.checkConsistency(
                    oldSize: latest.checkpoint.size,
                    newSize: body.size,
                    oldRoot: latest.checkpoint.rootHash,
                    newRoot: body.rootHash,
                    proof: request.proof,
                    hasher: log.hasher
                )
                if case .invalid(let reason) = check {
                    throw await refuse(
                        "size \(body.size) is not consistent with the cosigned size \(latest.checkpoint.size) "
                            + "(\(reason))"
                    )
                }
            }
        }
        let timestamp = UInt64(max(1, clock().timeIntervalSince1970.rounded(.down)))
        let cosignature: Cosignature
        do {
            cosignature = try await body.cosigned(by: cosigner, at: timestamp)
        } catch {
            throw WitnessRefusal(status: .internalError, message: error.message)
        }
        let logLines = signed.signatures.filter { line in trust.logSigners.contains(line.name) }
        let recorded = SignedCheckpoint(checkpoint: body, signatures: logLines + [cosignature.noteSignature])
        let replaced: Bool
        do {
            replaced = try await state.replace(origin: body.origin, expected: latest?.checkpoint, with: recorded)
        } catch {
            throw WitnessRefusal(status: .internalError, message: "the witness state is not writable: \(error)")
        }
        guard replaced else {
            let now = (try? await state.latest(origin: body.origin))?.checkpoint.size ?? latestSize
            throw WitnessRefusal(
                status: .conflict,
                message: "another checkpoint was cosigned meanwhile (size \(now))",
                latestSize: now
            )
        }
        return cosignature
    }

    /// Handles an `add-checkpoint` request body as the HTTP endpoint would: status and response body.
    ///
    /// 200 with the cosignature line and a newline; otherwise the refusal's status and
    /// ``WitnessRefusal/responseBody``.
    /// - Parameters:
    ///   - body: The request body.
    ///   - limits: Size limits for the body.
    /// - Returns: The HTTP status and response body.
    public func handleAddCheckpoint(_ body: Data, limits: AuditLimits = .default) async -> (status: Int, body: String) {
        guard let text = String(data: body, encoding: .utf8) else {
            return (400, "the request is not UTF-8\n")
        }
        do {
            let request = try AddCheckpointRequest.parse(text, limits: limits)
            let cosignature = try await addCheckpoint(request)
            return (200, cosignature.line + "\n")
        } catch let refusal as WitnessRefusal {
            return (refusal.status.rawValue, refusal.responseBody)
        } catch {
            return (400, "\(error)\n")
        }
    }
}
