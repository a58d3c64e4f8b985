/// The version a stream must be at for an append to succeed (optimistic concurrency).
public enum ExpectedVersion: Sendable, Hashable, CustomStringConvertible {
    /// Append whatever the stream's version (use only for streams with a single writer).
    case any
    /// The stream must not exist yet (version 0).
    case noStream
    /// The stream's last event must have exactly this version (0 means the stream does not exist).
    case exactly(Int64)

    /// Whether a stream currently at `version` satisfies this expectation.
    public func isSatisfied(by version: Int64) -> Bool {
        switch self {
        case .any: true
        case .noStream: version == 0
        case .exactly(let expected): version == expected
        }
    }

    /// `any`, `noStream` or the number.
    public var description: String {
        switch self {
        case .any: "any"
        case .noStream: "noStream"
        case .exactly(let version): "\(version)"
        }
    }
}

/// The result of a successful append.
public struct AppendResult: Sendable, Hashable {
    /// The events as stored, in order, with their stream versions and global positions.
    public var events: [RecordedEvent]
    /// `true` when the whole batch had been stored before (a retry) and nothing was written now.
    public var deduplicated: Bool

    /// Creates a result.
    public init(events: [RecordedEvent], deduplicated: Bool) {
        self.events = events
        self.deduplicated = deduplicated
    }

    /// The stream's version after the append (the last event's version).
    public var streamVersion: Int64 { events.last?.streamVersion ?? 0 }
    /// The global position of the last event.
    public var lastPosition: Int64 { events.last?.globalPosition ?? 0 }
}

/// An error from an ``EventStore``. A store that throws has written **nothing** for that call.
///
/// Errors are a struct with an extensible ``Code``; compare codes, not messages:
///
/// ```swift
/// do { try await store.append(events, to: stream, expectedVersion: .exactly(3)) }
/// catch let error as EventStoreError where error.code == .versionConflict { /* reload, re-decide */ }
/// ```
public struct EventStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The stream was not at the expected version; nothing was written.
        public static let versionConflict = Code("versionConflict")
        /// Some (not all) event ids of the batch are already stored, or an id repeats inside the batch.
        public static let duplicateEventID = Code("duplicateEventID")
        /// The batch is empty or otherwise malformed (empty stream id, negative limit, ...).
        public static let invalidArgument = Code("invalidArgument")
        /// The database cannot be opened, is locked beyond the busy timeout, or is not a store of this library.
        public static let unavailable = Code("unavailable")
        /// A stored row could not be read back (damaged or foreign data).
        public static let corrupted = Code("corrupted")
        /// The database's schema is newer than this library understands; nothing was touched.
        public static let schemaTooNew = Code("schemaTooNew")
        /// Any other failure reported by the database (the message and SQLSTATE say which).
        public static let backend = Code("backend")

        /// The code's name.
        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// A human-readable explanation.
    public var message: String
    /// The stream concerned, if any.
    public var stream: StreamID?
    /// For a version conflict: the expected version.
    public var expectedVersion: ExpectedVersion?
    /// For a version conflict: the stream's actual version.
    public var actualVersion: Int64?
    /// The database file or connection target, when known.
    public var location: String?
    /// The SQLSTATE (PostgreSQL) or extended result code (SQLite), when the backend gave one.
    public var backendCode: String?

    /// Creates an error.
    public init(
        code: Code,
        message: String,
        stream: StreamID? = nil,
        expectedVersion: ExpectedVersion? = nil,
        actualVersion: Int64? = nil,
        location: String? = nil,
        backendCode: String? = nil
    ) {
        self.code = code
        self.message = message
        self.stream = stream
        self.expectedVersion = expectedVersion
        self.actualVersion = actualVersion
        self.location = location
        self.backendCode = backendCode
    }

    /// A version-conflict error.
    public static func versionConflict(stream: StreamID, expected: ExpectedVersion, actual: Int64) -> Self {
        EventStoreError(
            code: .versionConflict,
            message: "stream \(stream) is at version \(actual), expected \(expected)",
            stream: stream,
            expectedVersion: expected,
            actualVersion: actual
        )
    }

    /// One line with the code, message, location and backend code.
    public var description: String {
        var text = "event store \(code): \(message)"
        if let location { text += " [\(location)]" }
        if let backendCode { text += " (code \(backendCode))" }
        return text
    }
}

/// Durable, append-only storage of events with optimistic concurrency, plus named cursors.
///
/// ## Contract
/// Every conforming store — in memory, SQLite, PostgreSQL or a host's own — must guarantee:
///
/// 1. **Atomic batches.** ``append(_:to:expectedVersion:)`` stores all events of the batch or none.
///    When it returns, the batch is durable (persisted before it is acknowledged).
/// 2. **Optimistic concurrency.** The batch is stored only if the stream's current version satisfies
///    `expectedVersion`; otherwise it throws ``EventStoreError`` with code `versionConflict` and writes nothing.
///    Stream versions are 1, 2, 3, … without gaps.
/// 3. **Idempotent event ids.** If *every* event id of the batch is already stored in that stream, in
///    that order, the call writes nothing and returns the stored events with `deduplicated == true`
///    (checked before the version). If only some are stored, or an id repeats within the batch, it
///    throws `duplicateEventID` and writes nothing. An event id is never stored twice.
/// 4. **Global order.** Each event gets a global position, strictly increasing in the order events
///    become visible. Gaps are allowed (a rolled-back transaction), but **a reader that has seen position
///    `p` never later discovers a committed event below `p`.** A SQL store must therefore not expose a
///    row until every row with a lower position is committed or rolled back: PostgreSQL sequences commit
///    out of order, so either serialize position assignment inside the appending transaction (a
///    transaction-scoped advisory lock or a counter row), or record `pg_current_xact_id()` per row and let
///    readers see only rows below `pg_snapshot_xmin(pg_current_snapshot())`. SQLite's single writer gives
///    the guarantee for free.
/// 5. **Reads.** ``readStream(_:fromVersion:limit:)`` returns a stream's events in version order;
///    ``readAll(after:limit:)`` returns events with a position greater than `after`, in position order,
///    at most `limit` of them. Events read back are equal (`==`) to the events returned by the append.
/// 6. **Cursors.** ``saveCursor(_:position:)`` durably stores a reader's last processed position under a
///    name; ``loadCursor(_:)`` returns it, or `nil` if never saved.
///
/// 7. **Identifiers and text are stored exactly.** Stream ids, event ids, event types, cursor names and the
///    actor's party follow ``IdentifierRules`` (no NUL or other control character, bounded length); an append
///    or cursor save breaking them throws `invalidArgument` and writes nothing, and a read naming such a
///    stream or cursor throws `invalidArgument` or finds nothing. Every accepted string (including non-ASCII
///    text) reads back byte for byte: a store binds and reads text with explicit lengths, never with C-string
///    semantics. Payloads larger than ``EventStoreLimits`` are refused with `invalidArgument`.
///
/// Errors are ``EventStoreError``; a call that throws has changed nothing. `PublicDataTesting`'s
/// `EventStoreConformance` checks all of the above, including concurrent appenders.
public protocol EventStore: Sendable {
    /// Appends a batch to a stream if the stream is at `expectedVersion`.
    /// - Parameters:
    ///   - events: One or more events; all are stored or none.
    ///   - stream: The stream to append to.
    ///   - expectedVersion: The version the stream must be at.
    /// - Returns: The stored events with their versions and positions.
    /// - Throws: ``EventStoreError`` (`versionConflict`, `duplicateEventID`, `invalidArgument`, backend failures).
    func append(
        _ events: [ProposedEvent],
        to stream: StreamID,
        expectedVersion: ExpectedVersion
    ) async throws
        -> AppendResult

    /// Reads up to `limit` events of `stream` with versions `>= fromVersion`, in version order.
    /// - Throws: ``EventStoreError``.
    func readStream(_ stream: StreamID, fromVersion: Int64, limit: Int) async throws -> [RecordedEvent]

    /// Reads up to `limit` events of the global log with positions `> after`, in position order.
    /// - Throws: ``EventStoreError``.
    func readAll(after position: Int64, limit: Int) async throws -> [RecordedEvent]

    /// The current version of `stream` (0 when it has no events).
    /// - Throws: ``EventStoreError``.
    func streamVersion(_ stream: StreamID) async throws -> Int64

    /// The highest global position readers may currently see (0 for an empty store).
    /// - Throws: ``EventStoreError``.
    func headPosition() async throws -> Int64

    /// The position saved under `name`, or `nil` if none was saved.
    /// - Throws: ``EventStoreError``.
    func loadCursor(_ name: String) async throws -> Int64?

    /// Durably saves `position` under `name`, replacing any earlier value.
    /// - Throws: ``EventStoreError``.
    func saveCursor(_ name: String, position: Int64) async throws
}

extension EventStore {
    /// Reads every event of `stream`, in version order, page by page.
    /// - Throws: ``EventStoreError``.
    public func readStream(_ stream: StreamID, pageSize: Int = 1000) async throws -> [RecordedEvent] {
        var result: [RecordedEvent] = []
        var next: Int64 = 1
        while true {
            let page = try await readStream(stream, fromVersion: next, limit: pageSize)
            result += page
            guard page.count == pageSize, let last = page.last, last.streamVersion < .max else { return result }
            next = last.streamVersion + 1
        }
    }

    /// Reads every event of the global log after `position`, page by page.
    /// - Throws: ``EventStoreError``.
    public func readAll(after position: Int64 = 0, pageSize: Int = 1000) async throws -> [RecordedEvent] {
        var result: [RecordedEvent] = []
        var after = position
        while true {
            let page = try await readAll(after: after, limit: pageSize)
            result += page
            guard page.count == pageSize, let last = page.last else { return result }
            after = last.globalPosition
        }
    }
}

/// Checks the arguments of an append the same way in every shipped store.
///
/// - Parameters:
///   - events: The batch.
///   - stream: The target stream.
///   - checkingDuplicates: Whether to look for an id repeated inside the batch here (a store whose
///     unique index catches repeats anyway may pass `false`).
/// - Throws: ``EventStoreError`` with code `invalidArgument` or `duplicateEventID`.
public func validateAppendArguments(
    _ events: [ProposedEvent],
    stream: StreamID,
    checkingDuplicates: Bool = true
) throws(EventStoreError) {
    try validateStreamID(stream)
    guard !events.isEmpty else {
        throw EventStoreError(code: .invalidArgument, message: "an append needs at least one event", stream: stream)
    }
    var seen: Set<EventID> = []
    var payloadBytes = 0
    // Fields are read through the array in place: a copy of each event would retain every one of its references.
    for index in events.indices {
        func refuse(_ field: String, _ problem: String) -> EventStoreError {
            EventStoreError(
                code: .invalidArgument,
                message: "event \(index) of the batch: the \(field) is invalid: \(problem)",
                stream: stream
            )
        }
        if let problem = IdentifierRules.problem(
            in: events[index].id.rawValue,
            maximumUTF8Length: EventID.maximumUTF8Length
        ) {
            throw refuse("event id \(IdentifierRules.quoted(events[index].id.rawValue))", problem)
        }
        if let problem = IdentifierRules.problem(
            in: events[index].type,
            maximumUTF8Length: IdentifierRules.maximumNameUTF8Length
        ) {
            throw refuse("type \(IdentifierRules.quoted(events[index].type))", problem)
        }
        if let actor = events[index].actor {
            if let problem = IdentifierRules.problem(
                in: actor.party.rawValue,
                maximumUTF8Length: PartyID.maximumUTF8Length
            ) {
                throw refuse("actor party \(IdentifierRules.quoted(actor.party.rawValue))", problem)
            }
            if let problem = IdentifierRules.textProblem(in: actor.person) { throw refuse("actor person", problem) }
        }
        // Three checks written out: a list of (field, text) pairs here was an array allocated per event.
        if let text = events[index].metadata.correlationID, let problem = IdentifierRules.textProblem(in: text) {
            throw refuse("correlation id", problem)
        }
        if let text = events[index].metadata.causationID, let problem = IdentifierRules.textProblem(in: text) {
            throw refuse("causation id", problem)
        }
        if let text = events[index].metadata.policyVersion, let problem = IdentifierRules.textProblem(in: text) {
            throw refuse("policy version", problem)
        }
        guard events[index].payload.count <= EventStoreLimits.maximumPayloadBytes else {
            throw refuse(
                "payload",
                "it is \(events[index].payload.count) bytes; the maximum is \(EventStoreLimits.maximumPayloadBytes)"
            )
        }
        payloadBytes += events[index].payload.count
        guard payloadBytes <= EventStoreLimits.maximumBatchPayloadBytes else {
            throw EventStoreError(
                code: .invalidArgument,
                message: "the batch's payloads exceed \(EventStoreLimits.maximumBatchPayloadBytes) bytes",
                stream: stream
            )
        }
        guard !checkingDuplicates || seen.insert(events[index].id).inserted else {
            throw EventStoreError(
                code: .duplicateEventID,
                message: "event id \(events[index].id) appears twice in one batch",
                stream: stream
            )
        }
    }
}

/// Checks a read limit.
/// - Throws: ``EventStoreError`` with code `invalidArgument` when `limit` is not positive.
public func validateReadLimit(_ limit: Int) throws(EventStoreError) {
    guard limit > 0 else {
        throw EventStoreError(code: .invalidArgument, message: "a read limit must be positive, got \(limit)")
    }
}

/// The sizes every shipped store accepts; an append beyond them is refused with `invalidArgument`, before
/// anything is sent to the database.
public enum EventStoreLimits {
    /// The largest payload of one event: 64 MiB (SQLite's own limit is about 1 GB, PostgreSQL's 1 GB).
    public static let maximumPayloadBytes = 64 << 20
    /// The largest sum of payloads in one batch: 256 MiB.
    public static let maximumBatchPayloadBytes = 256 << 20
}

/// Checks a stream id against ``IdentifierRules`` (at most ``IdentifierRules/maximumStreamIDUTF8Length`` bytes).
/// - Throws: ``EventStoreError`` with code `invalidArgument` naming the reason.
public func validateStreamID(_ stream: StreamID) throws(EventStoreError) {
    if let problem = IdentifierRules.problem(in: stream.rawValue, maximumUTF8Length: StreamID.maximumUTF8Length) {
        throw EventStoreError(
            code: .invalidArgument,
            message: "the stream id \(IdentifierRules.quoted(stream.rawValue)) is invalid: \(problem)"
        )
    }
}

/// Checks a cursor name against ``IdentifierRules`` (at most ``IdentifierRules/maximumNameUTF8Length`` bytes).
/// - Throws: ``EventStoreError`` with code `invalidArgument` naming the reason.
public func validateCursorName(_ name: String) throws(EventStoreError) {
    if let problem = IdentifierRules.problem(in: name, maximumUTF8Length: IdentifierRules.maximumNameUTF8Length) {
        throw EventStoreError(
            code: .invalidArgument,
            message: "the cursor name \(IdentifierRules.quoted(name)) is invalid: \(problem)"
        )
    }
}
