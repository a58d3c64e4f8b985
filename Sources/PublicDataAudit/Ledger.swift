import Foundation

/// How a ``Ledger`` is named and which hash it uses; fixed for the ledger's life.
public struct LedgerConfiguration: Sendable {
    /// The ledger's name, e.g. `"publicdata.beijing.gov.cn/audit"`: non-empty, no whitespace or control characters.
    public var name: String
    /// The hash function; recorded when the ledger is created and checked whenever it is reopened.
    public var hasher: any LedgerHasher
    /// How many events are read from the store per page while catching up or verifying.
    public var pageSize: Int

    /// Creates a configuration.
    /// - Parameters:
    ///   - name: The ledger's name.
    ///   - hasher: The hash function (SHA-256 by default; ``SM3Hasher`` for 国密 deployments).
    ///   - pageSize: Events per read, at least 1.
    public init(name: String, hasher: any LedgerHasher = SHA256Hasher(), pageSize: Int = 1000) {
        self.name = name
        self.hasher = hasher
        self.pageSize = pageSize
    }

    /// The checkpoint origin line: `<name>/<hasher name>`, e.g. `publicdata.beijing.gov.cn/audit/sm3`.
    public var origin: String { "\(name)/\(hasher.name)" }
    /// The stream in which witness cosignatures of the ledger's checkpoints are kept
    /// (`audit-cosignatures-<name>`, see ``Ledger/recordCosignatures(_:for:witnesses:)``).
    public var cosignatureStreamID: StreamID { StreamID("audit-cosignatures-\(name)") }
    /// The store cursor holding the global position of the last event the ledger has appended.
    public var cursorName: String { "audit-ledger:\(name)" }
    /// The stream in which the ledger records its creation and every checkpoint it signs.
    public var streamID: StreamID { StreamID("audit-ledger-\(name)") }
}

/// The audit ledger: a Merkle tree over the canonical bytes of every event of an `EventStore`'s global log.
///
/// ## How it follows the log
/// Leaf `i` is ``CanonicalEventEncoding`` of the `i`-th event in global-position order (leaf indices are
/// dense; positions may have gaps). ``catchUp()`` reads the events after the last ledgered position, appends
/// them, records their leaf hashes in the store and saves the position under the store cursor
/// ``LedgerConfiguration/cursorName``.
///
/// ## What it records in the store
/// All in the stream ``LedgerConfiguration/streamID``, each append with optimistic concurrency on that stream:
/// - `audit.ledger.created` first (origin, hasher name, digest size); reopening with a hasher of another name
///   throws ``AuditError`` `hasherMismatch`;
/// - `audit.ledger.leaves` (``LeafRecord``): the leaf hash and global position of every ledgered event, in
///   runs of at most ``LeafRecord/maximumCount`` leaves — the persisted tree state;
/// - `audit.checkpoint.signed`: every checkpoint it signs, as the checkpoint text.
///
/// These events are part of the global log and are ledgered like any other. A run of leaves that holds only
/// leaf records is recorded with the next run that holds anything else, so following the log converges.
///
/// ## Where the hashes live
/// The tree is in memory: about `2 × digestSize + 8` bytes per event (≈ 72 MB per million events with a
/// 32-byte hash). On open the ledger rebuilds it from its leaf records, re-reads the store up to its cursor and
/// compares every event with its recorded leaf hash: a change made while no ledger ran (an event changed,
/// removed, inserted or reordered) sets ``integrityProblem`` naming the first global position concerned, and
/// the ledger refuses to sign; ``verifyStore()`` reports the first bad leaf index.
///
/// ## One signer at a time
/// Every record is appended at the stream version the ledger last read, under a fresh event id; an append
/// that conflicts, or that the store reports as deduplicated, is never taken for success. Before signing, the
/// ledger reads what other instances recorded meanwhile: it signs only a tree that extends the newest
/// recorded checkpoint, so two instances (threads or processes) never record two checkpoints at one stream
/// version nor a smaller checkpoint after a larger one; the loser gets ``AuditError`` `conflict`.
public actor Ledger {
    /// The event type recording the ledger's creation.
    public static let createdEventType = "audit.ledger.created"
    /// The event type recording a signed checkpoint.
    public static let checkpointEventType = "audit.checkpoint.signed"
    /// The event type recording a run of leaf hashes (``LeafRecord``).
    public static let leavesEventType = "audit.ledger.leaves"

    /// The ledger's configuration.
    public nonisolated let configuration: LedgerConfiguration
    let store: any EventStore
    private let clock: any WallClock
    private var tree: MerkleTree
    private var positions: [Int64] = []
    private var lastPosition: Int64 = 0
    /// The last version of the ledger's stream that this instance has read or written.
    private var ledgerStreamVersion: Int64 = 0
    /// The number of leaves whose hashes are recorded in the store.
    private var persistedCount = 0
    /// The index of the last leaf that is not a leaf record (-1 when none).
    private var lastSubstantiveLeaf = -1
    /// Whether a leaf after `persistedCount` is an event other than a leaf record.
    private var unpersistedNeedsRecord: Bool { lastSubstantiveLeaf >= persistedCount }
    /// One event's canonical bytes, reused from event to event while following the log.
    private var canonicalScratch: [UInt8] = []
    /// Serialises catching up and signing within this instance.
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    /// The last checkpoint the ledger signed (or found recorded in the store).
    public private(set) var lastCheckpoint: SignedCheckpoint?
    /// Set when the store's history no longer matches what the ledger recorded; signing is then refused.
    public private(set) var integrityProblem: AuditError?

    private init(store: any EventStore, configuration: LedgerConfiguration, clock: any WallClock) {
        self.store = store
        self.configuration = configuration
        self.clock = clock
        self.tree = MerkleTree(hasher: configuration.hasher)
    }

    /// Opens (or creates) the ledger named in `configuration` over `store`, and rebuilds its tree.
    ///
    /// The tree is rebuilt from the ledger's leaf records and checked against the store up to the ledger's
    /// cursor; call ``catchUp()`` to ledger newer events.
    /// - Parameters:
    ///   - store: The event store whose global log the ledger follows.
    ///   - configuration: The ledger's name and hasher.
    ///   - clock: The clock for the times recorded in checkpoints and ledger events.
    /// - Returns: The open ledger (check ``integrityProblem``).
    /// - Throws: ``AuditError``: `invalidArgument` for a bad name or page size, `hasherMismatch` when the ledger
    ///   was created with another hasher, `inconsistentHistory` when its creation record is unreadable or gone,
    ///   `storeFailure` when the store fails.
    public static func open(
        store: any EventStore,
        configuration: LedgerConfiguration,
        clock: any WallClock = SystemWallClock()
    ) async throws(AuditError) -> Ledger {
        guard Checkpoint.isValidLine(configuration.name),
            !configuration.name.unicodeScalars.contains(where: { $0.properties.isWhitespace })
        else {
            throw AuditError(code: .invalidArgument, message: "ledger name \"\(configuration.name)\" is not valid")
        }
        guard configuration.pageSize > 0 else {
            throw AuditError(code: .invalidArgument, message: "the page size must be positive")
        }
        let ledger = Ledger(store: store, configuration: configuration, clock: clock)
        try await ledger.start()
        return ledger
    }

    /// The signed checkpoint recorded by an `audit.checkpoint.signed` event, for readers of the raw log.
    /// - Parameter event: Any event; `nil` unless it is a readable checkpoint record.
    /// - Returns: The checkpoint, with its signatures (not yet verified).
    public static func recordedCheckpoint(in event: RecordedEvent) -> SignedCheckpoint? {
        guard event.type == checkpointEventType,
            let record = try? event.decodePayload(CheckpointRecord.self)
        else { return nil }
        return try? SignedCheckpoint.parse(record.checkpoint)
    }

    /// The name of the hasher a ledger recorded in its `audit.ledger.created` event.
    /// - Parameter event: Any event; `nil` unless it is a readable ledger creation.
    public static func recordedHasherName(in event: RecordedEvent) -> String? {
        guard event.type == createdEventType, let genesis = try? event.decodePayload(LedgerGenesis.self) else {
            return nil
        }
        return genesis.hasher
    }

    /// The leaf record carried by an `audit.ledger.leaves` event.
    /// - Parameters:
    ///   - event: Any event.
    ///   - digestSize: The ledger's digest size.
    /// - Returns: `nil` when the event is not a leaf record.
    /// - Throws: ``AuditError`` `malformedDocument` when it is one but unreadable.
    public static func recordedLeaves(in event: RecordedEvent, digestSize: Int) throws(AuditError) -> LeafRecord? {
        guard event.type == leavesEventType else { return nil }
        return try LeafRecord.decode(event.payload, digestSize: digestSize)
    }

    // MARK: - State

    /// The number of ledgered events (the tree size).
    public var size: Int { tree.size }
    /// The current root hash.
    public var rootHash: LedgerHash { tree.rootHash }
    /// The checkpoint origin (``LedgerConfiguration/origin``).
    public nonisolated var origin: String { configuration.origin }
    /// The global position of the last ledgered event (0 when none).
    public var lastLedgeredPosition: Int64 { lastPosition }
    /// The number of leaves whose hashes are recorded in the store (the rest follow with the next record).
    public var recordedLeafCount: Int { persistedCount }

    /// The root hash at an earlier size.
    /// - Throws: ``AuditError`` `invalidArgument` when `treeSize` is beyond ``size``.
    public func rootHash(atSize treeSize: Int) throws(AuditError) -> LedgerHash {
        try tree.rootHash(atSize: treeSize)
    }

    /// The leaf hash at `index`, or `nil`.
    public func leafHash(at index: Int) -> LedgerHash? { tree.leafHash(at: index) }

    /// The global position of the event at leaf `index`, or `nil`.
    public func position(ofLeaf index: Int) -> Int64? {
        index >= 0 && index < positions.count ? positions[index] : nil
    }

    /// The leaf index of the event at global `position`, or `nil` when no ledgered event has it.
    public func leafIndex(ofPosition position: Int64) -> Int? {
        var low = 0
        var high = positions.count
        while low < high {
            let middle = (low + high) / 2
            if positions[middle] < position { low = middle + 1 } else { high = middle }
        }
        return low < positions.count && positions[low] == position ? low : nil
    }

    /// The current tree as a value (for proofs outside the actor, e.g. in bulk).
    public var snapshot: MerkleTree { tree }

    // MARK: - Following the log

    /// Appends every event after the last ledgered position, in global order, records their leaf hashes and
    /// saves the cursor.
    ///
    /// One call goes as far as the store's head when it began (plus at most one page written meanwhile), so it
    /// returns even while writers append faster than the ledger hashes; the next call continues from there.
    /// - Returns: The number of events appended (including the leaf records this call wrote).
    /// - Throws: ``AuditError`` `storeFailure` when the store fails (what was appended before stays appended),
    ///   `malformedEntry` when an event cannot be encoded, `inconsistentHistory` when the store returns
    ///   positions out of order or another instance recorded different leaf hashes, `conflict` when other
    ///   instances kept winning the ledger's stream.
    @discardableResult
    public func catchUp() async throws(AuditError) -> Int {
        await acquire()
        defer { release() }
        return try await catchUpLocked()
    }

    private func catchUpLocked() async throws(AuditError) -> Int {
        var added = 0
        // One call ledgers the log as far as its head when the call began (and at most one page beyond, with
        // its own leaf record): writers appending faster than the ledger hashes would otherwise keep it
        // chasing the head for ever, and `tick()` with it.
        let target = try await storeCall { [store] in try await store.headPosition() }
        var reachedTarget = false
        while true {
            let after = lastPosition
            let page = try await storeCall { [store, configuration] in
                try await store.readAll(after: after, limit: configuration.pageSize)
            }
            var previous = lastPosition
            for event in page {
                guard event.globalPosition > previous else {
                    let problem = AuditError(
                        code: .inconsistentHistory,
                        message: "the store returned position \(event.globalPosition) after \(previous)"
                    )
                    integrityProblem = problem
                    throw problem
                }
                previous = event.globalPosition
            }
            for event in page {
                try append(event)
            }
            added += page.count
            if !page.isEmpty {
                let position = lastPosition
                try await storeCall { [store, configuration] in
                    try await store.saveCursor(configuration.cursorName, position: position)
                }
            }
            let more = page.count == configuration.pageSize && lastPosition < target
            if unpersistedNeedsRecord, !more || tree.size - persistedCount >= LeafRecord.maximumCount {
                try await persistLeaves()
                if !more {
                    // Once more round reads the leaf record just written (so a quiet log ends fully ledgered).
                    if reachedTarget { break }
                    reachedTarget = true
                }
            } else if !more {
                break
            }
        }
        return added
    }

    private func append(_ event: RecordedEvent) throws(AuditError) {
        var bytes: [UInt8] = []
        swap(&bytes, &canonicalScratch)
        defer { swap(&bytes, &canonicalScratch) }
        bytes.removeAll(keepingCapacity: true)
        try CanonicalEventEncoding.encode(event, appendingTo: &bytes)
        bytes.withUnsafeBytes { raw in _ = tree.append(bytes: raw) }
        positions.append(event.globalPosition)
        lastPosition = event.globalPosition
        if event.type != Self.leavesEventType { lastSubstantiveLeaf = tree.size - 1 }
    }

    /// Records the leaf hashes after ``persistedCount``, unless another instance recorded them first.
    private func persistLeaves() async throws(AuditError) {
        for _ in 0..<8 {
            try await readLedgerStream()
            guard unpersistedNeedsRecord, persistedCount < tree.size else { return }
            var events: [ProposedEvent] = []
            var first = persistedCount
            while first < tree.size {
                let end = min(tree.size, first + LeafRecord.maximumCount)
                let record = LeafRecord(
                    first: first,
                    positions: Array(positions[first..<end]),
                    hashes: tree.leafHashes(first..<end)
                )
                events.append(
                    ProposedEvent(
                        id: freshEventID("leaves-\(first)"),
                        type: Self.leavesEventType,
                        occurredAt: clock.now(),
                        actor: nil,
                        payload: try record.payload()
                    )
                )
                first = end
            }
            do {
                let result = try await appendToLedgerStream(events)
                ledgerStreamVersion = result.streamVersion
                persistedCount = tree.size
                return
            } catch let error where error.code == .conflict {
                continue  // another instance wrote meanwhile: read what it wrote and try again
            }
        }
        throw AuditError(code: .conflict, message: "other ledger instances kept recording; try again")
    }

    // MARK: - Checkpoints

    /// Signs a checkpoint of the current tree and records it in the ledger's stream.
    ///
    /// Call ``catchUp()`` first to include the newest events. The ledger first reads what other instances
    /// recorded in its stream; it refuses to sign when its tree does not extend the newest recorded checkpoint,
    /// or when ``integrityProblem`` is set.
    /// - Parameters:
    ///   - signers: One or more host signers.
    ///   - extensions: Extra checkpoint lines after the ledger's `time` line.
    /// - Returns: The signed checkpoint, recorded at the next version of the ledger's stream.
    /// - Throws: ``AuditError``: `inconsistentHistory` (refused: history changed), `conflict` (another instance
    ///   recorded a larger checkpoint, or recorded anything while this one signed: catch up and sign again),
    ///   `signingFailed`, `invalidArgument`, `storeFailure`.
    public func signCheckpoint(
        with signers: [any CheckpointSigner],
        extensions: [String] = []
    ) async throws(AuditError) -> SignedCheckpoint {
        await acquire()
        defer { release() }
        if let integrityProblem { throw integrityProblem }
        try await readLedgerStream()
        if let last = lastCheckpoint?.checkpoint, last.size > tree.size {
            throw AuditError(
                code: .conflict,
                message: "a checkpoint of size \(last.size) is recorded but this instance holds \(tree.size) "
                    + "entries; catch up and sign again"
            )
        }
        try checkExtendsLastCheckpoint()
        let now = clock.now()
        let checkpoint = try Checkpoint(
            origin: origin,
            size: tree.size,
            rootHash: tree.rootHash,
            extensions: ["time " + PublicDataJSON.formatInstant(now)] + extensions
        )
        let signed = try await checkpoint.signed(by: signers)
        let record = CheckpointRecord(checkpoint: signed.text, size: checkpoint.size, rootHash: checkpoint.rootHash)
        let event: ProposedEvent
        do {
            event = try ProposedEvent(
                id: freshEventID("checkpoint-\(checkpoint.size)"),
                type: Self.checkpointEventType,
                occurredAt: now,
                actor: nil,
                encoding: record
            )
        } catch {
            throw AuditError(code: .malformedEntry, message: "cannot encode the checkpoint record: \(error)")
        }
        let result = try await appendToLedgerStream([event])
        ledgerStreamVersion = result.streamVersion
        lastCheckpoint = signed
        return signed
    }

    private func checkExtendsLastCheckpoint() throws(AuditError) {
        guard let last = lastCheckpoint?.checkpoint else { return }
        if last.size > tree.size {
            let problem = AuditError(
                code: .inconsistentHistory,
                message: "the last signed checkpoint has \(last.size) entries but the ledger holds \(tree.size)"
            )
            integrityProblem = problem
            throw problem
        }
        if try tree.rootHash(atSize: last.size) != last.rootHash {
            let problem = AuditError(
                code: .inconsistentHistory,
                message: "the first \(last.size) entries no longer hash to the last signed root \(last.rootHash.base64)"
            )
            integrityProblem = problem
            throw problem
        }
    }

    /// Appends `events` to the ledger's stream at the version last read; anything but a fresh write is a
    /// `conflict` (a version conflict, a duplicate id, or a batch the store reports as deduplicated).
    private func appendToLedgerStream(_ events: [ProposedEvent]) async throws(AuditError) -> AppendResult {
        let version = ledgerStreamVersion
        let result: AppendResult
        do {
            result = try await store.append(events, to: configuration.streamID, expectedVersion: .exactly(version))
        } catch let error as EventStoreError where error.code == .versionConflict || error.code == .duplicateEventID {
            throw AuditError(
                code: .conflict,
                message: "another ledger instance recorded in \(configuration.streamID) first: \(error.message)"
            )
        } catch {
            throw AuditError(code: .storeFailure, message: "\(error)")
        }
        guard !result.deduplicated, result.events.count == events.count,
            result.streamVersion == version + Int64(events.count)
        else {
            throw AuditError(
                code: .conflict,
                message: "the store did not record a fresh entry in \(configuration.streamID) (deduplicated)"
            )
        }
        return result
    }

    private func freshEventID(_ kind: String) -> EventID {
        EventID("\(configuration.streamID.rawValue)-\(kind)-\(UUID().uuidString.lowercased())")
    }

    // MARK: - Proofs

    /// The inclusion proof of leaf `index` in the tree of size `treeSize`.
    /// - Throws: ``AuditError`` `invalidArgument` when out of range.
    public func inclusionProof(forLeafAt index: Int, treeSize: Int) throws(AuditError) -> [LedgerHash] {
        try tree.inclusionProof(forLeafAt: index, treeSize: treeSize)
    }

    /// The consistency proof between two tree sizes.
    /// - Throws: ``AuditError`` `invalidArgument` when out of range.
    public func consistencyProof(from oldSize: Int, to newSize: Int) throws(AuditError) -> [LedgerHash] {
        try tree.consistencyProof(from: oldSize, to: newSize)
    }

    /// An offline proof bundle for the event at leaf `index`, against `checkpoint` (the last signed one by default).
    ///
    /// The entry bytes are re-read from the store and must still match the ledgered leaf.
    /// - Parameters:
    ///   - index: The leaf index (see ``leafIndex(ofPosition:)``).
    ///   - checkpoint: A checkpoint this ledger signed, whose size is above `index`.
    /// - Returns: The bundle.
    /// - Throws: ``AuditError``: `invalidArgument` (no checkpoint, index out of range, foreign checkpoint),
    ///   `inconsistentHistory` (the stored event changed), `storeFailure`.
    public func proofBundle(
        forLeafAt index: Int,
        checkpoint: SignedCheckpoint? = nil
    ) async throws(AuditError) -> ProofBundle {
        guard let signed = checkpoint ?? lastCheckpoint else {
            throw AuditError(code: .invalidArgument, message: "no checkpoint has been signed yet")
        }
        let body = signed.checkpoint
        guard body.origin == origin, body.size <= tree.size, try tree.rootHash(atSize: body.size) == body.rootHash
        else {
            throw AuditError(code: .invalidArgument, message: "the checkpoint was not signed by this ledger's tree")
        }
        guard index >= 0, index < body.size, let position = position(ofLeaf: index) else {
            throw AuditError(code: .invalidArgument, message: "leaf \(index) is not below checkpoint size \(body.size)")
        }
        let page = try await storeCall { [store] in try await store.readAll(after: position - 1, limit: 1) }
        guard let event = page.first, event.globalPosition == position else {
            throw AuditError(code: .inconsistentHistory, message: "the event at position \(position) is gone")
        }
        let bytes = try CanonicalEventEncoding.encode(event)
        let matches = bytes.withUnsafeBytes { raw in
            var leaf = [UInt8](repeating: 0, count: tree.digestSize)
            leaf.withUnsafeMutableBytes {
                configuration.hasher.hash(prefix: 0, raw, UnsafeRawBufferPointer(start: nil, count: 0), into: $0)
            }
            return leaf.withUnsafeBytes { tree.leafHash(at: index, equals: $0) }
        }
        guard matches else {
            throw AuditError(code: .inconsistentHistory, message: "the event at position \(position) was changed")
        }
        return ProofBundle(
            hasher: configuration.hasher.name,
            entry: Data(bytes),
            index: index,
            inclusionProof: try tree.inclusionProof(forLeafAt: index, treeSize: body.size),
            checkpoint: signed
        )
    }
    // MARK: - Verification

    /// Re-reads the store and compares every ledgered event's canonical bytes with the leaf recorded for it.
    ///
    /// Reports the **first** index that no longer matches, classified as changed, missing, inserted or
    /// reordered; events after the ledgered ones are counted as not yet ledgered.
    /// - Returns: The verdict.
    /// - Throws: ``AuditError`` `storeFailure` when the store fails.
    public func verifyStore() async throws(AuditError) -> StoreVerification {
        let hasher = configuration.hasher
        let width = tree.digestSize
        let size = tree.size
        let snapshot = tree
        var index = 0
        var after: Int64 = 0
        var scratch = [UInt8](repeating: 0, count: width)
        func leaf(of event: RecordedEvent) throws(AuditError) -> [UInt8] {
            let bytes = try CanonicalEventEncoding.encode(event)
            bytes.withUnsafeBytes { raw in
                scratch.withUnsafeMutableBytes {
                    hasher.hash(prefix: 0, raw, UnsafeRawBufferPointer(start: nil, count: 0), into: $0)
                }
            }
            return scratch
        }
        func ledgered(_ hash: [UInt8], at position: Int) -> Bool {
            hash.withUnsafeBytes { snapshot.leafHash(at: position, equals: $0) }
        }
        while true {
            let from = after
            let page = try await storeCall { [store, configuration] in
                try await store.readAll(after: from, limit: configuration.pageSize)
            }
            for (offset, event) in page.enumerated() {
                if index >= size {
                    let remaining = page.count - offset
                    let rest = try await countEvents(after: page.last?.globalPosition ?? from)
                    return .ok(verifiedSize: size, unledgered: remaining + rest)
                }
                let hash = try leaf(of: event)
                if ledgered(hash, at: index) {
                    index += 1
                    continue
                }
                // Classify the first discrepancy, looking at the event after it too.
                let next: RecordedEvent?
                if offset + 1 < page.count {
                    next = page[offset + 1]
                } else {
                    let pageStart = from
                    let wider = try await storeCall { [store, configuration] in
                        try await store.readAll(after: pageStart, limit: configuration.pageSize + 1)
                    }
                    next = wider.count > offset + 1 ? wider[offset + 1] : nil
                }
                let nextHash = try next.map { event throws(AuditError) in try leaf(of: event) }
                let nextIsThis = nextHash.map { ledgered($0, at: index) } ?? false
                if index + 1 < size, ledgered(hash, at: index + 1) {
                    return nextIsThis ? .reordered(index: index) : .missing(index: index)
                }
                if nextIsThis { return .extra(index: index) }
                for other in (index + 1)..<max(index + 1, size) where ledgered(hash, at: other) {
                    return .reordered(index: index)
                }
                // The event may have been moved to another position: try the next ledgered positions.
                for other in (index + 1)..<min(size, index + 1 + 1024) {
                    var moved = event
                    moved.globalPosition = positions[other]
                    if ledgered(try leaf(of: moved), at: other) { return .reordered(index: index) }
                }
                return .mismatch(index: index)
            }
            guard let last = page.last, page.count == configuration.pageSize else { break }
            after = last.globalPosition
        }
        return index < size ? .missing(index: index) : .ok(verifiedSize: size, unledgered: 0)
    }

    private func countEvents(after position: Int64) async throws(AuditError) -> Int {
        var count = 0
        var after = position
        while true {
            let from = after
            let page = try await storeCall { [store, configuration] in
                try await store.readAll(after: from, limit: configuration.pageSize)
            }
            count += page.count
            guard let last = page.last, page.count == configuration.pageSize else { return count }
            after = last.globalPosition
        }
    }

    // MARK: - Opening

    private func start() async throws(AuditError) {
        let stream = configuration.streamID
        var first = try await storeCall { [store] in try await store.readStream(stream, fromVersion: 1, limit: 1) }
        if first.isEmpty {
            let cursorName = configuration.cursorName
            if let cursor = try await storeCall({ [store] in try await store.loadCursor(cursorName) }), cursor > 0 {
                throw AuditError(
                    code: .inconsistentHistory,
                    message: "ledger \(configuration.name) has a cursor but its creation record is gone"
                )
            }
            let genesis = LedgerGenesis(
                origin: origin,
                hasher: configuration.hasher.name,
                digestSize: configuration.hasher.digestSize,
                canonicalFormat: Int(CanonicalEventEncoding.version)
            )
            let event: ProposedEvent
            do {
                event = try ProposedEvent(
                    id: freshEventID("created"),
                    type: Self.createdEventType,
                    occurredAt: clock.now(),
                    actor: nil,
                    encoding: genesis
                )
            } catch {
                throw AuditError(code: .malformedEntry, message: "cannot encode the ledger creation: \(error)")
            }
            do {
                _ = try await appendToLedgerStream([event])
            } catch  where error.code == .conflict {
                // Another instance created the ledger first: open the one it created (its hasher is checked below).
            }
            first = try await storeCall { [store] in try await store.readStream(stream, fromVersion: 1, limit: 1) }
        }
        guard let created = first.first, created.type == Self.createdEventType,
            let genesis = try? created.decodePayload(LedgerGenesis.self)
        else {
            throw AuditError(
                code: .inconsistentHistory,
                message: "stream \(stream) does not begin with the ledger's creation"
            )
        }
        guard genesis.hasher == configuration.hasher.name, genesis.digestSize == configuration.hasher.digestSize else {
            throw AuditError(
                code: .hasherMismatch,
                message:
                    "ledger \(configuration.name) was created with \(genesis.hasher), opened with \(configuration.hasher.name)"
            )
        }
        ledgerStreamVersion = 1
        try await rebuild()
    }

    /// Reads the ledger's stream after ``ledgerStreamVersion``: leaf records (adopted into the tree while
    /// `rebuilding`, otherwise checked against it) and checkpoints.
    ///
    /// Outside a rebuild it stops before a leaf record that reaches beyond the tree (another instance is
    /// ahead; the caller catches up first).
    /// - Throws: ``AuditError`` `inconsistentHistory` (also set as ``integrityProblem``), `storeFailure`.
    private func readLedgerStream(rebuilding: Bool = false) async throws(AuditError) {
        let stream = configuration.streamID
        let width = tree.digestSize
        let limit = 16
        func problem(_ message: String) -> AuditError {
            let error = AuditError(code: .inconsistentHistory, message: message)
            integrityProblem = integrityProblem ?? error
            return error
        }
        while true {
            let from = ledgerStreamVersion + 1
            let page = try await storeCall { [store] in
                try await store.readStream(stream, fromVersion: from, limit: limit)
            }
            for event in page {
                guard event.streamVersion == ledgerStreamVersion + 1 else {
                    throw problem(
                        "the ledger's stream skips from version \(ledgerStreamVersion) to \(event.streamVersion)"
                    )
                }
                switch event.type {
                case Self.leavesEventType:
                    let record: LeafRecord
                    do {
                        record = try LeafRecord.decode(event.payload, digestSize: width)
                    } catch {
                        throw problem(
                            "the leaf record at position \(event.globalPosition) is unreadable: \(error.message)"
                        )
                    }
                    guard record.first == persistedCount else {
                        throw problem(
                            "the leaf record at position \(event.globalPosition) starts at leaf \(record.first), "
                                + "expected \(persistedCount)"
                        )
                    }
                    if rebuilding {
                        for offset in 0..<record.count {
                            let position = record.positions[offset]
                            guard position > lastPosition else {
                                throw problem("the leaf record at position \(event.globalPosition) is out of order")
                            }
                            try tree.append(
                                leafHash: LedgerHash(bytes: Array(record.hash(at: offset, digestSize: width)))
                            )
                            positions.append(position)
                            lastPosition = position
                        }
                    } else {
                        guard record.first + record.count <= tree.size else { return }
                        for offset in 0..<record.count {
                            let index = record.first + offset
                            let same =
                                positions[index] == record.positions[offset]
                                && record.hash(at: offset, digestSize: width).withUnsafeBytes {
                                    tree.leafHash(at: index, equals: $0)
                                }
                            guard same else {
                                throw problem(
                                    "another ledger instance recorded a different leaf for position "
                                        + "\(record.positions[offset]) (leaf \(index)) than this one read"
                                )
                            }
                        }
                    }
                    persistedCount = record.first + record.count
                case Self.checkpointEventType:
                    guard let signed = Self.recordedCheckpoint(in: event) else {
                        throw problem("the checkpoint recorded at position \(event.globalPosition) is unreadable")
                    }
                    if let last = lastCheckpoint?.checkpoint, last.size > signed.checkpoint.size {
                        throw problem(
                            "the checkpoint at position \(event.globalPosition) has size \(signed.checkpoint.size), "
                                + "below the \(last.size) recorded before it"
                        )
                    }
                    lastCheckpoint = signed
                default:
                    break
                }
                ledgerStreamVersion = event.streamVersion
            }
            if page.count < limit { return }
        }
    }

    /// Rebuilds the tree from the leaf records, then re-reads the store and compares every recorded leaf with
    /// its event, and ledgers the unrecorded tail up to the cursor.
    private func rebuild() async throws(AuditError) {
        do {
            try await readLedgerStream(rebuilding: true)
        } catch  where error.code == .storeFailure {
            throw error
        } catch {
            // Recorded as the integrity problem; keep what was adopted so far.
        }
        let cursorName = configuration.cursorName
        let cursor = try await storeCall { [store] in try await store.loadCursor(cursorName) } ?? 0
        let recorded = persistedCount
        let target = max(cursor, lastPosition)
        // A signed checkpoint proves its entries were ledgered, even when a slower instance saved the shared cursor
        // below them afterwards: the unrecorded tail is ledgered at least up to the last checkpoint's size.
        let signedSize = lastCheckpoint?.checkpoint.size ?? 0
        let hasher = configuration.hasher
        var scratch = [UInt8](repeating: 0, count: tree.digestSize)
        var index = 0
        var after: Int64 = 0
        func report(_ message: String) {
            integrityProblem = integrityProblem ?? AuditError(code: .inconsistentHistory, message: message)
        }
        scan: while after < target || tree.size < signedSize {
            let from = after
            let page = try await storeCall { [store, configuration] in
                try await store.readAll(after: from, limit: configuration.pageSize)
            }
            for event in page {
                if index < recorded {
                    let expected = positions[index]
                    if event.globalPosition != expected {
                        if event.globalPosition > expected {
                            report("the event at position \(expected) (leaf \(index)) is missing from the store")
                        } else {
                            report(
                                "an event at position \(event.globalPosition) was inserted before position "
                                    + "\(expected) (leaf \(index))"
                            )
                        }
                        break scan
                    }
                    let bytes = try CanonicalEventEncoding.encode(event)
                    bytes.withUnsafeBytes { raw in
                        scratch.withUnsafeMutableBytes {
                            hasher.hash(prefix: 0, raw, UnsafeRawBufferPointer(start: nil, count: 0), into: $0)
                        }
                    }
                    guard scratch.withUnsafeBytes({ tree.leafHash(at: index, equals: $0) }) else {
                        report("the event at position \(expected) (leaf \(index)) was changed")
                        break scan
                    }
                } else if event.globalPosition <= target || tree.size < signedSize {
                    try append(event)
                } else {
                    break scan
                }
                index += 1
            }
            guard let last = page.last, page.count == configuration.pageSize else { break }
            after = last.globalPosition
        }
        if index < recorded, integrityProblem == nil {
            report("the event at position \(positions[index]) (leaf \(index)) is missing from the store")
        }
        if integrityProblem == nil, cursor > lastPosition {
            report("the ledgered event at position \(cursor) is no longer in the store")
        }
        if integrityProblem == nil {
            do {
                try checkExtendsLastCheckpoint()
            } catch {
                // checkExtendsLastCheckpoint records the problem.
            }
        }
    }

    private func acquire() async {
        if busy {
            await withCheckedContinuation { waiters.append($0) }
        } else {
            busy = true
        }
    }

    private func release() {
        if waiters.isEmpty {
            busy = false
        } else {
            waiters.removeFirst().resume()
        }
    }

    func storeCall<T: Sendable>(
        _ body: @Sendable () async throws -> T
    ) async throws(AuditError) -> T {
        do {
            return try await body()
        } catch let error as AuditError {
            throw error
        } catch {
            throw AuditError(code: .storeFailure, message: "\(error)")
        }
    }
}

/// The payload of the `audit.ledger.created` event.
struct LedgerGenesis: Codable, Sendable {
    var origin: String
    var hasher: String
    var digestSize: Int
    var canonicalFormat: Int
}

/// The payload of the `audit.checkpoint.signed` event.
struct CheckpointRecord: Codable, Sendable {
    var checkpoint: String
    var size: Int
    var rootHash: LedgerHash
}

/// The verdict of ``Ledger/verifyStore()``: ok, or the first leaf index at which the store differs.
public enum StoreVerification: Sendable, Hashable, CustomStringConvertible {
    /// Every ledgered event still has its recorded bytes; `unledgered` newer events were not checked.
    case ok(verifiedSize: Int, unledgered: Int)
    /// The event at `index` has different bytes (a field, the payload or the position was changed).
    case mismatch(index: Int)
    /// The event at `index` is gone (deleted, or the log was truncated there).
    case missing(index: Int)
    /// An event that was never ledgered was inserted before the event at `index`.
    case extra(index: Int)
    /// The event found at `index` belongs at a later index (events were swapped or moved).
    case reordered(index: Int)

    /// `true` for ``ok(verifiedSize:unledgered:)``.
    public var isOK: Bool {
        if case .ok = self { return true }
        return false
    }

    /// The first index that failed, or `nil` when ok.
    public var firstBadIndex: Int? {
        switch self {
        case .ok: nil
        case .mismatch(let index), .missing(let index), .extra(let index), .reordered(let index): index
        }
    }

    /// A short text such as `mismatch at index 17`.
    public var description: String {
        switch self {
        case .ok(let size, let pending): "ok (\(size) verified, \(pending) not yet ledgered)"
        case .mismatch(let index): "mismatch at index \(index)"
        case .missing(let index): "missing at index \(index)"
        case .extra(let index): "extra entry at index \(index)"
        case .reordered(let index): "reordered at index \(index)"
        }
    }
}
