/// An ``EventStore`` held in memory: fast, exact, and gone when the process ends.
///
/// Use it for tests, demos and single-process tools. It meets the whole store contract (atomic batches,
/// optimistic concurrency, idempotent ids, gap-free global order) because an actor serializes every call.
///
/// ```swift
/// let store = InMemoryEventStore()
/// let result = try await store.append([event], to: "plan-001", expectedVersion: .noStream)
/// ```
public actor InMemoryEventStore: EventStore {
    /// Everything the store holds except cursors. Only this actor's methods reach it, so the actor serialises
    /// every access; reaching it through constant references spares the dynamic exclusivity check (a runtime
    /// call and a thread-local access set) that each access to a `var` property of an actor costs.
    private let storage: StoreStorage
    private var cursors: [String: Int64] = [:]

    private var state: UnsafeMutablePointer<StoreState> {
        @inline(__always) get { storage.state }
    }

    /// Creates an empty store.
    public init() {
        storage = StoreStorage(StoreState())
    }

    /// Creates an empty store with room for `minimumCapacity` events.
    /// - Parameter minimumCapacity: How many events to reserve room for up front (a hint; the store grows
    ///   beyond it as needed). Reserving avoids re-filing the event index while it grows.
    public init(minimumCapacity: Int) {
        var state = StoreState()
        if minimumCapacity > 0 {
            state.eventPositions.reserve(minimumCapacity)
        }
        storage = StoreStorage(state)
    }

    /// Appends a batch; see ``EventStore`` for the contract.
    ///
    /// The hot path hashes each event id once and the stream id once. Every check (a retried batch, a reused
    /// id, a version conflict) runs before anything is written, so a refused batch leaves nothing to undo.
    public func append(
        _ events: [ProposedEvent],
        to stream: StreamID,
        expectedVersion: ExpectedVersion
    ) throws
        -> AppendResult
    {
        try state.pointee.append(events, to: stream, expectedVersion: expectedVersion)
    }

    /// Reads a stream in version order.
    public func readStream(_ stream: StreamID, fromVersion: Int64, limit: Int) throws -> [RecordedEvent] {
        try validateReadLimit(limit)
        try validateStreamID(stream)
        return state.pointee.read(stream, fromVersion: fromVersion, limit: limit)
    }

    /// Reads the global log in position order.
    public func readAll(after position: Int64, limit: Int) throws -> [RecordedEvent] {
        try validateReadLimit(limit)
        let start = Int(max(0, position))
        let count = state.pointee.log.count
        guard start < count else { return [] }
        return state.pointee.log.slice(start..<start + min(count - start, limit))
    }

    /// Reads the global log in position order, as ``readAll(after:limit:)`` does, without copying an event: each
    /// element is a run of consecutive events that one append stored, read in place (keeping it costs one
    /// reference to that append's array). The runs joined are exactly what ``readAll(after:limit:)`` returns.
    ///
    /// For readers that go through the whole log in memory, such as a projection's replay.
    /// - Throws: ``EventStoreError`` (`invalidArgument` for a limit below 1).
    public func readAllInPlace(after position: Int64, limit: Int) throws -> [ArraySlice<RecordedEvent>] {
        try validateReadLimit(limit)
        let start = Int(max(0, position))
        let count = state.pointee.log.count
        guard start < count else { return [] }
        return state.pointee.log.runs(start..<start + min(count - start, limit))
    }

    /// The stream's current version.
    public func streamVersion(_ stream: StreamID) -> Int64 { state.pointee.version(of: stream) }

    /// The last global position.
    public func headPosition() -> Int64 { Int64(state.pointee.log.count) }

    /// The saved cursor, if any.
    public func loadCursor(_ name: String) -> Int64? { cursors[name] }

    /// Saves a cursor.
    public func saveCursor(_ name: String, position: Int64) throws {
        try validateCursorName(name)
        cursors[name] = position
    }
}

/// Owns the store's state: allocated once, freed with the store.
private final class StoreStorage {
    let state: UnsafeMutablePointer<StoreState>

    init(_ initial: StoreState) {
        state = .allocate(capacity: 1)
        state.initialize(to: initial)
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }
}

/// The store's events, streams and lookup tables (see ``InMemoryEventStore``).
private struct StoreState {
    /// Hashes event and stream ids for both tables (see ``TextHasher``).
    let hasher = TextHasher()
    var log = BatchLog()
    /// Each stream's id and the log positions of its events, in version order; found by ``streamNumbers``.
    var streams: [StreamRecord] = []
    var streamNumbers = HashIndex()
    /// Finds an event's log position by its id (the ids themselves are read from the log).
    var eventPositions = HashIndex()

    struct StreamRecord {
        let id: StreamID
        var positions: [Int]
    }

    /// Checks and appends a batch (see ``InMemoryEventStore/append(_:to:expectedVersion:)``).
    mutating func append(
        _ events: [ProposedEvent],
        to stream: StreamID,
        expectedVersion: ExpectedVersion
    ) throws -> AppendResult {
        // With a million events stored, the first id's home slot in `eventPositions` is rarely in the cache: it is
        // loaded before the arguments are checked, so that the checks run while it arrives. (An empty batch is
        // refused by the checks; hashing an id they refuse is harmless.)
        let firstHash = events.isEmpty ? 0 : hasher.hash(events[0].id.rawValue)
        let firstHomeWord = eventPositions.homeWord(of: firstHash)
        // Ids repeated inside a batch are found here; ids stored earlier by the lookups below.
        try validateAppendArguments(events, stream: stream, checkingDuplicates: events.count > 1)
        if let first = eventPositions.find(
            firstHash,
            homeWord: firstHomeWord,
            where: { log.id(at: $0) == events[0].id }
        ) {
            // A retry of a stored batch returns it; anything else reusing a stored id is refused.
            let stored = log.slice(first..<min(log.count, first + events.count))
            guard stored.count == events.count, zip(stored, events).allSatisfy({ $0.id == $1.id }),
                stored.allSatisfy({ $0.streamID == stream })
            else {
                throw EventStoreError(
                    code: .duplicateEventID,
                    message: "event id \(events[0].id) is already stored, but not as this batch",
                    stream: stream
                )
            }
            return AppendResult(events: stored, deduplicated: true)
        }
        for index in events.indices.dropFirst()
        where eventPosition(of: events[index].id, hash: hasher.hash(events[index].id.rawValue)) != nil {
            throw EventStoreError(
                code: .duplicateEventID,
                message: "event id \(events[index].id) is already stored or repeats in the batch",
                stream: stream
            )
        }
        let streamHash = hasher.hash(stream.rawValue)
        let existing = streamNumbers.find(streamHash) { streams[$0].id == stream }
        let current = Int64(existing.map { streams[$0].positions.count } ?? 0)
        guard expectedVersion.isSatisfied(by: current) else {
            throw EventStoreError.versionConflict(stream: stream, expected: expectedVersion, actual: current)
        }
        let number: Int
        if let existing {
            number = existing
        } else {
            number = streams.count
            streams.append(StreamRecord(id: stream, positions: []))
            streamNumbers.insert(streamHash, number)
        }
        let start = log.count
        var recorded: [RecordedEvent] = []
        recorded.reserveCapacity(events.count)
        // Each event is read through the array and copied into its record; the log keeps the result's array
        // itself (shared, not copied). (Building the array with `init(unsafeUninitializedCapacity:)` instead
        // called the standard library's unspecialised allocator, which looks up generic metadata per append.)
        for offset in events.indices {
            recorded.append(
                RecordedEvent(
                    events[offset],
                    stream: stream,
                    version: current + Int64(offset) + 1,
                    position: Int64(start + offset) + 1
                )
            )
        }
        for offset in events.indices {
            eventPositions.insert(offset == 0 ? firstHash : hasher.hash(events[offset].id.rawValue), start + offset)
        }
        log.append(recorded)
        if events.count == 1 {
            streams[number].positions.append(start)
        } else {
            streams[number].positions.append(contentsOf: start..<start + events.count)
        }
        return AppendResult(events: recorded, deduplicated: false)
    }

    /// The log position of the event with `id`, if it is stored.
    func eventPosition(of id: EventID, hash: Int) -> Int? {
        eventPositions.find(hash) { log.id(at: $0) == id }
    }

    func read(_ stream: StreamID, fromVersion: Int64, limit: Int) -> [RecordedEvent] {
        guard let number = streamNumbers.find(hasher.hash(stream.rawValue), where: { streams[$0].id == stream }) else {
            return []
        }
        let indices = streams[number].positions
        let start = Int(max(1, fromVersion)) - 1
        guard start < indices.count else { return [] }
        let end = start + min(indices.count - start, limit)
        return indices[start..<end].map { log[$0] }
    }

    func version(of stream: StreamID) -> Int64 {
        let number = streamNumbers.find(hasher.hash(stream.rawValue)) { streams[$0].id == stream }
        return Int64(number.map { streams[$0].positions.count } ?? 0)
    }
}

/// An open-addressing table from a key's hash to a number (a log position, a stream number). The keys
/// themselves live elsewhere: a lookup passes a test that compares the key stored under a candidate number.
///
/// Each slot is one word: the hash's high 32 bits above the number plus one (0 marks an empty slot), so a
/// probe reads one cache line. The home slot is taken from the hash's highest bits, which the slot keeps:
/// growing re-files the stored words and never hashes a key again; the table holds no references.
private struct HashIndex {
    private var slots: [UInt64] = []
    private var count = 0
    /// log2 of the table's size.
    private var shift = 0

    /// Makes room for `capacity` entries without growing.
    mutating func reserve(_ capacity: Int) {
        var size = 16
        while size * 3 < capacity * 4 { size *= 2 }
        if size > slots.count { resize(to: size) }
    }

    /// The number stored under `hash` for which `matches` holds, if any.
    @inline(__always)
    func find(_ hash: Int, where matches: (Int) -> Bool) -> Int? {
        find(hash, homeWord: homeWord(of: hash), where: matches)
    }

    /// The word in `hash`'s home slot (0 when the table is empty), where a search for `hash` starts: a caller
    /// that loads it early can do other work while it comes from memory, then pass it to
    /// ``find(_:homeWord:where:)`` (with no insert in between).
    @inline(__always)
    func homeWord(of hash: Int) -> UInt64 {
        guard !slots.isEmpty else { return 0 }
        let shift = self.shift
        return slots.withUnsafeBufferPointer { $0[Self.home(Self.tag(hash), shift)] }
    }

    /// ``find(_:where:)`` given the word in `hash`'s home slot, as ``homeWord(of:)`` read it.
    @inline(__always)
    func find(_ hash: Int, homeWord: UInt64, where matches: (Int) -> Bool) -> Int? {
        guard !slots.isEmpty else { return nil }
        let tag = Self.tag(hash)
        let mask = slots.count - 1
        return slots.withUnsafeBufferPointer { slots in
            var slot = Self.home(tag, shift)
            var word = homeWord
            while true {
                if word == 0 { return nil }
                if UInt32(truncatingIfNeeded: word >> 32) == tag {
                    let number = Int(UInt32(truncatingIfNeeded: word)) - 1
                    if matches(number) { return number }
                }
                slot = (slot + 1) & mask
                word = slots[slot]
            }
        }
    }

    /// Files `number` under `hash` (the caller has checked that its key is not stored yet).
    @inline(__always)
    mutating func insert(_ hash: Int, _ number: Int) {
        precondition(number < Int(UInt32.max), "the in-memory store holds at most 4,294,967,294 entries")
        if (count + 1) * 4 > slots.count * 3 { resize(to: max(16, slots.count * 2)) }
        Self.place(UInt64(Self.tag(hash)) << 32 | UInt64(number + 1), in: &slots, shift: shift)
        count += 1
    }

    /// The hash's high 32 bits (``TextHasher`` mixes over all bits).
    @inline(__always)
    private static func tag(_ hash: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: UInt64(bitPattern: Int64(hash)) >> 32)
    }

    /// The slot where the search for `tag` starts in a table of `1 << shift` slots.
    @inline(__always)
    private static func home(_ tag: UInt32, _ shift: Int) -> Int {
        shift == 0 ? 0 : Int(tag >> UInt32(32 - shift))
    }

    @inline(__always)
    private static func place(_ word: UInt64, in slots: inout [UInt64], shift: Int) {
        let mask = slots.count - 1
        slots.withUnsafeMutableBufferPointer { slots in
            var slot = home(UInt32(truncatingIfNeeded: word >> 32), shift)
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = word
        }
    }

    private mutating func resize(to size: Int) {
        precondition(size <= 1 << 32, "the in-memory store's tables hold at most 2^32 slots")
        let old = slots
        slots = [UInt64](repeating: 0, count: size)
        shift = size.trailingZeroBitCount
        for word in old where word != 0 { Self.place(word, in: &slots, shift: shift) }
    }
}

/// The global log as the batches appended, each the very array its append returned (arrays are shared until
/// written, so keeping one costs a reference, not a copy of its events), with the batch of every position.
private struct BatchLog {
    private var batches: [[RecordedEvent]] = []
    /// The position (from 0) of each batch's first event.
    private var starts: [Int] = []
    /// The batch of each position.
    private var batchOfPosition: [Int32] = []
    private(set) var count = 0

    subscript(index: Int) -> RecordedEvent {
        let batch = Int(batchOfPosition[index])
        return batches[batch][index - starts[batch]]
    }

    /// The id of the event at `index`, read in place.
    func id(at index: Int) -> EventID {
        let batch = Int(batchOfPosition[index])
        return batches[batch][index - starts[batch]].id
    }

    mutating func append(_ batch: [RecordedEvent]) {
        precondition(batches.count < Int(Int32.max), "the in-memory store holds at most 2,147,483,647 batches")
        if batch.count == 1 {
            batchOfPosition.append(Int32(batches.count))
        } else {
            batchOfPosition.append(contentsOf: repeatElement(Int32(batches.count), count: batch.count))
        }
        starts.append(count)
        batches.append(batch)
        count += batch.count
    }

    /// The events at `range` as slices of the batches that hold them, in order.
    func runs(_ range: Range<Int>) -> [ArraySlice<RecordedEvent>] {
        var result: [ArraySlice<RecordedEvent>] = []
        var index = range.lowerBound
        while index < range.upperBound {
            let batch = Int(batchOfPosition[index])
            let offset = index - starts[batch]
            let end = min(batches[batch].count, offset + range.upperBound - index)
            result.append(batches[batch][offset..<end])
            index += end - offset
        }
        return result
    }

    func slice(_ range: Range<Int>) -> [RecordedEvent] {
        var result: [RecordedEvent] = []
        result.reserveCapacity(range.count)
        var index = range.lowerBound
        while index < range.upperBound {
            let batch = Int(batchOfPosition[index])
            let offset = index - starts[batch]
            let end = min(batches[batch].count, offset + range.upperBound - index)
            result.append(contentsOf: batches[batch][offset..<end])
            index += end - offset
        }
        return result
    }
}

/// Hashes a string's UTF-8 bytes with a seed drawn per store: a few multiplications per 8 bytes, where Swift's
/// `Hasher` (SipHash) cost about a tenth of a batch-1 append.
///
/// Keys are found by their bytes: the store only files identifiers that passed ``IdentifierRules``, which accept
/// only NFC text, so two stored identifiers are equal (`==`) exactly when their bytes are. A lookup naming text
/// that is canonically equivalent to a stored identifier but spelled with other bytes (which no append accepts)
/// finds nothing, as in the SQL stores. The random seed keeps the table's layout unpredictable from outside.
private struct TextHasher {
    private let seed = UInt64.random(in: .min ... .max)

    /// The hash of `text`'s UTF-8 bytes.
    @inline(__always)
    func hash(_ text: String) -> Int {
        if let hash = text.utf8.withContiguousStorageIfAvailable({ hash(UnsafeRawBufferPointer($0)) }) {
            return hash
        }
        var copy = text
        return copy.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }

    @inline(__always)
    private func hash(_ bytes: UnsafeRawBufferPointer) -> Int {
        var state = seed ^ (UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15)
        var offset = 0
        while offset + 8 <= bytes.count {
            state = Self.mix(
                state ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self),
                0xA076_1D64_78BD_642F
            )
            offset += 8
        }
        if offset < bytes.count {
            var tail: UInt64 = 0
            for index in offset..<bytes.count {
                tail |= UInt64(bytes[index]) << (UInt64(index - offset) * 8)
            }
            state = Self.mix(state ^ tail, 0xE703_7ED1_A0B4_28DB)
        }
        return Int(truncatingIfNeeded: Self.mix(state ^ 0x8EBC_6AF0_9C88_C6E3, 0x5899_65CC_7537_4CC3))
    }

    /// The high and low halves of the full product, folded (the mixing step of wyhash).
    @inline(__always)
    private static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }
}
