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
struct CrashingCursorStore: ForwardingEventStore {
    let base: any EventStore

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
        let security = projection.deadlines.filter { ProcessKind.of($0.stream) == .securityRecord }
        #expect(
            projection.deadlines.filter { !security.contains($0) }.map(\.key) == ["expiryNotice", "expiry", "validity"]
        )
        // Each of the operator's three security records is reminded and expires.
        #expect(security.map(\.key).sorted() == ["expiry", "expiry", "expiry", "reminder", "reminder", "reminder"])

        try await world.run(.operator, .objection(.raiseObjection(objection: Samples.objection)))
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
        // The exit closed every deadline of the agreement's objects, the renewal of its entries' registration too.
        #expect(rebuilt.deadlines.isEmpty)

        // A new engine on the same store folds every stream to the same state as the engine that wrote it.
        let fresh = World.engine(on: world.store, clock: world.clock)
        for stream in rebuilt.states.keys {
            let kind = try #require(ProcessKind.of(stream))
            let (same, state) = try await Self.replay(stream, of: Processes.type(of: kind), world.engine, fresh)
            #expect(same, "\(stream)")
            #expect(state == rebuilt.states[stream])
        }
    }

    /// Whether `fresh` folds `stream` to the same instance as `written`, and the state's name.
    private static func replay<P: WorkflowProcess>(
        _ stream: StreamID,
        of process: P.Type,
        _ written: WorkflowEngine,
        _ fresh: WorkflowEngine
    ) async throws -> (Bool, String) {
        let id = try #require(P.kind.instanceID(of: stream))
        let before = try await written.instance(P.self, id)
        let replayed = try await fresh.instance(P.self, id)
        return (before == replayed, replayed.stateName)
    }

    @Test func theProjectionReadsTheKeysTheTypedEventsWrite() async throws {
        let world = World()
        try await world.run(Scripts.lifecycle)
        var checked = 0
        for event in try await world.log() {
            let kind = try #require(ProcessKind.of(event.streamID), "\(event.type)")
            let (trace, deadlines) = try Self.traceAndDeadlines(event, as: Processes.type(of: kind))
            let fields = try event.decodePayload(ProjectionFields.self)
            #expect(fields.operatorID == trace.operatorID, "\(event.type)")
            #expect(fields.agreementID == trace.agreementID, "\(event.type)")
            #expect(fields.catalogEntryIDs == trace.catalogEntryIDs, "\(event.type)")
            #expect(fields.providerIDs == trace.providerIDs, "\(event.type)")
            #expect((fields.deadlines ?? []) == deadlines, "\(event.type)")
            checked += 1
        }
        #expect(checked > 50)
    }

    /// The trace keys and opened deadlines of a recorded event, read as its process's typed event.
    private static func traceAndDeadlines<P: WorkflowProcess>(
        _ event: RecordedEvent,
        as process: P.Type
    ) throws -> (TraceKeys, [ScheduledDeadline]) {
        let envelope = try EventEnvelope<P>(decoding: event)
        return (envelope.trace, envelope.deadlines)
    }

    @Test func everyStoredPayloadIsWhatItsTypedEventEncodes() async throws {
        let world = World()
        try await world.run(Scripts.lifecycle)
        var types: Set<String> = []
        for event in try await world.log() {
            let kind = try #require(ProcessKind.of(event.streamID), "\(event.type)")
            let encoded = try Self.reencoded(event, as: Processes.type(of: kind))
            #expect(encoded == event.payload, "\(event.type)")
            types.insert(event.type)
        }
        #expect(types.count > 50)
    }

    /// Decodes a recorded event as its process's typed event and encodes it again as the engine writes it.
    private static func reencoded<P: WorkflowProcess>(_ event: RecordedEvent, as process: P.Type) throws -> Data {
        let envelope = try EventEnvelope<P>(decoding: event)
        return try envelope.encodedPayload(closing: P.spec(envelope.event.kind).closes)
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
