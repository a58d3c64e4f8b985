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
    private var log = ChunkedLog()
    /// Each stream's id and the log positions of its events, in version order; found by ``streamNumbers``.
    private var streams: [StreamRecord] = []
    private var streamNumbers = HashIndex()
    /// Finds an event's log position by its id (the ids themselves are read from the log).
    private var eventPositions = HashIndex()
    private var cursors: [String: Int64] = [:]

    private struct StreamRecord {
        let id: StreamID
        var positions: [Int]
    }

    /// Creates an empty store.
    public init() {}

    /// Creates an empty store with room for `minimumCapacity` events.
    /// - Parameter minimumCapacity: How many events to reserve room for up front (a hint; the store grows
    ///   beyond it as needed). Reserving avoids re-filing the event index while it grows.
    public init(minimumCapacity: Int) {
        if minimumCapacity > 0 {
            eventPositions.reserve(minimumCapacity)
        }
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
        // Ids repeated inside a batch are found here; ids stored earlier by the lookups below.
        try validateAppendArguments(events, stream: stream, checkingDuplicates: events.count > 1)
        let firstHash = events[0].id.hashValue
        if let first = eventPosition(of: events[0].id, hash: firstHash) {
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
        for event in events.dropFirst() where eventPosition(of: event.id, hash: event.id.hashValue) != nil {
            throw EventStoreError(
                code: .duplicateEventID,
                message: "event id \(event.id) is already stored or repeats in the batch",
                stream: stream
            )
        }
        let streamHash = stream.hashValue
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
        for (offset, event) in events.enumerated() {
            let record = RecordedEvent(
                event,
                stream: stream,
                version: current + Int64(offset) + 1,
                position: Int64(start + offset) + 1
            )
            log.append(record)
            recorded.append(record)
            eventPositions.insert(offset == 0 ? firstHash : event.id.hashValue, start + offset)
            streams[number].positions.append(start + offset)
        }
        return AppendResult(events: recorded, deduplicated: false)
    }

    /// The log position of the event with `id`, if it is stored.
    private func eventPosition(of id: EventID, hash: Int) -> Int? {
        eventPositions.find(hash) { log.id(at: $0) == id }
    }

    /// Reads a stream in version order.
    public func readStream(_ stream: StreamID, fromVersion: Int64, limit: Int) throws -> [RecordedEvent] {
        try validateReadLimit(limit)
        try validateStreamID(stream)
        guard let number = streamNumbers.find(stream.hashValue, where: { streams[$0].id == stream }) else {
            return []
        }
        let indices = streams[number].positions
        let start = Int(max(1, fromVersion)) - 1
        guard start < indices.count else { return [] }
        let end = start + min(indices.count - start, limit)
        return indices[start..<end].map { log[$0] }
    }

    /// Reads the global log in position order.
    public func readAll(after position: Int64, limit: Int) throws -> [RecordedEvent] {
        try validateReadLimit(limit)
        let start = Int(max(0, position))
        guard start < log.count else { return [] }
        return log.slice(start..<start + min(log.count - start, limit))
    }

    /// The stream's current version.
    public func streamVersion(_ stream: StreamID) -> Int64 {
        let number = streamNumbers.find(stream.hashValue) { streams[$0].id == stream }
        return Int64(number.map { streams[$0].positions.count } ?? 0)
    }

    /// The last global position.
    public func headPosition() -> Int64 { Int64(log.count) }

    /// The saved cursor, if any.
    public func loadCursor(_ name: String) -> Int64? { cursors[name] }

    /// Saves a cursor.
    public func saveCursor(_ name: String, position: Int64) throws {
        try validateCursorName(name)
        cursors[name] = position
    }
}

/// An open-addressing table from a key's hash to a number (a log position, a stream number). The keys
/// themselves live elsewhere: a lookup passes a test that compares the key stored under a candidate number.
/// Growing re-files the stored hashes and never hashes a key again; the table holds no references.
private struct HashIndex {
    /// Hash and number of each slot; a number of -1 marks an empty slot.
    private var hashes: [Int] = []
    private var numbers: [Int] = []
    private var count = 0

    /// Makes room for `capacity` entries without growing.
    mutating func reserve(_ capacity: Int) {
        var size = 16
        while size * 3 < capacity * 4 { size *= 2 }
        if size > numbers.count { resize(to: size) }
    }

    /// The number stored under `hash` for which `matches` holds, if any.
    @inline(__always)
    func find(_ hash: Int, where matches: (Int) -> Bool) -> Int? {
        guard !numbers.isEmpty else { return nil }
        let mask = numbers.count - 1
        var slot = Self.home(hash, mask)
        while true {
            let number = numbers[slot]
            if number < 0 { return nil }
            if hashes[slot] == hash && matches(number) { return number }
            slot = (slot + 1) & mask
        }
    }

    /// Files `number` under `hash` (the caller has checked that its key is not stored yet).
    @inline(__always)
    mutating func insert(_ hash: Int, _ number: Int) {
        if (count + 1) * 4 > numbers.count * 3 { resize(to: max(16, numbers.count * 2)) }
        let mask = numbers.count - 1
        var slot = Self.home(hash, mask)
        while numbers[slot] >= 0 { slot = (slot + 1) & mask }
        hashes[slot] = hash
        numbers[slot] = number
        count += 1
    }

    @inline(__always)
    private static func home(_ hash: Int, _ mask: Int) -> Int {
        // Swift's hash values are already mixed; fold the high bits in for small tables.
        (hash ^ (hash >> 29)) & mask
    }

    private mutating func resize(to size: Int) {
        let oldHashes = hashes
        let oldNumbers = numbers
        hashes = [Int](repeating: 0, count: size)
        numbers = [Int](repeating: -1, count: size)
        let mask = size - 1
        for (hash, number) in zip(oldHashes, oldNumbers) where number >= 0 {
            var slot = Self.home(hash, mask)
            while numbers[slot] >= 0 { slot = (slot + 1) & mask }
            hashes[slot] = hash
            numbers[slot] = number
        }
    }
}

/// The global log in fixed-size chunks: appending never re-copies the events already stored.
private struct ChunkedLog {
    private static let shift = 12
    private static let chunkSize = 1 << shift
    private static let mask = chunkSize - 1
    private var chunks: [[RecordedEvent]] = []
    private(set) var count = 0

    subscript(index: Int) -> RecordedEvent { chunks[index >> Self.shift][index & Self.mask] }

    /// The id of the event at `index`, read in place.
    func id(at index: Int) -> EventID { chunks[index >> Self.shift][index & Self.mask].id }

    mutating func append(_ event: RecordedEvent) {
        if count & Self.mask == 0 {
            var chunk: [RecordedEvent] = []
            chunk.reserveCapacity(Self.chunkSize)
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(event)
        count += 1
    }

    func slice(_ range: Range<Int>) -> [RecordedEvent] {
        var result: [RecordedEvent] = []
        result.reserveCapacity(range.count)
        var index = range.lowerBound
        while index < range.upperBound {
            let chunk = index >> Self.shift
            let offset = index & Self.mask
            let end = min(range.upperBound - index, Self.chunkSize - offset)
            result.append(contentsOf: chunks[chunk][offset..<offset + end])
            index += end
        }
        return result
    }
}
