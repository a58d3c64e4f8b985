import Foundation
import PublicDataModel
import PublicDataWorkflow

extension PublicDataApplication {
    /// Runs the background work until the task is cancelled: fires due deadlines, delivers notifications and
    /// extends the audit ledger (``tick()``), then waits for the next due deadline, for the store's wake-up
    /// (PostgreSQL LISTEN/NOTIFY, when the store offers `EventStoreWakeUps`) or for `pollInterval`, whichever
    /// comes first.
    ///
    /// It returns normally when cancelled (a clean shutdown: the current round finishes first). A failing round
    /// is reported to the observer and to `onError`, and the loop goes on after `pollInterval`; cursors make
    /// every round safe to repeat, from any number of processes.
    ///
    /// ```swift
    /// let service = Task { try await app.run() }
    /// // … serve requests …
    /// service.cancel()
    /// _ = await service.result
    /// ```
    /// - Parameters:
    ///   - pollInterval: The longest wait between rounds.
    ///   - onError: Called with a round's error before the loop waits and retries.
    public func run(
        pollInterval: Duration = .seconds(5),
        onError: @Sendable (any Error) -> Void = { _ in }
    ) async {
        let wakeUps = (store as? any EventStoreWakeUps)?.logWakeUps()
        let signal = WakeSignal()
        let listener = Task {
            guard let wakeUps else { return }
            for await _ in wakeUps { signal.wake() }
        }
        defer { listener.cancel() }
        while !Task.isCancelled {
            var wait = pollInterval
            do {
                try await tick()
                if let due = try await projections().deadlines.first?.dueAt {
                    let seconds = max(0, due.timeIntervalSince(configuration.clock.now()))
                    wait = min(wait, .milliseconds(Int64(min(seconds, 86_400) * 1000) + 1))
                }
            } catch {
                onError(error)
            }
            if Task.isCancelled { return }
            await signal.wait(atMost: wait)
        }
    }

    /// The recorded events of the global log after `position`, in order, as they are appended; the sequence
    /// ends when the task is cancelled and throws the store's error.
    ///
    /// For a host's own followers (a search index, a data warehouse): save the position of the last event you
    /// processed and resume from it.
    ///
    /// ```swift
    /// for try await event in app.events(after: savedPosition) { try await index(event) }
    /// ```
    /// - Parameters:
    ///   - position: The last position already processed (0 for the whole log).
    ///   - pageSize: Events read per query.
    ///   - pollInterval: How long to wait when caught up (a store wake-up ends the wait early).
    public func events(
        after position: Int64,
        pageSize: Int = 512,
        pollInterval: Duration = .seconds(1)
    ) -> AsyncThrowingStream<RecordedEvent, any Error> {
        let store = self.store
        return AsyncThrowingStream { continuation in
            let task = Task {
                let signal = WakeSignal()
                let wakeUps = (store as? any EventStoreWakeUps)?.logWakeUps()
                let listener = Task {
                    guard let wakeUps else { return }
                    for await _ in wakeUps { signal.wake() }
                }
                defer { listener.cancel() }
                var cursor = position
                do {
                    while !Task.isCancelled {
                        let page = try await store.readAll(after: cursor, limit: pageSize)
                        for event in page {
                            continuation.yield(event)
                            cursor = event.globalPosition
                        }
                        if page.count < pageSize { await signal.wait(atMost: pollInterval) }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// A wake-up that a waiter takes at most once, or a timeout; cancellation ends the wait.
final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = LockedBox(State())

    func wake() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    func wait(atMost timeout: Duration) async {
        let timer = Task {
            try? await Task.sleep(for: timeout)
            self.wake()
        }
        defer { timer.cancel() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.pending {
                        state.pending = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            self.wake()
        }
        state.withLock { $0.pending = false }
    }
}
