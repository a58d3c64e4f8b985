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
    private var streams: [StreamID: [Int]] = [:]
    private var eventIndex: [EventID: Int] = [:]
    private var cursors: [String: Int64] = [:]

    /// Creates an empty store.
    public init() {}

    /// Creates an empty store with room for `minimumCapacity` events.
    /// - Parameter minimumCapacity: How many events to reserve room for up front (a hint; the store grows
    ///   beyond it as needed). Reserving avoids re-copying the log while it grows.
    public init(minimumCapacity: Int) {
        if minimumCapacity > 0 {
            eventIndex.reserveCapacity(minimumCapacity)
        }
    }

    /// Appends a batch; see ``EventStore`` for the contract.
    ///
    /// The hot path hashes each event id once (claiming its position) and the stream id once (checking the
    /// expected version and extending the stream together); the rare paths (a retried batch, a reused id, a
    /// version conflict) undo the claims.
    public func append(
        _ events: [ProposedEvent],
        to stream: StreamID,
        expectedVersion: ExpectedVersion
    ) throws
        -> AppendResult
    {
        try validateAppendArguments(events, stream: stream, checkingDuplicates: false)
        let start = log.count
        if let first = eventIndex.updateValue(start, forKey: events[0].id) {
            // A retry of a stored batch returns it; anything else reusing a stored id is refused.
            eventIndex[events[0].id] = first
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
        for offset in 1..<events.count {
            if let earlier = eventIndex.updateValue(start + offset, forKey: events[offset].id) {
                // A later id is already stored (or repeats in the batch): undo this batch and refuse it whole.
                eventIndex[events[offset].id] = earlier
                for undo in events[0..<offset] where eventIndex[undo.id] ?? -1 >= start { eventIndex[undo.id] = nil }
                throw EventStoreError(
                    code: .duplicateEventID,
                    message: "event id \(events[offset].id) is already stored or repeats in the batch",
                    stream: stream
                )
            }
        }
        let claim = Self.extend(&streams[stream, default: []], expectedVersion, start..<start + events.count)
        guard claim.accepted else {
            for event in events { eventIndex[event.id] = nil }
            throw EventStoreError.versionConflict(stream: stream, expected: expectedVersion, actual: claim.current)
        }
        var recorded: [RecordedEvent] = []
        recorded.reserveCapacity(events.count)
        for (offset, event) in events.enumerated() {
            let record = RecordedEvent(
                event,
                stream: stream,
                version: claim.current + Int64(offset) + 1,
                position: Int64(start + offset) + 1
            )
            log.append(record)
            recorded.append(record)
        }
        return AppendResult(events: recorded, deduplicated: false)
    }

    /// Checks the expected version against the stream's positions and, when it holds, appends `positions`.
    private static func extend(
        _ indices: inout [Int],
        _ expected: ExpectedVersion,
        _ positions: Range<Int>
    ) -> (current: Int64, accepted: Bool) {
        let current = Int64(indices.count)
        guard expected.isSatisfied(by: current) else { return (current, false) }
        indices.append(contentsOf: positions)
        return (current, true)
    }

    /// Reads a stream in version order.
    public func readStream(_ stream: StreamID, fromVersion: Int64, limit: Int) throws -> [RecordedEvent] {
        try validateReadLimit(limit)
        try validateStreamID(stream)
        guard let indices = streams[stream] else { return [] }
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
    public func streamVersion(_ stream: StreamID) -> Int64 { Int64(streams[stream]?.count ?? 0) }

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

/// The global log in fixed-size chunks: appending never re-copies the events already stored.
private struct ChunkedLog {
    private static let shift = 12
    private static let chunkSize = 1 << shift
    private static let mask = chunkSize - 1
    private var chunks: [[RecordedEvent]] = []
    private(set) var count = 0

    subscript(index: Int) -> RecordedEvent { chunks[index >> Self.shift][index & Self.mask] }

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
