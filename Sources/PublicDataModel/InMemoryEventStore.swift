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
    private var log: [RecordedEvent] = []
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
            log.reserveCapacity(minimumCapacity)
            eventIndex.reserveCapacity(minimumCapacity)
        }
    }

    /// Appends a batch; see ``EventStore`` for the contract.
    public func append(
        _ events: [ProposedEvent],
        to stream: StreamID,
        expectedVersion: ExpectedVersion
    ) throws
        -> AppendResult
    {
        try validateAppendArguments(events, stream: stream, checkingDuplicates: false)
        if let first = eventIndex[events[0].id] {
            // A retry of a stored batch returns it; anything else reusing a stored id is refused.
            let stored = Array(log[first..<min(log.count, first + events.count)])
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
        let current = Int64(streams[stream]?.count ?? 0)
        guard expectedVersion.isSatisfied(by: current) else {
            throw EventStoreError.versionConflict(stream: stream, expected: expectedVersion, actual: current)
        }
        let start = log.count
        for (offset, event) in events.enumerated() {
            if eventIndex.updateValue(start + offset, forKey: event.id) != nil {
                // A later id is already stored (or repeats in the batch): undo this batch and refuse it whole.
                for undo in events[0..<offset] { eventIndex[undo.id] = nil }
                eventIndex[event.id] = log.firstIndex { $0.id == event.id }
                log.removeSubrange(start...)
                throw EventStoreError(
                    code: .duplicateEventID,
                    message: "event id \(event.id) is already stored or repeats in the batch",
                    stream: stream
                )
            }
            log.append(
                RecordedEvent(
                    event,
                    stream: stream,
                    version: current + Int64(offset) + 1,
                    position: Int64(start + offset) + 1
                )
            )
        }
        streams[stream, default: []].append(contentsOf: start..<log.count)
        return AppendResult(events: Array(log[start...]), deduplicated: false)
    }

    /// Reads a stream in version order.
    public func readStream(_ stream: StreamID, fromVersion: Int64, limit: Int) throws -> [RecordedEvent] {
        try validateReadLimit(limit)
        guard let indices = streams[stream] else { return [] }
        let start = Int(max(1, fromVersion)) - 1
        guard start < indices.count else { return [] }
        let end = min(indices.count, start + limit)
        return indices[start..<end].map { log[$0] }
    }

    /// Reads the global log in position order.
    public func readAll(after position: Int64, limit: Int) throws -> [RecordedEvent] {
        try validateReadLimit(limit)
        let start = Int(max(0, position))
        guard start < log.count else { return [] }
        return Array(log[start..<min(log.count, start + limit)])
    }

    /// The stream's current version.
    public func streamVersion(_ stream: StreamID) -> Int64 { Int64(streams[stream]?.count ?? 0) }

    /// The last global position.
    public func headPosition() -> Int64 { Int64(log.count) }

    /// The saved cursor, if any.
    public func loadCursor(_ name: String) -> Int64? { cursors[name] }

    /// Saves a cursor.
    public func saveCursor(_ name: String, position: Int64) throws {
        guard !name.isEmpty else {
            throw EventStoreError(code: .invalidArgument, message: "a cursor name may not be empty")
        }
        cursors[name] = position
    }
}
