#if PostgreSQL
import Foundation
import PublicDataModel

/// One append waiting to be sent: the batch, its stream and the version it expects.
struct PostgresAppendRequest: Sendable {
    var events: [ProposedEvent]
    var stream: StreamID
    var expectedVersion: ExpectedVersion
}

/// What the server answered for one batch.
enum PostgresAppendOutcome: Sendable {
    case appended(version: Int64, position: Int64)
    case deduplicated([RecordedEvent])
    case conflict(actual: Int64)
    case duplicate(String)
}

/// Group commit inside one store instance: at most `limit` append calls are in flight at once; appends that
/// arrive while they are all busy queue here, and the next call takes every queued batch with it (one
/// transaction, one round trip, one commit for all of them).
///
/// An append either *leads* — it holds one of the `limit` slots, takes queued batches when its pooled
/// connection is ready, sends them with its own and answers them — or *follows*: it waits in the queue until
/// a leader answers it, or until a slot is handed to it (a leader gives its slot to the oldest queued append
/// as soon as its append call has returned, before it waits for positions). One appender alone always leads
/// and sends its batch on its own, as without grouping.
final class PostgresAppendGroups: @unchecked Sendable {
    /// What an append does after ``enter(_:)``.
    enum Role: Sendable {
        /// Send a call: the append holds a slot and must give it back with ``release()``. `busy` when the
        /// instance is under load: the slot came from a previous call, or appends had to queue lately.
        case lead(busy: Bool)
        /// A leader sent the batch and this is its answer.
        case answered(Result<PostgresAppendOutcome, EventStoreError>)
    }

    /// A queued append.
    final class Entry: @unchecked Sendable {
        let request: PostgresAppendRequest
        private let continuation: CheckedContinuation<Role, Never>

        init(_ request: PostgresAppendRequest, _ continuation: CheckedContinuation<Role, Never>) {
            self.request = request
            self.continuation = continuation
        }

        /// Resumes the waiting append; called exactly once, by whoever removed the entry from the queue.
        func resume(_ role: Role) { continuation.resume(returning: role) }
    }

    /// Upper bounds of one group (a leader's own batch is always sent, however large).
    static let maximumBatches = 64
    static let maximumEvents = 1_000

    private let limit: Int
    private let lock = NSLock()
    // Guarded by `lock`:
    private var queue: [Entry] = []
    private var queueStart = 0
    private var active = 0
    private var groupedBatches = 0
    private var recentQueueing = 0

    /// How many leads after an append had to queue still count as busy.
    static let busyLeads = 16

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Leads at once when a slot is free, otherwise queues until answered or handed a slot.
    func enter(_ request: PostgresAppendRequest) async -> Role {
        await withCheckedContinuation { (continuation: CheckedContinuation<Role, Never>) in
            lock.lock()
            if active < limit {
                active += 1
                let busy = freshLeadIsBusy()
                lock.unlock()
                continuation.resume(returning: .lead(busy: busy))
                return
            }
            recentQueueing = Self.busyLeads
            queue.append(Entry(request, continuation))
            lock.unlock()
        }
    }

    /// Takes a free slot without waiting (the caller leads and must give the slot back), or returns `nil` when
    /// every slot is busy; then the caller queues with ``enter(_:)``.
    func tryLead() -> Role? {
        lock.lock()
        defer { lock.unlock() }
        guard active < limit else { return nil }
        active += 1
        return .lead(busy: freshLeadIsBusy())
    }

    /// Whether a leader that found a free slot counts as busy: for ``busyLeads`` leads after an append last
    /// had to queue (under `lock`). An instance whose appenders keep queueing stays busy between its groups;
    /// one whose appends never meet stays idle.
    private func freshLeadIsBusy() -> Bool {
        guard recentQueueing > 0 else { return false }
        recentQueueing -= 1
        return true
    }

    /// How many appends wait in the queue.
    var queuedCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return queue.count - queueStart
    }

    /// How many batches went to the server in calls of more than one batch (the leaders' included).
    var batchesSentInGroups: Int {
        lock.lock()
        defer { lock.unlock() }
        return groupedBatches
    }

    /// Removes queued appends for a leader's group, oldest first, within the group's bounds.
    /// - Parameter events: The number of events the leader sends already.
    func take(besides events: Int) -> [Entry] {
        lock.lock()
        defer { lock.unlock() }
        var taken: [Entry] = []
        var total = events
        while queueStart < queue.count, taken.count + 1 < Self.maximumBatches {
            let next = queue[queueStart]
            if total + next.request.events.count > Self.maximumEvents { break }
            total += next.request.events.count
            taken.append(next)
            queueStart += 1
        }
        compact()
        if !taken.isEmpty { groupedBatches += taken.count + 1 }
        return taken
    }

    /// Gives a slot back: to the oldest queued append, which then leads, or to the next append that arrives.
    func release() {
        lock.lock()
        if queueStart < queue.count {
            let next = queue[queueStart]
            queueStart += 1
            compact()
            lock.unlock()
            next.resume(.lead(busy: true))
            return
        }
        active -= 1
        lock.unlock()
    }

    /// Drops answered entries from the front of the queue once they are the larger part (under `lock`).
    private func compact() {
        if queueStart == queue.count {
            queue.removeAll(keepingCapacity: true)
            queueStart = 0
        } else if queueStart > 32, queueStart * 2 > queue.count {
            queue.removeFirst(queueStart)
            queueStart = 0
        }
    }
}

/// A leader's slot, given back exactly once: right after the append call (so that the next group can be
/// sent while this one waits for its positions), or when the leader fails.
final class PostgresAppendSlot: @unchecked Sendable {
    private let groups: PostgresAppendGroups
    private let lock = NSLock()
    private var released = false

    init(_ groups: PostgresAppendGroups) {
        self.groups = groups
    }

    func release() {
        lock.lock()
        let first = !released
        released = true
        lock.unlock()
        if first { groups.release() }
    }
}

/// The appends a leader took from the queue, kept so that a failure can answer them too.
final class PostgresTakenAppends: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [PostgresAppendGroups.Entry] = []

    func set(_ taken: [PostgresAppendGroups.Entry]) {
        lock.lock()
        entries = taken
        lock.unlock()
    }

    /// The taken entries, once: whoever reads them answers them.
    func drain() -> [PostgresAppendGroups.Entry] {
        lock.lock()
        defer { lock.unlock() }
        let all = entries
        entries = []
        return all
    }
}
#endif
