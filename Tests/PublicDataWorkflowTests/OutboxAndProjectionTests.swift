import Foundation
import PublicDataKit
import PublicDataTesting
import Synchronization
import Testing

@testable import PublicDataWorkflow

/// A sink that fails a number of times before it delivers.
final class FlakySink: NotificationSink {
    private let failures = Mutex(0)
    let inner = RecordingNotificationSink()

    init(failFirst count: Int) { failures.withLock { $0 = count } }

    func deliver(_ notification: NotificationMessage) async throws {
        let fail = failures.withLock { remaining -> Bool in
            guard remaining > 0 else { return false }
            remaining -= 1
            return true
        }
        if fail { throw CancellationError() }
        try await inner.deliver(notification)
    }
}

/// A store whose cursor saves fail: a process that crashes between delivery and saving the cursor.
struct CrashingCursorStore: EventStore {
    let base: any EventStore

    func append(
        _ events: [ProposedEvent],
        to stream: StreamID,
        expectedVersion: ExpectedVersion
    ) async throws
        -> AppendResult
    { try await base.append(events, to: stream, expectedVersion: expectedVersion) }
    func readStream(_ stream: StreamID, fromVersion: Int64, limit: Int) async throws -> [RecordedEvent] {
        try await base.readStream(stream, fromVersion: fromVersion, limit: limit)
    }
    func readAll(after position: Int64, limit: Int) async throws -> [RecordedEvent] {
        try await base.readAll(after: position, limit: limit)
    }
    func streamVersion(_ stream: StreamID) async throws -> Int64 { try await base.streamVersion(stream) }
    func headPosition() async throws -> Int64 { try await base.headPosition() }
    func loadCursor(_ name: String) async throws -> Int64? { try await base.loadCursor(name) }
    func saveCursor(_ name: String, position: Int64) async throws {
        throw EventStoreError(code: .unavailable, message: "crashed before the cursor was saved")
    }
}

struct OutboxTests {
    @Test func everyNotificationIsDeliveredOnceWithAStableID() async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        let sink = RecordingNotificationSink()
        let dispatcher = NotificationDispatcher(store: world.store, sink: sink)
        let report = try await dispatcher.dispatchPending()
        let expected = try await world.log().flatMap(NotificationDispatcher.notifications(in:))
        #expect(!expected.isEmpty)
        #expect(report.delivered == expected.count)
        #expect(sink.notifications == expected)
        #expect(Set(expected.map(\.id)).count == expected.count)
        // The government hears of the submitted plan; the operator of its selection and agreement.
        #expect(expected.contains { $0.kind == "plan.submitted" && $0.recipient == Parties.government })
        #expect(expected.contains { $0.kind == "selection.operatorSelected" && $0.recipient == Parties.operatorParty })
        #expect(expected.contains { $0.kind == "agreement.signed" && $0.recipient == Parties.administration })
        // Nothing new: nothing delivered again.
        #expect(try await dispatcher.dispatchPending().delivered == 0)
        #expect(sink.deliveryAttempts == expected.count)
    }

    @Test func aFailingSinkIsRetriedWithGrowingBackOff() async throws {
        let world = World()
        try await world.run(Scripts.setup)
        let sink = FlakySink(failFirst: 3)
        let waits = Mutex<[Duration]>([])
        let dispatcher = NotificationDispatcher(
            store: world.store,
            sink: sink,
            retry: RetryPolicy(maximumAttempts: 5, initialDelay: .milliseconds(10), multiplier: 2),
            sleep: { delay in waits.withLock { $0.append(delay) } }
        )
        let report = try await dispatcher.dispatchPending()
        #expect(report.retries == 3)
        #expect(waits.withLock { $0 } == [.milliseconds(10), .milliseconds(20), .milliseconds(40)])
        #expect(sink.inner.notifications.count == report.delivered)
    }

    @Test func aSinkThatKeepsFailingStopsBeforeTheEventAndLosesNothing() async throws {
        let world = World()
        try await world.run(Scripts.setup)
        let sink = FlakySink(failFirst: 100)
        let failing = NotificationDispatcher(
            store: world.store,
            sink: sink,
            retry: RetryPolicy(maximumAttempts: 2),
            sleep: { _ in }
        )
        await expectRefusal(.delivery) { try await failing.dispatchPending() }
        let cursor = try await world.store.loadCursor(failing.cursorName) ?? 0
        let healthy = RecordingNotificationSink()
        try await NotificationDispatcher(store: world.store, sink: healthy).dispatchPending()
        let expected = try await world.log().flatMap(NotificationDispatcher.notifications(in:))
        #expect(healthy.notifications == expected.filter { $0.sourcePosition > cursor })
        #expect(!healthy.notifications.isEmpty)
    }

    @Test func aCrashBetweenDeliveryAndCursorSaveRedelivers() async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        let sink = RecordingNotificationSink()
        let crashing = NotificationDispatcher(store: CrashingCursorStore(base: world.store), sink: sink)
        await expectRefusal(.store) { try await crashing.dispatchPending() }
        let first = sink.notifications
        #expect(first.count == 1)  // delivered, then the process "crashed" before saving the cursor
        try await NotificationDispatcher(store: world.store, sink: sink).dispatchPending()
        let expected = try await world.log().flatMap(NotificationDispatcher.notifications(in:))
        #expect(sink.notifications == expected)  // de-duplicated by id: nothing lost, nothing doubled
        #expect(sink.deliveryAttempts == expected.count + 1)  // the first one was delivered twice
    }
}

struct ProjectionTests {
    @Test func projectionsShowTheLifecycle() async throws {
        let world = World()
        try await world.run(Scripts.toPublishedProduct)
        let projection = try await world.engine.projections()
        #expect(projection.agreementsByOperator[Parties.operatorParty] == ["agr-1": "active"])
        #expect(projection.activeGrantsByCatalogEntry["ent-open"] == ["req-1"])
        #expect(projection.activeGrantsByCatalogEntry["ent-cond"] == ["req-2"])
        #expect(projection.products["prod-1"]?.state == "published")
        #expect(projection.products["prod-1"]?.pricePlan == Samples.pricePlan())
        #expect(projection.deadlines.map(\.key) == ["expiryNotice", "expiry"])

        try await world.run(.operator, .raiseObjection(Samples.objection))
        let withObjection = try await world.engine.projections()
        #expect(withObjection.objectionsByProvider[Parties.provider] == ["obj-1": "raised"])
    }

    @Test func rebuildingFromTheLogGivesTheSameProjectionAndState() async throws {
        let world = World()
        // Keep a projection up to date step by step while the lifecycle runs.
        var incremental = WorkflowProjection()
        for step in Scripts.lifecycle {
            try await world.run([step])
            try await incremental.catchUp(with: world.store, pageSize: 7)
        }
        let rebuilt = try await WorkflowProjection.rebuild(from: world.store)
        #expect(incremental == rebuilt)
        #expect(rebuilt.eventCount == (try await world.log().count))
        #expect(rebuilt.activeGrantsByCatalogEntry.isEmpty)
        #expect(rebuilt.agreementsByOperator[Parties.operatorParty] == ["agr-1": "terminated"])
        #expect(rebuilt.deadlines.map(\.key) == ["validity"])

        // A new engine on the same store folds every stream to the same state as the engine that wrote it.
        let fresh = World.engine(on: world.store, clock: world.clock)
        for stream in rebuilt.states.keys {
            let written = try await world.engine.instance(stream)
            let replayed = try await fresh.instance(stream)
            #expect(written == replayed, "\(stream)")
            #expect(replayed.state == rebuilt.states[stream])
        }
    }

    @Test func theFastFieldReaderAgreesWithJSONDecoder() async throws {
        let world = World()
        try await world.run(Scripts.lifecycle)
        var checked = 0
        for event in try await world.log() {
            guard let fast = ProjectionFields.fast(event.payload) else { continue }
            #expect(fast == (try event.decodePayload(ProjectionFields.self)), "\(event.type)")
            checked += 1
        }
        #expect(checked > 50)
        #expect(ProjectionFields.fast(Data(#"{"operatorID":"a\"b"}"#.utf8)) == nil)
        #expect(ProjectionFields.fast(Data(#"{"operatorID":"#.utf8)) == nil)
        #expect(ProjectionFields.fast(Data(#"{"x":[1,{"y":"]"}],"agreementID":"agr-1"}"#.utf8))?.agreementID == "agr-1")
    }

    @Test func theFastPayloadWriterWritesWhatJSONEncoderWrites() async throws {
        let world = World()
        try await world.run(Scripts.lifecycle)
        let encoder = PublicDataJSON.makeEncoder()
        var types: Set<String> = []
        for event in try await world.log() {
            let payload = try event.decodePayload(WorkflowPayload.self)
            #expect(try payload.encodedJSON(with: encoder) == encoder.encode(payload), "\(event.type)")
            #expect(event.payload == (try encoder.encode(payload)), "\(event.type)")
            types.insert(event.type)
        }
        #expect(types.count > 50)
        var tricky = WorkflowPayload()
        tricky.note = "quote \" backslash \\ slash / tab \t newline \n bell \u{07} 中文 \u{2028}"
        tricky.reason = ""
        #expect(try tricky.encodedJSON(with: encoder) == encoder.encode(tricky))
    }

    @Test func applyingAnEventTwiceChangesNothing() async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        let log = try await world.log()
        var projection = WorkflowProjection()
        for event in log { try projection.apply(event) }
        let once = projection
        for event in log { try projection.apply(event) }
        #expect(projection == once)
    }
}
