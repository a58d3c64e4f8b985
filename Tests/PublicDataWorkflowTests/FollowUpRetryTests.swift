import Foundation
import PublicDataKit
import PublicDataTesting
import Synchronization
import Testing

/// A command's follow-up effects (here the exit procedure after a termination) run after the command is recorded.
/// When they fail, `execute` throws the store's error although the command stands; a retry with the same
/// idempotency key returns the first outcome and runs the follow-up again.
struct FollowUpRetryTests {
    /// Lets `allowed` more appends through, then fails every append until healed.
    final class FlakyStore: ForwardingEventStore {
        let base: any EventStore
        private let allowed = Mutex<Int?>(nil)

        init(base: any EventStore) { self.base = base }

        func failAfter(_ count: Int) { allowed.withLock { $0 = count } }
        func heal() { allowed.withLock { $0 = nil } }

        func append(
            _ events: [ProposedEvent],
            to stream: StreamID,
            expectedVersion: ExpectedVersion
        ) async throws -> AppendResult {
            let pass = allowed.withLock { remaining -> Bool in
                guard let left = remaining else { return true }
                remaining = left - 1
                return left > 0
            }
            guard pass else { throw EventStoreError(code: .unavailable, message: "the disk is full") }
            return try await base.append(events, to: stream, expectedVersion: expectedVersion)
        }
    }

    @Test func aFailedFollowUpRunsAgainWhenTheCommandIsRetriedWithItsKey() async throws {
        let store = FlakyStore(base: InMemoryEventStore())
        let world = World(store: store)
        try await world.run(Scripts.toActiveAgreement)
        let terminate = WorkflowCommand.agreement(.terminateAgreement(agreement: "agr-1", reason: "poor service"))
        let agency = Parties.actor(.implementingAgency)

        store.failAfter(1)
        do {
            try await world.engine.execute(terminate, by: agency, idempotencyKey: "req-42")
            Issue.record("the exit procedure could not be recorded, yet execute returned")
        } catch {
            #expect(error.code == .store, "\(error)")
        }
        // The termination stands; its exit procedure has not run.
        let terminated = try await world.engine.instance(AgreementProcess.self, "agr-1")
        #expect(terminated.state == .terminated)
        #expect(terminated.openDeadlines[.exit] != nil)

        store.heal()
        let retried = try await world.engine.execute(terminate, by: agency, idempotencyKey: "req-42")
        #expect(retried.deduplicated)
        #expect(retried.events.map(\.type) == ["agreement.terminated"])
        let exited = try await world.engine.instance(AgreementProcess.self, "agr-1")
        #expect(exited.openDeadlines[.exit] == nil)
        let types = try await world.log().map(\.type)
        #expect(types.filter { $0 == "agreement.terminated" }.count == 1)
        #expect(types.contains("agreement.exitCompleted"))
    }
}
