import Foundation

/// Where a checkpoint checked by ``AuditVerifier/auditStore(_:ledgerName:hasher:held:trusting:pageSize:maximumPendingLeaves:)``
/// came from.
public enum CheckpointSource: Sendable, Hashable, CustomStringConvertible {
    /// Given by the auditor (a checkpoint it kept, or one a witness cosigned), with a label such as its file name.
    case held(String)
    /// Recorded in the store's own ledger stream, at this global position.
    case recorded(position: Int64)

    /// `held FILE` or `recorded at position N`.
    public var description: String {
        switch self {
        case .held(let label): "held \(label)"
        case .recorded(let position): "recorded at position \(position)"
        }
    }
}

/// The verdict on one checkpoint of a store audit.
public enum CheckpointVerdict: Sendable, Hashable {
    /// Trusted, and the store's first `size` events hash to its root.
    case matches
    /// No trusted key signed it.
    case untrusted
    /// It names another ledger (origin) than the one audited.
    case otherOrigin(String)
    /// The store holds only `count` events.
    case storeTooShort(count: Int)
    /// The store's first `size` events hash to another root.
    case rootMismatch(found: LedgerHash)
    /// Signed by the log, but cosigned by fewer witnesses than the policy's quorum.
    case insufficientCosignatures(found: Int, required: Int)

    /// `true` for ``matches``.
    public var isOK: Bool { self == .matches }
}

/// The first place where the store differs from the ledger's leaf records (``LeafRecord``).
public struct LeafDiscrepancy: Sendable, Hashable, CustomStringConvertible {
    /// What was found.
    public enum Kind: String, Sendable, Hashable {
        /// The event at ``position`` has other bytes than when it was ledgered.
        case changed
        /// The event at ``position`` is gone.
        case missing
        /// An event at ``position`` was never ledgered at that place (inserted or moved).
        case inserted
        /// The leaf record at ``position`` is unreadable or out of sequence.
        case unreadableRecord
    }

    /// What was found.
    public var kind: Kind
    /// The global position concerned.
    public var position: Int64
    /// The leaf index concerned.
    public var leafIndex: Int

    /// Creates a discrepancy.
    public init(kind: Kind, position: Int64, leafIndex: Int) {
        self.kind = kind
        self.position = position
        self.leafIndex = leafIndex
    }

    /// E.g. `the event at global position 437 (leaf 436) was changed`.
    public var description: String {
        switch kind {
        case .changed: "the event at global position \(position) (leaf \(leafIndex)) was changed"
        case .missing: "the event at global position \(position) (leaf \(leafIndex)) is missing"
        case .inserted: "an event at global position \(position) (leaf \(leafIndex)) was inserted or moved"
        case .unreadableRecord: "the leaf record at global position \(position) is unreadable or out of sequence"
        }
    }
}

/// What ``AuditVerifier/auditStore(_:ledgerName:hasher:held:trusting:pageSize:maximumPendingLeaves:)`` found.
public struct StoreAudit: Sendable, Hashable {
    /// One checkpoint and its verdict.
    public struct Entry: Sendable, Hashable {
        /// Where it came from.
        public var source: CheckpointSource
        /// The checkpoint.
        public var checkpoint: SignedCheckpoint
        /// The verdict.
        public var verdict: CheckpointVerdict
    }

    /// The audited ledger's origin.
    public var origin: String
    /// The number of events in the store's log (leaves).
    public var eventCount: Int
    /// Every checkpoint checked, held ones first, recorded ones in log order.
    public var checkpoints: [Entry]
    /// The first difference from the ledger's leaf records, if any.
    public var firstDiscrepancy: LeafDiscrepancy?
    /// The largest size of a trusted checkpoint that matches (0 when none).
    public var coveredSize: Int
    /// The global positions of the events no matching trusted checkpoint covers (`nil` when all are covered).
    public var uncovered: ClosedRange<Int64>?
    /// Leaves that no leaf record covered and that were dropped from the comparison to bound memory.
    public var uncomparedLeaves: Int

    /// `true` when at least one checkpoint matches, none failed and the leaf records match (uncovered events
    /// do not fail an audit). A checkpoint the store records that the log signed but too few witnesses
    /// cosigned does not fail the audit (the store keeps only the log's signature); it covers nothing.
    public var isOK: Bool {
        firstDiscrepancy == nil && checkpoints.contains { $0.verdict == .matches }
            && checkpoints.allSatisfy { entry in
                if case .recorded = entry.source, case .insufficientCosignatures = entry.verdict { return true }
                return entry.verdict.isOK
            }
    }
}

extension AuditVerifier {
    /// Audits a store in one pass over its global log, against the checkpoints the auditor holds and those the
    /// store records, and against the ledger's leaf records.
    ///
    /// Memory stays bounded: O(log n) for the roots, plus the leaves not yet confirmed by a leaf record (at most
    /// `maximumPendingLeaves`; beyond that the oldest are dropped from the comparison and counted in
    /// ``StoreAudit/uncomparedLeaves``). The ledger's own stream is read first to learn the recorded
    /// checkpoints' sizes.
    /// - Parameters:
    ///   - store: The store to read (a copy of the operator's database).
    ///   - ledgerName: The ledger's name (``LedgerConfiguration/name``).
    ///   - hasher: The ledger's hasher.
    ///   - held: Checkpoints the auditor kept, each with a label (e.g. a file name).
    ///   - verifiers: The trusted checkpoint keys.
    ///   - pageSize: Events per read.
    ///   - maximumPendingLeaves: The most leaves kept while waiting for their leaf record.
    /// - Returns: The audit.
    /// - Throws: ``AuditError`` `storeFailure`, `malformedEntry` (an event cannot be encoded).
    public static func auditStore(
        _ store: any EventStore,
        ledgerName: String,
        hasher: any LedgerHasher,
        held: [(label: String, checkpoint: SignedCheckpoint)],
        trusting verifiers: [any CheckpointVerifier],
        pageSize: Int = 1000,
        maximumPendingLeaves: Int = 1 << 20
    ) async throws(AuditError) -> StoreAudit {
        try await auditStore(
            store,
            ledgerName: ledgerName,
            hasher: hasher,
            held: held,
            policy: TrustPolicy(trusting: verifiers),
            pageSize: pageSize,
            maximumPendingLeaves: maximumPendingLeaves
        )
    }

    /// Audits a store in one pass, trusting a checkpoint only when it satisfies `policy` (the log's signature
    /// and a quorum of witness cosignatures).
    ///
    /// The checkpoints the store records carry only the log's signature; with a quorum above zero they are
    /// reported as ``CheckpointVerdict/insufficientCosignatures(found:required:)`` and only held, cosigned
    /// checkpoints prove the history.
    /// - Parameters:
    ///   - store: The store to read.
    ///   - ledgerName: The ledger's name.
    ///   - hasher: The ledger's hasher.
    ///   - held: Checkpoints the auditor kept (for example cosigned by witnesses), each with a label.
    ///   - policy: The log keys, witnesses and quorum.
    ///   - now: The verifier's clock.
    ///   - pageSize: Events per read.
    ///   - maximumPendingLeaves: The most leaves kept while waiting for their leaf record.
    /// - Returns: The audit.
    /// - Throws: ``AuditError`` `storeFailure`, `malformedEntry`.
    public static func auditStore(
        _ store: any EventStore,
        ledgerName: String,
        hasher: any LedgerHasher,
        held: [(label: String, checkpoint: SignedCheckpoint)],
        policy: TrustPolicy,
        now: Date = Date(),
        pageSize: Int = 1000,
        maximumPendingLeaves: Int = 1 << 20
    ) async throws(AuditError) -> StoreAudit {
        let auditedOrigin = LedgerConfiguration(name: ledgerName, hasher: hasher).origin
        func judge(_ signed: SignedCheckpoint) -> CheckpointVerdict {
            guard signed.checkpoint.origin == auditedOrigin else { return .otherOrigin(signed.checkpoint.origin) }
            switch trustFailure(policy.evaluate(signed, now: now)) {
            case nil: return .matches
            case .insufficientCosignatures(let found, let required)?:
                return .insufficientCosignatures(found: found, required: required)
            default: return .untrusted
            }
        }
        let configuration = LedgerConfiguration(name: ledgerName, hasher: hasher)
        let origin = configuration.origin
        let width = hasher.digestSize
        let limit = max(1, pageSize)
        func read<T: Sendable>(_ body: @Sendable () async throws -> T) async throws(AuditError) -> T {
            do {
                return try await body()
            } catch {
                throw AuditError(code: .storeFailure, message: "\(error)")
            }
        }

        // The checkpoints to check, with their sizes known before the pass.
        var entries: [StoreAudit.Entry] = held.map { item in
            StoreAudit.Entry(source: .held(item.label), checkpoint: item.checkpoint, verdict: judge(item.checkpoint))
        }
        // Witness cosignatures stored beside the ledger are served with the checkpoints the store records.
        let stored = Ledger.cosignatures(
            in: try await read { [store] in try await store.readStream(configuration.cosignatureStreamID, pageSize: 256)
            }
        )
        var version: Int64 = 1
        while true {
            let from = version
            let page = try await read { [store] in
                try await store.readStream(configuration.streamID, fromVersion: from, limit: 64)
            }
            for event in page {
                if var signed = Ledger.recordedCheckpoint(in: event) {
                    if let lines = stored[signed.checkpoint.body] { signed = signed.adding(lines.map(\.noteSignature)) }
                    let verdict = judge(signed)
                    entries.append(
                        StoreAudit.Entry(
                            source: .recorded(position: event.globalPosition),
                            checkpoint: signed,
                            verdict: verdict
                        )
                    )
                }
            }
            guard page.count == 64, let last = page.last else { break }
            version = last.streamVersion + 1
        }
        func isChecked(_ verdict: CheckpointVerdict) -> Bool {
            if case .insufficientCosignatures = verdict { return true }
            return verdict == .matches
        }
        let sizes = Set(entries.filter { isChecked($0.verdict) }.map(\.checkpoint.checkpoint.size)).sorted()
        let sizeSet = Set(sizes)
        var roots: [Int: LedgerHash] = [:]
        var positionAtSize: [Int: Int64] = [:]

        // One pass over the log.
        var range = CompactRange(hasher: hasher)
        var nextSize = 0
        var pendingStart = 0
        var pendingPositions: [Int64] = []
        var pendingHashes: [UInt8] = []
        var recordedCount = 0
        var dropped = 0
        var discrepancy: LeafDiscrepancy?
        var leaf = [UInt8](repeating: 0, count: width)
        var canonical: [UInt8] = []
        var firstPosition: Int64?
        var lastPosition: Int64 = 0
        var after: Int64 = 0
        if sizes.first == 0 { roots[0] = range.rootHash }
        while nextSize < sizes.count, sizes[nextSize] == 0 { nextSize += 1 }

        func compare(_ record: LeafRecord, at position: Int64) {
            guard record.first == recordedCount else {
                discrepancy = LeafDiscrepancy(kind: .unreadableRecord, position: position, leafIndex: record.first)
                return
            }
            recordedCount = record.first + record.count
            for offset in 0..<record.count {
                let index = record.first + offset
                if index < pendingStart { continue }  // dropped to bound memory
                let slot = index - pendingStart
                guard slot < pendingPositions.count else {
                    discrepancy = LeafDiscrepancy(kind: .missing, position: record.positions[offset], leafIndex: index)
                    return
                }
                let found = pendingPositions[slot]
                let expected = record.positions[offset]
                if found != expected {
                    discrepancy =
                        found > expected
                        ? LeafDiscrepancy(kind: .missing, position: expected, leafIndex: index)
                        : LeafDiscrepancy(kind: .inserted, position: found, leafIndex: index)
                    return
                }
                let same = pendingHashes[(slot * width)..<((slot + 1) * width)]
                    .elementsEqual(record.hash(at: offset, digestSize: width))
                if !same {
                    discrepancy = LeafDiscrepancy(kind: .changed, position: found, leafIndex: index)
                    return
                }
            }
            // Forget what the record confirmed.
            let confirmed = min(pendingPositions.count, max(0, recordedCount - pendingStart))
            pendingPositions.removeFirst(confirmed)
            pendingHashes.removeFirst(confirmed * width)
            pendingStart += confirmed
        }

        while true {
            let from = after
            let page = try await read { [store] in try await store.readAll(after: from, limit: limit) }
            for event in page {
                canonical.removeAll(keepingCapacity: true)
                try CanonicalEventEncoding.encode(event, appendingTo: &canonical)
                canonical.withUnsafeBytes { raw in
                    leaf.withUnsafeMutableBytes {
                        hasher.hash(prefix: 0x00, raw, UnsafeRawBufferPointer(start: nil, count: 0), into: $0)
                    }
                }
                leaf.withUnsafeBytes { range.append(leafHash: $0) }
                if firstPosition == nil { firstPosition = event.globalPosition }
                lastPosition = event.globalPosition
                if discrepancy == nil {
                    pendingPositions.append(event.globalPosition)
                    pendingHashes.append(contentsOf: leaf)
                    if pendingPositions.count > max(1, maximumPendingLeaves) {
                        let drop = (pendingPositions.count + 1) / 2
                        pendingPositions.removeFirst(drop)
                        pendingHashes.removeFirst(drop * width)
                        pendingStart += drop
                        dropped += drop
                    }
                }
                let index = range.size - 1
                if sizeSet.contains(index) { positionAtSize[index] = event.globalPosition }
                while nextSize < sizes.count, sizes[nextSize] == range.size {
                    roots[range.size] = range.rootHash
                    nextSize += 1
                }
                if event.streamID == configuration.streamID, event.type == Ledger.leavesEventType, discrepancy == nil {
                    do {
                        if let record = try Ledger.recordedLeaves(in: event, digestSize: width) {
                            compare(record, at: event.globalPosition)
                        }
                    } catch {
                        discrepancy = LeafDiscrepancy(
                            kind: .unreadableRecord,
                            position: event.globalPosition,
                            leafIndex: index
                        )
                    }
                }
            }
            guard let last = page.last, page.count == limit else { break }
            after = last.globalPosition
        }
        if discrepancy == nil, recordedCount > range.size {
            discrepancy = LeafDiscrepancy(kind: .missing, position: lastPosition, leafIndex: range.size)
        }

        var covered = 0
        for index in entries.indices where isChecked(entries[index].verdict) {
            let body = entries[index].checkpoint.checkpoint
            if body.size > range.size {
                entries[index].verdict = .storeTooShort(count: range.size)
            } else if let root = roots[body.size], root != body.rootHash {
                entries[index].verdict = .rootMismatch(found: root)
            } else if entries[index].verdict == .matches {
                covered = max(covered, body.size)
            }
        }
        var uncovered: ClosedRange<Int64>?
        if range.size > covered, let start = covered == 0 ? firstPosition : positionAtSize[covered] {
            uncovered = start...lastPosition
        }
        return StoreAudit(
            origin: origin,
            eventCount: range.size,
            checkpoints: entries,
            firstDiscrepancy: discrepancy,
            coveredSize: covered,
            uncovered: uncovered,
            uncomparedLeaves: dropped
        )
    }
}
