import Foundation
import PublicDataAudit
import PublicDataTesting

/// A clock that always says the same instant.
struct FixedClock: WallClock {
    var instant = Date(millisecondsSince1970: 1_790_000_000_000)
    func now() -> Date { instant }
}

/// A host-side event store that keeps rows in an array and lets tests tamper with them.
///
/// `readAll` returns rows in array order (as a careless SQL query without ORDER BY might), so swapped rows
/// come back out of order.
actor TamperableStore: EventStore {
    var rows: [RecordedEvent] = []
    private var cursors: [String: Int64] = [:]
    private var nextPosition: Int64 = 1

    func append(
        _ events: [ProposedEvent],
        to stream: StreamID,
        expectedVersion: ExpectedVersion
    ) throws
        -> AppendResult
    {
        try validateAppendArguments(events, stream: stream)
        let current = Int64(rows.filter { $0.streamID == stream }.count)
        guard expectedVersion.isSatisfied(by: current) else {
            throw EventStoreError.versionConflict(stream: stream, expected: expectedVersion, actual: current)
        }
        var recorded: [RecordedEvent] = []
        for (offset, event) in events.enumerated() {
            let record = RecordedEvent(
                id: event.id,
                streamID: stream,
                streamVersion: current + Int64(offset) + 1,
                globalPosition: nextPosition,
                type: event.type,
                occurredAt: event.occurredAt,
                actor: event.actor,
                payload: event.payload,
                metadata: event.metadata
            )
            nextPosition += 2  // leave gaps, as a store with rolled-back transactions would
            recorded.append(record)
        }
        rows += recorded
        return AppendResult(events: recorded, deduplicated: false)
    }

    func readStream(_ stream: StreamID, fromVersion: Int64, limit: Int) throws -> [RecordedEvent] {
        Array(rows.filter { $0.streamID == stream && $0.streamVersion >= fromVersion }.prefix(limit))
    }

    func readAll(after position: Int64, limit: Int) throws -> [RecordedEvent] {
        Array(rows.filter { $0.globalPosition > position }.prefix(limit))
    }

    func streamVersion(_ stream: StreamID) -> Int64 { Int64(rows.filter { $0.streamID == stream }.count) }
    func headPosition() -> Int64 { rows.map(\.globalPosition).max() ?? 0 }
    func loadCursor(_ name: String) -> Int64? { cursors[name] }
    func saveCursor(_ name: String, position: Int64) { cursors[name] = position }

    // MARK: Tampering

    func mutate(_ index: Int, _ change: @Sendable (inout RecordedEvent) -> Void) { change(&rows[index]) }
    func remove(at index: Int) { rows.remove(at: index) }
    func insert(_ event: RecordedEvent, at index: Int) { rows.insert(event, at: index) }
    func swapRows(_ i: Int, _ j: Int) { rows.swapAt(i, j) }
    func truncate(to count: Int) { rows.removeLast(rows.count - count) }
    func setRows(_ newRows: [RecordedEvent]) { rows = newRows }
}

enum Fixtures {
    static let clerk = Principal(party: "bj-agency", role: .implementingAgency, person: "wang.li")
    static let operatorActor = Principal(party: "op-1", role: .operator, person: "zhao")
    static let signer = TestCheckpointSigner(name: "test-ledger-key", key: Array("k1".utf8))
    static let otherSigner = TestCheckpointSigner(name: "test-ledger-key", key: Array("k2".utf8))

    static func event(_ number: Int, type: String = "test.happened", payload: String? = nil) -> ProposedEvent {
        ProposedEvent(
            id: EventID("evt-\(number)"),
            type: type,
            occurredAt: Date(millisecondsSince1970: 1_780_000_000_000 + Int64(number) * 1000),
            actor: number % 3 == 0 ? nil : (number % 2 == 0 ? clerk : operatorActor),
            payload: Data((payload ?? "{\"n\":\(number),\"note\":\"事件\(number)\"}").utf8),
            metadata: EventMetadata(
                correlationID: number % 2 == 0 ? "req-\(number)" : nil,
                causationID: nil,
                policyVersion: number % 4 == 0 ? "policy@\(number)" : nil
            )
        )
    }

    /// A store with `count` events on a few streams.
    static func store(events count: Int) async throws -> TamperableStore {
        let store = TamperableStore()
        for number in 0..<count {
            _ = try await store.append([event(number)], to: StreamID("stream-\(number % 3)"), expectedVersion: .any)
        }
        return store
    }

    static func ledger(_ store: some EventStore, hasher: any LedgerHasher = SHA256Hasher()) async throws -> Ledger {
        try await Ledger.open(
            store: store,
            configuration: LedgerConfiguration(name: "test.ledger", hasher: hasher, pageSize: 4),
            clock: FixedClock()
        )
    }
}
