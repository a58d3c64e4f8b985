import PublicDataModel

/// An observer that keeps every event it receives, for tests (in the style of swift-metrics' `TestMetrics`).
///
/// ```swift
/// let observer = RecordingObserver()
/// let engine = WorkflowEngine(store: store, clock: clock, calendar: calendar, policy: .beijingDefault,
///                             observer: observer)
/// // … run commands …
/// #expect(observer.events.contains { if case .commandRefused = $0 { true } else { false } })
/// ```
public final class RecordingObserver: PublicDataObserver {
    private let box = LockedBox<[ObservedEvent]>([])

    /// An observer with no events.
    public init() {}

    /// Records the event.
    public func observe(_ event: ObservedEvent) {
        box.withLock { $0.append(event) }
    }

    /// Every event received, in order.
    public var events: [ObservedEvent] { box.withLock { $0 } }

    /// Forgets every event.
    public func reset() { box.withLock { $0.removeAll() } }
}
