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
/// them and saves the position under the store cursor ``LedgerConfiguration/cursorName``.
///
/// ## What it records in the store
/// On first open the ledger appends an `audit.ledger.created` event (origin, hasher name, digest size) to the
/// stream ``LedgerConfiguration/streamID``; every checkpoint it signs is appended there as an
/// `audit.checkpoint.signed` event holding the checkpoint text. These events are part of the global log and
/// are ledgered like any other. Reopening with a hasher of another name throws ``AuditError`` `hasherMismatch`.
///
/// ## Where the hashes live
/// The tree is in memory: about `2 × digestSize + 8` bytes per event (≈ 72 MB per million events with a
/// 32-byte hash). On open the ledger rebuilds it by re-reading the store up to its cursor, then checks the
/// rebuilt tree against the last signed checkpoint. If the store's history no longer matches (an event
/// changed, removed, inserted or reordered while the ledger was down) the ledger opens but refuses to sign
/// (``integrityProblem``); ``verifyStore()`` localizes changes made while the ledger holds its hashes.
///
/// ## Never two inconsistent checkpoints
/// ``signCheckpoint(with:extensions:)`` signs only a tree that extends the last signed checkpoint (same root at
/// that size), and records the checkpoint with optimistic concurrency, so two ledger processes cannot both
/// record one.
public actor Ledger {
    /// The event type recording the ledger's creation.
    public static let createdEventType = "audit.ledger.created"
    /// The event type recording a signed checkpoint.
    public static let checkpointEventType = "audit.checkpoint.signed"

    /// The ledger's configuration.
    public nonisolated let configuration: LedgerConfiguration
    private let store: any EventStore
    private let clock: any WallClock
    private var tree: MerkleTree
    private var positions: [Int64] = []
    private var lastPosition: Int64 = 0
    private var ledgerStreamVersion: Int64 = 0
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
    /// The tree is rebuilt from the store up to the ledger's cursor; call ``catchUp()`` to ledger newer events.
    /// - Parameters:
    ///   - store: The event store whose global log the ledger follows.
    ///   - configuration: The ledger's name and hasher.
    ///   - clock: The clock for the times recorded in checkpoints and ledger events.
    /// - Returns: The open ledger.
    /// - Throws: ``AuditError``: `invalidArgument` for a bad name or page size, `hasherMismatch` when the ledger
    ///   was created with another hasher, `inconsistentHistory` when its own records are unreadable,
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

    // MARK: - State

    /// The number of ledgered events (the tree size).
    public var size: Int { tree.size }
    /// The current root hash.
    public var rootHash: Digest { tree.rootHash }
    /// The checkpoint origin (``LedgerConfiguration/origin``).
    public nonisolated var origin: String { configuration.origin }
    /// The global position of the last ledgered event (0 when none).
    public var lastLedgeredPosition: Int64 { lastPosition }

    /// The root hash at an earlier size.
    /// - Throws: ``AuditError`` `invalidArgument` when `treeSize` is beyond ``size``.
    public func rootHash(atSize treeSize: Int) throws(AuditError) -> Digest {
        try tree.rootHash(atSize: treeSize)
    }

    /// The leaf hash at `index`, or `nil`.
    public func leafHash(at index: Int) -> Digest? { tree.leafHash(at: index) }

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

    /// Appends every event after the last ledgered position, in global order, and saves the cursor.
    /// - Returns: The number of events appended.
    /// - Throws: ``AuditError`` `storeFailure` when the store fails (what was appended before stays appended),
    ///   `malformedEntry` when an event cannot be encoded, `inconsistentHistory` when the store returns
    ///   positions out of order.
    @discardableResult
    public func catchUp() async throws(AuditError) -> Int {
        var added = 0
        while true {
            let after = lastPosition
            let page = try await storeCall { [store, configuration] in
                try await store.readAll(after: after, limit: configuration.pageSize)
            }
            let fresh = page.filter { $0.globalPosition > lastPosition }
            var previous = lastPosition
            for event in fresh {
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
            for event in fresh {
                try append(event)
            }
            added += fresh.count
            if !fresh.isEmpty {
                let position = lastPosition
                try await storeCall { [store, configuration] in
                    try await store.saveCursor(configuration.cursorName, position: position)
                }
            }
            if page.count < configuration.pageSize { return added }
        }
    }

    private func append(_ event: RecordedEvent) throws(AuditError) {
        let bytes = try CanonicalEventEncoding.encode(event)
        tree.append(bytes)
        positions.append(event.globalPosition)
        lastPosition = event.globalPosition
    }

    // MARK: - Checkpoints

    /// Signs a checkpoint of the current tree and records it in the ledger's stream.
    ///
    /// Call ``catchUp()`` first to include the newest events. The ledger refuses to sign when its tree does not
    /// extend the last signed checkpoint, or when ``integrityProblem`` is set.
    /// - Parameters:
    ///   - signers: One or more host signers.
    ///   - extensions: Extra checkpoint lines after the ledger's `time` line.
    /// - Returns: The signed checkpoint.
    /// - Throws: ``AuditError``: `inconsistentHistory` (refused), `signingFailed`, `invalidArgument`,
    ///   `storeFailure` (including another process having recorded a checkpoint concurrently).
    public func signCheckpoint(
        with signers: [any CheckpointSigner],
        extensions: [String] = []
    ) async throws(AuditError) -> SignedCheckpoint {
        if let integrityProblem { throw integrityProblem }
        try checkExtendsLastCheckpoint()
        let now = clock.now()
        let checkpoint = try Checkpoint(
            origin: origin,
            size: tree.size,
            rootHash: tree.rootHash,
            extensions: ["time " + PublicDataJSON.formatInstant(now)] + extensions
        )
        let signed = try await checkpoint.signed(by: signers)
        // Re-check after the suspension: another call may have signed meanwhile.
        if let integrityProblem { throw integrityProblem }
        if let last = lastCheckpoint, last.checkpoint.size > checkpoint.size {
            throw AuditError(
                code: .inconsistentHistory,
                message: "a checkpoint of size \(last.checkpoint.size) was signed meanwhile; sign again"
            )
        }
        let record = CheckpointRecord(checkpoint: signed.text, size: checkpoint.size, rootHash: checkpoint.rootHash)
        let version = ledgerStreamVersion
        let event: ProposedEvent
        do {
            event = try ProposedEvent(
                id: EventID("\(configuration.streamID.rawValue)-checkpoint-\(version + 1)"),
                type: Self.checkpointEventType,
                occurredAt: now,
                actor: nil,
                encoding: record
            )
        } catch {
            throw AuditError(code: .malformedEntry, message: "cannot encode the checkpoint record: \(error)")
        }
        _ = try await storeCall { [store, configuration] in
            try await store.append([event], to: configuration.streamID, expectedVersion: .exactly(version))
        }
        ledgerStreamVersion = version + 1
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

    // MARK: - Proofs

    /// The inclusion proof of leaf `index` in the tree of size `treeSize`.
    /// - Throws: ``AuditError`` `invalidArgument` when out of range.
    public func inclusionProof(forLeafAt index: Int, treeSize: Int) throws(AuditError) -> [Digest] {
        try tree.inclusionProof(forLeafAt: index, treeSize: treeSize)
    }

    /// The consistency proof between two tree sizes.
    /// - Throws: ``AuditError`` `invalidArgument` when out of range.
    public func consistencyProof(from oldSize: Int, to newSize: Int) throws(AuditError) -> [Digest] {
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
        let history = try await storeCall { [store] in try await store.readStream(stream, pageSize: 1000) }
        if let first = history.first {
            guard first.type == Self.createdEventType, let genesis = try? first.decodePayload(LedgerGenesis.self) else {
                throw AuditError(
                    code: .inconsistentHistory,
                    message: "stream \(stream) does not begin with the ledger's creation"
                )
            }
            guard genesis.hasher == configuration.hasher.name, genesis.digestSize == configuration.hasher.digestSize
            else {
                throw AuditError(
                    code: .hasherMismatch,
                    message:
                        "ledger \(configuration.name) was created with \(genesis.hasher), opened with \(configuration.hasher.name)"
                )
            }
            ledgerStreamVersion = history.last?.streamVersion ?? 0
            if let record = history.last(where: { $0.type == Self.checkpointEventType }) {
                do {
                    let payload = try record.decodePayload(CheckpointRecord.self)
                    lastCheckpoint = try SignedCheckpoint.parse(payload.checkpoint)
                } catch {
                    throw AuditError(
                        code: .inconsistentHistory,
                        message: "the last recorded checkpoint is unreadable: \(error)"
                    )
                }
            }
        } else {
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
                    id: EventID("\(stream.rawValue)-created"),
                    type: Self.createdEventType,
                    occurredAt: clock.now(),
                    actor: nil,
                    encoding: genesis
                )
            } catch {
                throw AuditError(code: .malformedEntry, message: "cannot encode the ledger creation: \(error)")
            }
            _ = try await storeCall { [store] in try await store.append([event], to: stream, expectedVersion: .noStream)
            }
            ledgerStreamVersion = 1
        }
        try await rebuild()
    }

    private func rebuild() async throws(AuditError) {
        let cursorName = configuration.cursorName
        let cursor = try await storeCall { [store] in try await store.loadCursor(cursorName) } ?? 0
        var after: Int64 = 0
        while after < cursor {
            let from = after
            let page = try await storeCall { [store, configuration] in
                try await store.readAll(after: from, limit: configuration.pageSize)
            }
            for event in page where event.globalPosition <= cursor {
                try append(event)
            }
            guard let last = page.last, page.count == configuration.pageSize else { break }
            after = last.globalPosition
        }
        if cursor > 0, lastPosition != cursor {
            integrityProblem = AuditError(
                code: .inconsistentHistory,
                message: "the ledgered event at position \(cursor) is no longer in the store"
            )
            return
        }
        do {
            try checkExtendsLastCheckpoint()
        } catch {
            integrityProblem = error
        }
    }

    private func storeCall<T: Sendable>(
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
    var rootHash: Digest
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
