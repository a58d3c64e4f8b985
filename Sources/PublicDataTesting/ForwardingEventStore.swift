import PublicDataModel

/// A store that answers every call by passing it to another store, except the calls it declares itself.
///
/// Tests wrap a real store to inject one failure or one change — a cursor save that crashes, an append that
/// loses its connection, ids renamed before they are stored — and leave the rest of the contract to the real
/// store. Conform, name the wrapped store `base`, and implement only the calls that differ; every other call of
/// `EventStore` forwards to `base` unchanged, so the wrapper deduplicates, orders and fails
/// exactly as the wrapped store does.
///
/// ```swift
/// struct CrashingCursorStore: ForwardingEventStore {
///     let base: any EventStore
///     func saveCursor(_ name: String, position: Int64) async throws {
///         throw EventStoreError(code: .unavailable, message: "crashed before the cursor was saved")
///     }
/// }
/// ```
///
/// An actor conforms with `nonisolated let base`.
public protocol ForwardingEventStore: EventStore {
    /// The store that answers every call this type does not implement itself.
    var base: any EventStore { get }
}

extension ForwardingEventStore {
    /// Appends through ``base``.
    /// - Throws: What ``base`` throws.
    public func append(
        _ events: [ProposedEvent],
        to stream: StreamID,
        expectedVersion: ExpectedVersion
    ) async throws -> AppendResult {
        try await base.append(events, to: stream, expectedVersion: expectedVersion)
    }

    /// Reads a stream through ``base``.
    /// - Throws: What ``base`` throws.
    public func readStream(_ stream: StreamID, fromVersion: Int64, limit: Int) async throws -> [RecordedEvent] {
        try await base.readStream(stream, fromVersion: fromVersion, limit: limit)
    }

    /// Reads the global log through ``base``.
    /// - Throws: What ``base`` throws.
    public func readAll(after position: Int64, limit: Int) async throws -> [RecordedEvent] {
        try await base.readAll(after: position, limit: limit)
    }

    /// The stream's version according to ``base``.
    /// - Throws: What ``base`` throws.
    public func streamVersion(_ stream: StreamID) async throws -> Int64 {
        try await base.streamVersion(stream)
    }

    /// The head position according to ``base``.
    /// - Throws: What ``base`` throws.
    public func headPosition() async throws -> Int64 {
        try await base.headPosition()
    }

    /// Loads a cursor from ``base``.
    /// - Throws: What ``base`` throws.
    public func loadCursor(_ name: String) async throws -> Int64? {
        try await base.loadCursor(name)
    }

    /// Saves a cursor in ``base``.
    /// - Throws: What ``base`` throws.
    public func saveCursor(_ name: String, position: Int64) async throws {
        try await base.saveCursor(name, position: position)
    }
}
