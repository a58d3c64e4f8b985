import Foundation
import PublicDataModel
import Testing

/// The storage conformance suite: every `EventStore` — shipped or a host's own — must pass it.
///
/// It checks the whole contract documented on `EventStore`: ordering, atomic batches, version
/// conflicts, idempotent event ids, paging, cursors, data fidelity, and concurrency (many tasks appending
/// to one stream and to many streams while a reader follows the global log).
///
/// Call it from the host's own test target:
///
/// ```swift
/// import PublicDataTesting
/// import Testing
///
/// @Test func myStoreConforms() async {
///     await EventStoreConformance.run { try await MyStore.openFresh() }
/// }
/// ```
///
/// `makeStore` must return a store over an **empty** database on every call.
public enum EventStoreConformance {
    /// Sizes of the concurrency checks.
    public struct Options: Sendable {
        /// How many tasks append concurrently (at least 8 by default).
        public var concurrentTasks: Int
        /// How many events each task appends.
        public var eventsPerTask: Int

        /// Creates options.
        public init(concurrentTasks: Int = 8, eventsPerTask: Int = 25) {
            self.concurrentTasks = concurrentTasks
            self.eventsPerTask = eventsPerTask
        }
    }

    /// The names of the checks, in the order they run.
    public static let checkNames: [String] = [
        "emptyStore", "appendAndRead", "expectedVersion", "atomicBatches", "idempotentEventIDs", "invalidArguments",
        "paging", "cursors", "fidelity", "identifiers", "extremeArguments", "concurrentSameStream",
        "concurrentManyStreams", "concurrentRetries",
    ]

    /// Runs every check and returns the failures as readable lines; an empty list means the store conforms.
    /// - Parameters:
    ///   - options: Sizes of the concurrency checks.
    ///   - makeStore: Returns a store over an empty database; called once per check.
    public static func check(
        options: Options = Options(),
        makeStore: @escaping @Sendable () async throws -> any EventStore
    ) async -> [String] {
        var failures: [String] = []
        for name in checkNames {
            do {
                let store = try await makeStore()
                var log = FailureLog(check: name)
                try await run(name, store: store, options: options, log: &log)
                failures += log.failures
            } catch {
                failures.append("\(name): unexpected error: \(error)")
            }
        }
        return failures
    }

    /// Runs every check and records each failure as a Swift Testing issue.
    /// - Parameters:
    ///   - options: Sizes of the concurrency checks.
    ///   - makeStore: Returns a store over an empty database; called once per check.
    ///   - sourceLocation: Where failures are reported.
    public static func run(
        options: Options = Options(),
        makeStore: @escaping @Sendable () async throws -> any EventStore,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async {
        for failure in await check(options: options, makeStore: makeStore) {
            Issue.record(Comment(rawValue: failure), sourceLocation: sourceLocation)
        }
    }

    // MARK: - Checks

    private static func run(
        _ name: String,
        store: any EventStore,
        options: Options,
        log: inout FailureLog
    )
        async throws
    {
        switch name {
        case "emptyStore": try await emptyStore(store, &log)
        case "appendAndRead": try await appendAndRead(store, &log)
        case "expectedVersion": try await expectedVersion(store, &log)
        case "atomicBatches": try await atomicBatches(store, &log)
        case "idempotentEventIDs": try await idempotentEventIDs(store, &log)
        case "invalidArguments": try await invalidArguments(store, &log)
        case "paging": try await paging(store, &log)
        case "cursors": try await cursors(store, &log)
        case "fidelity": try await fidelity(store, &log)
        case "identifiers": try await identifiers(store, &log)
        case "extremeArguments": try await extremeArguments(store, &log)
        case "concurrentSameStream": try await concurrentSameStream(store, options, &log)
        case "concurrentManyStreams": try await concurrentManyStreams(store, options, &log)
        case "concurrentRetries": try await concurrentRetries(store, options, &log)
        default: log.fail("unknown check")
        }
    }

    private static func emptyStore(_ store: any EventStore, _ log: inout FailureLog) async throws {
        log.expect(try await store.headPosition() == 0, "head position of an empty store is not 0")
        log.expect(try await store.readAll(after: 0, limit: 10).isEmpty, "an empty store returned events")
        log.expect(try await store.streamVersion("nothing") == 0, "a missing stream's version is not 0")
        log.expect(try await store.readStream("nothing", fromVersion: 1, limit: 10).isEmpty, "missing stream read")
        log.expect(try await store.loadCursor("reader") == nil, "a cursor never saved is not nil")
    }

    private static func appendAndRead(_ store: any EventStore, _ log: inout FailureLog) async throws {
        let batch = makeEvents(3, prefix: "a")
        let result = try await store.append(batch, to: "s-1", expectedVersion: .noStream)
        log.expect(!result.deduplicated, "a first append was reported as deduplicated")
        log.expect(result.events.map(\.streamVersion) == [1, 2, 3], "versions \(result.events.map(\.streamVersion))")
        log.expect(result.events.map(\.id) == batch.map(\.id), "returned events are not the batch, in order")
        log.expect(result.events.allSatisfy { $0.streamID == "s-1" }, "returned events name another stream")
        log.expect(isStrictlyIncreasing(result.events.map(\.globalPosition)), "positions are not increasing")
        let stream = try await store.readStream("s-1", fromVersion: 1, limit: 100)
        log.expect(stream == result.events, "readStream differs from the append result")
        let all = try await store.readAll(after: 0, limit: 100)
        log.expect(all == result.events, "readAll differs from the append result")
        log.expect(try await store.streamVersion("s-1") == 3, "stream version is not 3")
        log.expect(try await store.headPosition() == result.lastPosition, "head is not the last position")
        let second = try await store.append(makeEvents(2, prefix: "b"), to: "s-2", expectedVersion: .noStream)
        log.expect(second.events.map(\.streamVersion) == [1, 2], "a second stream does not start at version 1")
        log.expect(
            (second.events.first?.globalPosition ?? 0) > result.lastPosition,
            "a later append got a lower global position"
        )
        let tail = try await store.readAll(after: result.lastPosition, limit: 100)
        log.expect(tail == second.events, "readAll(after:) does not start after the given position")
        let fromTwo = try await store.readStream("s-1", fromVersion: 2, limit: 100)
        log.expect(fromTwo.map(\.streamVersion) == [2, 3], "readStream(fromVersion: 2) returned \(fromTwo.count)")
    }

    private static func expectedVersion(_ store: any EventStore, _ log: inout FailureLog) async throws {
        _ = try await store.append(makeEvents(3, prefix: "v"), to: "s", expectedVersion: .noStream)
        let head = try await store.headPosition()
        await log.expectConflict(store, "s", .exactly(2), actual: 3, "stale version 2")
        await log.expectConflict(store, "s", .exactly(4), actual: 3, "future version 4")
        await log.expectConflict(store, "s", .noStream, actual: 3, "noStream on an existing stream")
        await log.expectConflict(store, "new", .exactly(1), actual: 0, "version 1 on a missing stream")
        log.expect(try await store.headPosition() == head, "a refused append changed the head position")
        log.expect(try await store.streamVersion("s") == 3, "a refused append changed the stream version")
        let ok = try await store.append(makeEvents(1, prefix: "w"), to: "s", expectedVersion: .exactly(3))
        log.expect(ok.events.map(\.streamVersion) == [4], "append at the expected version 3 did not give 4")
        let any = try await store.append(makeEvents(2, prefix: "x"), to: "s", expectedVersion: .any)
        log.expect(any.events.map(\.streamVersion) == [5, 6], "append with .any did not continue the stream")
        let zero = try await store.append(makeEvents(1, prefix: "y"), to: "fresh", expectedVersion: .exactly(0))
        log.expect(zero.events.map(\.streamVersion) == [1], ".exactly(0) on a missing stream did not give 1")
    }

    private static func atomicBatches(_ store: any EventStore, _ log: inout FailureLog) async throws {
        let existing = makeEvents(1, prefix: "e")
        _ = try await store.append(existing, to: "other", expectedVersion: .noStream)
        let head = try await store.headPosition()
        // A batch whose last event reuses a stored id must be refused whole.
        var batch = makeEvents(3, prefix: "p")
        batch[2].id = existing[0].id
        await log.expectError(.duplicateEventID, "a batch reusing a stored id") {
            _ = try await store.append(batch, to: "target", expectedVersion: .noStream)
        }
        // A batch with an id repeated inside it must be refused whole.
        var repeated = makeEvents(3, prefix: "r")
        repeated[2].id = repeated[0].id
        await log.expectError(.duplicateEventID, "a batch repeating an id") {
            _ = try await store.append(repeated, to: "target", expectedVersion: .noStream)
        }
        log.expect(try await store.headPosition() == head, "a refused batch left events behind")
        log.expect(try await store.streamVersion("target") == 0, "a refused batch created the stream")
        log.expect(try await store.readAll(after: 0, limit: 100).count == 1, "a refused batch is partly stored")
        let big = makeEvents(100, prefix: "big")
        let result = try await store.append(big, to: "target", expectedVersion: .noStream)
        log.expect(result.events.count == 100, "a batch of 100 stored \(result.events.count)")
        log.expect(
            result.events.map(\.streamVersion) == Array(1...100),
            "a batch of 100 did not get versions 1...100"
        )
    }

    private static func idempotentEventIDs(_ store: any EventStore, _ log: inout FailureLog) async throws {
        let batch = makeEvents(2, prefix: "i")
        let first = try await store.append(batch, to: "s", expectedVersion: .noStream)
        let head = try await store.headPosition()
        // A retry with a now-stale expected version is still recognised as the same batch.
        let retry = try await store.append(batch, to: "s", expectedVersion: .noStream)
        log.expect(retry.deduplicated, "a retried batch was not reported as deduplicated")
        log.expect(retry.events == first.events, "a retried batch did not return the stored events")
        log.expect(try await store.headPosition() == head, "a retried batch was stored again")
        let all = try await store.readAll(after: 0, limit: 100)
        log.expect(Set(all.map(\.id)).count == all.count, "an event id is stored twice")
        // The same ids sent to another stream are not the same batch.
        await log.expectError(.duplicateEventID, "stored ids appended to another stream") {
            _ = try await store.append(batch, to: "elsewhere", expectedVersion: .noStream)
        }
        log.expect(try await store.headPosition() == head, "ids sent to another stream were stored")
    }

    private static func invalidArguments(_ store: any EventStore, _ log: inout FailureLog) async throws {
        await log.expectError(.invalidArgument, "an empty batch") {
            _ = try await store.append([], to: "s", expectedVersion: .any)
        }
        await log.expectError(.invalidArgument, "a read limit of 0") {
            _ = try await store.readAll(after: 0, limit: 0)
        }
        await log.expectError(.invalidArgument, "a negative stream read limit") {
            _ = try await store.readStream("s", fromVersion: 1, limit: -1)
        }
        log.expect(try await store.headPosition() == 0, "invalid arguments wrote something")
    }

    private static func paging(_ store: any EventStore, _ log: inout FailureLog) async throws {
        var appended: [RecordedEvent] = []
        for round in 0..<25 {
            for stream in 0..<3 {
                let id = StreamID("page-\(stream)")
                let version = try await store.streamVersion(id)
                appended += try await store.append(
                    makeEvents(round % 3 + 1, prefix: "pg\(round)-\(stream)"),
                    to: id,
                    expectedVersion: .exactly(version)
                ).events
            }
        }
        var paged: [RecordedEvent] = []
        var after: Int64 = 0
        while true {
            let page = try await store.readAll(after: after, limit: 7)
            log.expect(page.count <= 7, "readAll returned more than the limit")
            guard let last = page.last else { break }
            paged += page
            after = last.globalPosition
        }
        log.expect(paged == appended, "paging the global log did not return every event once, in order")
        log.expect(isStrictlyIncreasing(paged.map(\.globalPosition)), "global positions are not increasing")
        for stream in 0..<3 {
            let id = StreamID("page-\(stream)")
            var versions: [Int64] = []
            var next: Int64 = 1
            while true {
                let page = try await store.readStream(id, fromVersion: next, limit: 4)
                guard let last = page.last else { break }
                versions += page.map(\.streamVersion)
                next = last.streamVersion + 1
            }
            let expected = appended.filter { $0.streamID == id }.map(\.streamVersion)
            log.expect(versions == expected, "paging stream \(id) returned versions out of order or incomplete")
            log.expect(versions == Array(1...Int64(versions.count)), "stream \(id) versions have gaps")
        }
        let helper = try await store.readAll(after: 0, pageSize: 10)
        log.expect(helper == appended, "readAll(after:pageSize:) differs from the appended events")
    }

    private static func cursors(_ store: any EventStore, _ log: inout FailureLog) async throws {
        try await store.saveCursor("ledger", position: 42)
        try await store.saveCursor("outbox", position: 7)
        log.expect(try await store.loadCursor("ledger") == 42, "cursor ledger was not 42")
        try await store.saveCursor("ledger", position: 43)
        log.expect(try await store.loadCursor("ledger") == 43, "cursor ledger was not replaced by 43")
        log.expect(try await store.loadCursor("outbox") == 7, "cursors are not independent")
        log.expect(try await store.loadCursor("other") == nil, "an unknown cursor is not nil")
        try await store.saveCursor("ledger", position: 0)
        log.expect(try await store.loadCursor("ledger") == 0, "a cursor cannot be reset to 0")
    }

    private static func fidelity(_ store: any EventStore, _ log: inout FailureLog) async throws {
        let instant = Date(millisecondsSince1970: 1_767_225_600_123)
        let payload =
            Data([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22]) + Data("数据 \u{0} ✓ \"quoted\"".utf8) + Data([0x22, 0x7D])
        let events = [
            ProposedEvent(
                id: EventID(UUID().uuidString),
                type: "类型.测试",
                occurredAt: instant,
                actor: Principal(party: "机构-1", role: .implementingAgency, person: "王 丽"),
                payload: payload,
                metadata: EventMetadata(correlationID: "corr-1", causationID: "cause-1", policyVersion: "beijing@1")
            ),
            ProposedEvent(
                id: EventID(UUID().uuidString),
                type: "system.tick",
                occurredAt: Date(millisecondsSince1970: -1),
                actor: nil,
                payload: Data(),
                metadata: EventMetadata()
            ),
        ]
        let result = try await store.append(events, to: "流-1", expectedVersion: .noStream)
        let read = try await store.readStream("流-1", fromVersion: 1, limit: 10)
        log.expect(read == result.events, "events read back differ from the append result")
        log.expect(read.map(\.proposed) == events, "events read back differ from what was appended")
        log.expect(read.first?.occurredAt.millisecondsSince1970 == 1_767_225_600_123, "milliseconds were lost")
    }

    /// Hostile identifiers are refused whole; every accepted identifier (non-ASCII, at the maximum length) is
    /// stored and read back byte for byte.
    private static func identifiers(_ store: any EventStore, _ log: inout FailureLog) async throws {
        let genuine = try await store.append(makeEvents(1, prefix: "genuine"), to: "req-9", expectedVersion: .noStream)
        let head = try await store.headPosition()
        let hostileStreams: [String] = [
            "req-9\u{0}shadow", "plan\u{0}A", "ctl\u{1}x", "line\nbreak", "del\u{7F}", "\u{202E}rtl",
            "zero\u{200B}width",
            " lead", "trail ", "", String(repeating: "s", count: StreamID.maximumUTF8Length + 1), "e\u{301}-decomposed",
        ]
        for text in hostileStreams {
            await log.expectError(.invalidArgument, "stream id \(text.debugDescription)") {
                _ = try await store.append(makeEvents(1, prefix: "h"), to: StreamID(text), expectedVersion: .any)
            }
        }
        var hostileEvents: [(String, ProposedEvent)] = []
        for text in [
            "evt\u{0}one", "tab\tid", "\u{85}next", String(repeating: "e", count: EventID.maximumUTF8Length + 1),
        ] {
            var event = makeEvents(1, prefix: "x")[0]
            event.id = EventID(text)
            hostileEvents.append(("event id \(text.debugDescription)", event))
        }
        var badType = makeEvents(1, prefix: "t")[0]
        badType.type = "test\u{0}event"
        hostileEvents.append(("event type with NUL", badType))
        var badParty = makeEvents(1, prefix: "p")[0]
        badParty.actor = Principal(party: "party\u{0}x", role: .operator, person: "tester")
        hostileEvents.append(("actor party with NUL", badParty))
        var badPerson = makeEvents(1, prefix: "q")[0]
        badPerson.actor = Principal(party: "party", role: .operator, person: "te\u{0}ster")
        hostileEvents.append(("actor person with NUL", badPerson))
        var badMetadata = makeEvents(1, prefix: "m")[0]
        badMetadata.metadata.correlationID = "corr\u{0}"
        hostileEvents.append(("correlation id with NUL", badMetadata))
        for (what, event) in hostileEvents {
            await log.expectError(.invalidArgument, what) {
                _ = try await store.append([event], to: "req-9", expectedVersion: .any)
            }
        }
        await log.expectError(.invalidArgument, "cursor name with NUL") {
            try await store.saveCursor("ledger\u{0}shadow", position: 1)
        }
        log.expect(try await store.headPosition() == head, "a hostile identifier wrote something")
        log.expect(try await store.streamVersion("req-9") == 1, "a hostile stream id reached the genuine stream")
        // Reads naming an impossible stream or cursor find nothing (or are refused).
        for text in ["req-9\u{0}shadow", "plan\u{0}A"] {
            do {
                let version = try await store.streamVersion(StreamID(text))
                log.expect(version == 0, "stream \(text.debugDescription) reads as version \(version)")
                let read = try await store.readStream(StreamID(text), fromVersion: 1, limit: 10)
                log.expect(read.isEmpty, "stream \(text.debugDescription) returned another stream's events")
            } catch let error as EventStoreError where error.code == .invalidArgument {
                // Refusing is allowed too.
            }
        }
        do {
            let cursor = try await store.loadCursor("ledger\u{0}shadow")
            log.expect(cursor == nil, "a cursor name with NUL found a cursor")
        } catch let error as EventStoreError where error.code == .invalidArgument {}
        // Accepted edge cases round-trip exactly.
        let longStream = String(repeating: "数", count: 85) + "s"  // 256 UTF-8 bytes
        let accepted: [(StreamID, EventID)] = [
            ("流-数据-✓", "事件-é-📦"),
            (StreamID(longStream), EventID(String(repeating: "界", count: 341) + "e")),  // 1024 bytes
            ("req-9 shadow", "inner space"),
        ]
        for (stream, id) in accepted {
            var event = makeEvents(1, prefix: "ok")[0]
            event.id = id
            event.actor = Principal(
                party: PartyID(String(repeating: "机", count: 42) + "xy"),
                role: .operator,
                person: "王\t丽"
            )
            let result = try await store.append([event], to: stream, expectedVersion: .noStream)
            let read = try await store.readStream(stream, fromVersion: 1, limit: 10)
            log.expect(read == result.events, "stream \(stream.rawValue.prefix(8))… did not read back its event")
            log.expect(
                read.first.map { Array($0.id.rawValue.utf8) == Array(id.rawValue.utf8) } == true,
                "event id \(id.rawValue.prefix(8))… did not read back byte for byte"
            )
            log.expect(
                read.first.map { Array($0.streamID.rawValue.utf8) == Array(stream.rawValue.utf8) } == true,
                "stream id \(stream.rawValue.prefix(8))… did not read back byte for byte"
            )
        }
        log.expect(try await store.streamVersion("req-9") == 1, "an accepted identifier reached stream req-9")
        let all = try await store.readAll(after: 0, limit: 100)
        log.expect(all.count == 1 + accepted.count, "the log holds \(all.count) events, expected \(1 + accepted.count)")
        log.expect(all.first == genuine.events.first, "the genuine event changed")
    }

    /// Extreme numbers at the edges of every argument give answers or typed errors, never a trap.
    private static func extremeArguments(_ store: any EventStore, _ log: inout FailureLog) async throws {
        let instants: [Int64] = [.min, .min + 1, -1, 0, 1 << 53, (1 << 53) + 1, .max - 1, .max]
        var events = makeEvents(instants.count, prefix: "z")
        for (index, ms) in instants.enumerated() { events[index].occurredAt = Date(millisecondsSince1970: ms) }
        let result = try await store.append(events, to: "extreme", expectedVersion: .noStream)
        let read = try await store.readStream("extreme", fromVersion: .min, limit: .max)
        log.expect(read == result.events, "extreme instants did not read back equal")
        log.expect(
            read.map(\.occurredAt.millisecondsSince1970) == events.map(\.occurredAt.millisecondsSince1970),
            "extreme instants changed: \(read.map(\.occurredAt.millisecondsSince1970))"
        )
        log.expect(try await store.readAll(after: .min, limit: .max) == result.events, "readAll(after: .min) differs")
        log.expect(try await store.readAll(after: .max, limit: .max).isEmpty, "readAll(after: .max) returned events")
        log.expect(
            try await store.readStream("extreme", fromVersion: .max, limit: .max).isEmpty,
            "readStream(fromVersion: .max) returned events"
        )
        await log.expectConflict(store, "extreme", .exactly(.max), actual: Int64(instants.count), "version Int64.max")
        await log.expectConflict(store, "extreme", .exactly(.min), actual: Int64(instants.count), "version Int64.min")
        let paged = try await store.readAll(after: 0, pageSize: .max)
        log.expect(paged == result.events, "readAll(pageSize: .max) differs")
        try await store.saveCursor("extreme", position: .min)
        log.expect(try await store.loadCursor("extreme") == .min, "cursor Int64.min did not round-trip")
        try await store.saveCursor("extreme", position: .max)
        log.expect(try await store.loadCursor("extreme") == .max, "cursor Int64.max did not round-trip")
        var huge = makeEvents(1, prefix: "huge")[0]
        huge.payload = Data(count: EventStoreLimits.maximumPayloadBytes + 1)
        await log.expectError(.invalidArgument, "a payload above EventStoreLimits.maximumPayloadBytes") {
            _ = try await store.append([huge], to: "extreme", expectedVersion: .any)
        }
        log.expect(try await store.streamVersion("extreme") == Int64(instants.count), "a refused payload was stored")
    }

    private static func concurrentSameStream(
        _ store: any EventStore,
        _ options: Options,
        _ log: inout FailureLog
    )
        async throws
    {
        let tasks = options.concurrentTasks
        let perTask = options.eventsPerTask
        let outcome = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for task in 0..<tasks {
                group.addTask {
                    var appended = 0
                    var conflicts = 0
                    while appended < perTask {
                        let version = try await store.streamVersion("shared")
                        let event = makeEvents(1, prefix: "c\(task)-\(appended)")
                        do {
                            _ = try await store.append(event, to: "shared", expectedVersion: .exactly(version))
                            appended += 1
                        } catch let error as EventStoreError where error.code == .versionConflict {
                            conflicts += 1
                        }
                    }
                    return (appended, conflicts)
                }
            }
            var total = (0, 0)
            for try await (appended, conflicts) in group { total = (total.0 + appended, total.1 + conflicts) }
            return total
        }
        let stream = try await store.readStream("shared", pageSize: 100)
        log.expect(outcome.0 == tasks * perTask, "appends reported: \(outcome.0)")
        log.expect(stream.count == tasks * perTask, "stream holds \(stream.count) events, expected \(tasks * perTask)")
        log.expect(stream.map(\.streamVersion) == Array(1...Int64(stream.count)), "versions have gaps or repeats")
        log.expect(Set(stream.map(\.id)).count == stream.count, "an event was stored twice")
        log.expect(isStrictlyIncreasing(stream.map(\.globalPosition)), "positions are out of stream order")
    }

    private static func concurrentManyStreams(
        _ store: any EventStore,
        _ options: Options,
        _ log: inout FailureLog
    )
        async throws
    {
        let tasks = options.concurrentTasks
        let perTask = options.eventsPerTask
        let reader = Task { () throws -> [RecordedEvent] in
            // Follows the global log while appenders run; must never skip an event that later appears.
            var seen: [RecordedEvent] = []
            var after: Int64 = 0
            var idle = 0
            while idle < 200 {
                let page = try await store.readAll(after: after, limit: 50)
                if let last = page.last {
                    seen += page
                    after = last.globalPosition
                    idle = 0
                    if seen.count >= tasks * perTask { break }
                } else {
                    idle += 1
                    try await Task.sleep(nanoseconds: 2_000_000)
                }
            }
            return seen
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    let stream = StreamID("many-\(task)")
                    for index in 0..<perTask {
                        _ = try await store.append(
                            makeEvents(1, prefix: "m\(task)-\(index)"),
                            to: stream,
                            expectedVersion: .exactly(Int64(index))
                        )
                    }
                }
            }
            try await group.waitForAll()
        }
        let followed = try await reader.value
        let all = try await store.readAll(after: 0, pageSize: 100)
        log.expect(all.count == tasks * perTask, "the log holds \(all.count) events, expected \(tasks * perTask)")
        log.expect(isStrictlyIncreasing(all.map(\.globalPosition)), "global positions are not increasing")
        log.expect(followed == all, "a reader following the log skipped or repeated events (ordering guarantee)")
        for task in 0..<tasks {
            let versions = all.filter { $0.streamID == StreamID("many-\(task)") }.map(\.streamVersion)
            log.expect(versions == Array(1...Int64(perTask)), "stream many-\(task) is out of order in the global log")
        }
    }

    private static func concurrentRetries(
        _ store: any EventStore,
        _ options: Options,
        _ log: inout FailureLog
    )
        async throws
    {
        // Every task sends the same batch (same ids), as instances retrying one command would.
        let batch = makeEvents(3, prefix: "retry")
        let results = await withTaskGroup(of: String.self) { group in
            for _ in 0..<options.concurrentTasks {
                group.addTask {
                    do {
                        let result = try await store.append(batch, to: "retried", expectedVersion: .noStream)
                        return result.deduplicated ? "deduplicated" : "written"
                    } catch let error as EventStoreError
                        where error.code == .versionConflict || error.code == .duplicateEventID
                    {
                        return "refused"
                    } catch {
                        return "error: \(error)"
                    }
                }
            }
            var outcomes: [String] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        log.expect(results.filter { $0 == "written" }.count == 1, "the batch was written \(results) times")
        log.expect(!results.contains { $0.hasPrefix("error") }, "unexpected errors: \(results)")
        let stream = try await store.readStream("retried", fromVersion: 1, limit: 100)
        log.expect(stream.map(\.id) == batch.map(\.id), "the retried batch is not stored exactly once")
    }

    // MARK: - Helpers

    private static func makeEvents(_ count: Int, prefix: String) -> [ProposedEvent] {
        let base = Date(millisecondsSince1970: 1_767_225_600_000)
        return (0..<count).map { index in
            ProposedEvent(
                id: EventID("\(prefix)-\(index)-\(UUID().uuidString)"),
                type: "test.event",
                occurredAt: base.addingTimeInterval(Double(index)),
                actor: Principal(party: PartyID("party-\(prefix)"), role: .operator, person: "tester"),
                payload: Data("{\"index\":\(index),\"prefix\":\"\(prefix)\"}".utf8),
                metadata: EventMetadata(correlationID: prefix)
            )
        }
    }

    private static func isStrictlyIncreasing(_ values: [Int64]) -> Bool {
        zip(values, values.dropFirst()).allSatisfy { $0 < $1 }
    }
}

/// Collects the failures of one check.
private struct FailureLog {
    let check: String
    var failures: [String] = []

    mutating func fail(_ message: String) {
        failures.append("\(check): \(message)")
    }

    mutating func expect(_ condition: Bool, _ message: String) {
        if !condition { fail(message) }
    }

    mutating func expectError(
        _ code: EventStoreError.Code,
        _ what: String,
        _ body: () async throws -> Void
    ) async {
        do {
            try await body()
            fail("\(what) was accepted; expected \(code)")
        } catch let error as EventStoreError {
            if error.code != code { fail("\(what) threw \(error.code), expected \(code)") }
        } catch {
            fail("\(what) threw a non-EventStoreError: \(error)")
        }
    }

    mutating func expectConflict(
        _ store: any EventStore,
        _ stream: StreamID,
        _ expected: ExpectedVersion,
        actual: Int64,
        _ what: String
    ) async {
        do {
            _ = try await store.append(
                [
                    ProposedEvent(
                        id: EventID(UUID().uuidString),
                        type: "test.conflict",
                        occurredAt: Date(millisecondsSince1970: 0),
                        actor: nil,
                        payload: Data("{}".utf8)
                    )
                ],
                to: stream,
                expectedVersion: expected
            )
            fail("\(what) was accepted; expected a version conflict")
        } catch let error as EventStoreError {
            if error.code != .versionConflict {
                fail("\(what) threw \(error.code), expected versionConflict")
            } else if let reported = error.actualVersion, reported != actual {
                fail("\(what) reported actual version \(reported), expected \(actual)")
            }
        } catch {
            fail("\(what) threw a non-EventStoreError: \(error)")
        }
    }
}
