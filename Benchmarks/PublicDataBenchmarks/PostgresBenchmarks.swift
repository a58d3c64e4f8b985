#if PostgreSQL
import CPublicDataLibPQ
import Foundation
import PublicDataModel
import PublicDataPostgres
import PublicDataPostgresTesting

/// The PostgreSQL store beside raw libpq on the same server, same rows, same durability
/// (`synchronous_commit = on`, `fsync = on` on the throwaway cluster). The raw baseline uses prepared
/// statements with binary parameters and one multi-row INSERT per batch. Store and raw alternate within every
/// round; each figure is the median over the rounds.
enum PostgresBenchmarks {
    static func run(_ report: BenchmarkReport) async throws {
        report.section("Postgres")
        var cluster: PostgresTestCluster?
        let target: String
        switch PostgresTestServer.detect() {
        case .url(let url):
            target = url
        case .cluster(let bin):
            let started = try PostgresTestCluster.start(binDirectory: bin)
            cluster = started
            target = started.connectionString
        case .unavailable(let reason):
            report.info("skipped: \(reason)")
            return
        }
        defer { cluster?.stop() }
        let durable = withOption(
            target,
            "options=-c%20synchronous_commit%3Don",
            keyValue: "options='-c synchronous_commit=on'"
        )
        let rounds = report.rounds
        let singlesPerRound = report.quick ? 100 : 300
        let batchesPerRound = report.quick ? 5 : 20
        let group = "postgres"

        // Append, batch of 1 and of 100, one appender.
        let store = try await makeStore(durable, schema: "bench_append", connections: 1)
        let raw = try RawConnection(durable)
        try raw.exec("DROP TABLE IF EXISTS public.bench_raw")
        try raw.exec("CREATE TABLE public.bench_raw (LIKE bench_append.events INCLUDING ALL)")
        try raw.exec("ALTER TABLE public.bench_raw ALTER COLUMN global_position SET NOT NULL")
        let rawPosition = PositionCounter()

        var storeRound = 0
        var rawRound = 0
        let single = try await interleavedAsync(
            rounds: rounds,
            [
                {
                    storeRound += 1
                    let stream = StreamID("single-\(storeRound)")
                    let events = (0..<singlesPerRound).map { makeEvent("one-\(storeRound)-\($0)") }
                    let seconds = try await measureSecondsAsync {
                        for (index, event) in events.enumerated() {
                            _ = try await store.append([event], to: stream, expectedVersion: .exactly(Int64(index)))
                        }
                    }
                    return Double(singlesPerRound) / seconds
                },
                {
                    rawRound += 1
                    let stream = "single-\(rawRound)"
                    let events = (0..<singlesPerRound).map { makeEvent("one-\(rawRound)-\($0)") }
                    let seconds = try measureSeconds {
                        for (index, event) in events.enumerated() {
                            try raw.insert(
                                [event],
                                stream: stream,
                                firstVersion: Int64(index) + 1,
                                firstPosition: rawPosition.take(1)
                            )
                        }
                    }
                    return Double(singlesPerRound) / seconds
                },
            ]
        )
        report.record(group, "append batch 1, store", single[0], "appends/s")
        report.record(group, "append batch 1, raw libpq (prepared, binary)", single[1], "appends/s")
        report.record(
            group,
            "append batch 1, ratio store/raw",
            single[0].ratio(to: single[1]),
            "x",
            note: "target ≥ 0.5"
        )

        storeRound = 0
        rawRound = 0
        let batched = try await interleavedAsync(
            rounds: rounds,
            [
                {
                    storeRound += 1
                    let stream = StreamID("batched-\(storeRound)")
                    let batches = (0..<batchesPerRound).map { batch in
                        (0..<100).map { makeEvent("b\(storeRound)-\(batch)-\($0)") }
                    }
                    let seconds = try await measureSecondsAsync {
                        for (index, batch) in batches.enumerated() {
                            _ = try await store.append(batch, to: stream, expectedVersion: .exactly(Int64(index * 100)))
                        }
                    }
                    return Double(batchesPerRound * 100) / seconds
                },
                {
                    rawRound += 1
                    let stream = "batched-\(rawRound)"
                    let batches = (0..<batchesPerRound).map { batch in
                        (0..<100).map { makeEvent("b\(rawRound)-\(batch)-\($0)") }
                    }
                    let seconds = try measureSeconds {
                        for (index, batch) in batches.enumerated() {
                            try raw.insert(
                                batch,
                                stream: stream,
                                firstVersion: Int64(index * 100) + 1,
                                firstPosition: rawPosition.take(100)
                            )
                        }
                    }
                    return Double(batchesPerRound * 100) / seconds
                },
            ]
        )
        report.record(group, "append batch 100, store", batched[0], "events/s")
        report.record(group, "append batch 100, raw libpq (prepared, binary, multi-row)", batched[1], "events/s")
        report.record(
            group,
            "append batch 100, ratio store/raw",
            batched[0].ratio(to: batched[1]),
            "x",
            note: "target ≥ 0.5"
        )

        // Reading the global log in pages of 1000.
        let total = rounds * (singlesPerRound + batchesPerRound * 100)
        var countsMatch = true
        let reads = try await interleavedAsync(
            rounds: rounds,
            [
                {
                    var count = 0
                    let seconds = try await measureSecondsAsync {
                        var after: Int64 = 0
                        while true {
                            let page = try await store.readAll(after: after, limit: 1000)
                            guard let last = page.last else { break }
                            count += page.count
                            after = last.globalPosition
                        }
                    }
                    if count != total { countsMatch = false }
                    return Double(count) / seconds
                },
                {
                    var count = 0
                    let seconds = try measureSeconds { count = try raw.readAll(pageSize: 1000) }
                    if count != total { countsMatch = false }
                    return Double(count) / seconds
                },
            ]
        )
        if !countsMatch { report.info("read counts differ from the \(total) events appended") }
        report.record(group, "readAll pages of 1000, store", reads[0], "events/s")
        report.record(group, "select pages of 1000, raw libpq", reads[1], "events/s")
        report.record(group, "read, ratio store/raw", reads[0].ratio(to: reads[1]), "x", note: "target ≥ 0.5")

        // One round trip without a commit: what the async API and the dedicated threads cost per call.
        let trips = report.quick ? 200 : 1000
        let roundTrips = try await interleavedAsync(
            rounds: rounds,
            [
                {
                    try await measureSecondsAsync { for _ in 0..<trips { _ = try await store.headPosition() } }
                        / Double(trips) * 1e6
                },
                {
                    try measureSeconds { for _ in 0..<trips { try raw.exec("SELECT 1") } } / Double(trips) * 1e6
                },
            ]
        )
        report.record(group, "round trip (headPosition), store", roundTrips[0], "us")
        report.record(group, "round trip (SELECT 1), raw libpq", roundTrips[1], "us")
        await store.close()

        try await concurrency(report, durable, raw: raw, rawPosition: rawPosition)
        try raw.exec("DROP TABLE public.bench_raw")
    }

    /// Batch-1 appends with 1, 4 and 16 appenders (one stream each) in this process, 16 appenders over 4
    /// processes, and raw inserts on 1, 4 and 16 connections; all interleaved per round.
    static func concurrency(
        _ report: BenchmarkReport,
        _ target: String,
        raw: RawConnection,
        rawPosition: PositionCounter
    ) async throws {
        let group = "postgres"
        let appendsPerRun = report.quick ? 320 : 960
        let counts = [1, 4, 16]
        var stores: [Int: PostgresEventStore] = [:]
        for appenders in counts {
            stores[appenders] = try await makeStore(target, schema: "bench_c\(appenders)", connections: appenders)
        }
        let processSchema = "bench_p16"
        let processStore = try await makeStore(target, schema: processSchema, connections: 1)
        await processStore.close()
        var round = [Int: Int]()
        var contenders: [() async throws -> Double] = []
        for appenders in counts {
            contenders.append {
                guard let store = stores[appenders] else { return .nan }
                round[appenders, default: 0] += 1
                let tag = round[appenders] ?? 0
                let perAppender = appendsPerRun / appenders
                let seconds = try await measureSecondsAsync {
                    try await withThrowingTaskGroup(of: Void.self) { tasks in
                        for appender in 0..<appenders {
                            tasks.addTask {
                                try await appendLoop(store, appender: appender, tag: "r\(tag)", count: perAppender)
                            }
                        }
                        try await tasks.waitForAll()
                    }
                }
                return Double(perAppender * appenders) / seconds
            }
        }
        var processRound = 0
        var storeUntilExit = Samples()
        contenders.append {
            processRound += 1
            let rates = try runAppenderProcesses(
                target,
                schema: processSchema,
                processes: 4,
                appendersPerProcess: 4,
                perAppender: appendsPerRun / 16,
                round: processRound
            )
            storeUntilExit.append(rates.untilExit)
            return rates.untilLastAppend
        }
        for connections in counts {
            contenders.append {
                let perThread = appendsPerRun / connections
                let first = rawPosition.take(Int64(perThread * connections))
                let tag = first
                let seconds = try measureSeconds {
                    try runOnThreads(connections) { thread in
                        let connection = try RawConnection(target)
                        for index in 0..<perThread {
                            try connection.insert(
                                [makeEvent("raw-\(tag)-\(thread)-\(index)")],
                                stream: "raw-\(tag)-\(thread)",
                                firstVersion: Int64(index) + 1,
                                firstPosition: first + Int64(thread * perThread + index)
                            )
                        }
                    }
                }
                return Double(perThread * connections) / seconds
            }
        }
        var rawProcessRound = 0
        contenders.append {
            rawProcessRound += 1
            return try runAppenderProcesses(
                target,
                schema: processSchema,
                processes: 4,
                appendersPerProcess: 4,
                perAppender: appendsPerRun / 16,
                round: rawProcessRound,
                rawFirstPosition: rawPosition.take(Int64(appendsPerRun / 16 * 16))
            ).untilLastAppend
        }
        let samples = try await interleavedAsync(rounds: report.rounds, contenders)
        for (offset, appenders) in counts.enumerated() {
            report.record(
                group,
                "append batch 1, store, \(appenders) appenders (1 process)",
                samples[offset],
                "appends/s"
            )
        }
        report.record(
            group,
            "append batch 1, store, 16 appenders over 4 processes",
            samples[3],
            "appends/s"
        )
        for (offset, connections) in counts.enumerated() {
            report.record(
                group,
                "append batch 1, raw libpq, \(connections) connections (unordered)",
                samples[4 + offset],
                "appends/s"
            )
        }
        report.record(
            group,
            "append batch 1, raw libpq, 16 connections over 4 processes (unordered)",
            samples[7],
            "appends/s"
        )
        report.record(
            group,
            "store 16 appenders over 4 processes / store 1 appender",
            samples[3].ratio(to: samples[0]),
            "x",
            note: "target ≥ 1.5"
        )
        report.record(
            group,
            "store 16 appenders over 4 processes / store 1 appender, timed until the processes exited",
            storeUntilExit.ratio(to: samples[0]),
            "x",
            note: "as measured before the children reported their last append"
        )
        report.record(group, "store 16 appenders / 1 appender (1 process)", samples[2].ratio(to: samples[0]), "x")
        report.record(group, "raw 16 connections / 1 connection", samples[6].ratio(to: samples[4]), "x")
        report.record(
            group,
            "raw 16 connections over 4 processes / 1 connection",
            samples[7].ratio(to: samples[4]),
            "x"
        )
        for store in stores.values { await store.close() }
    }

    /// One appender's loop: `count` batch-1 appends to its own stream.
    static func appendLoop(_ store: PostgresEventStore, appender: Int, tag: String, count: Int) async throws {
        let stream = StreamID("\(tag)-appender-\(appender)")
        for index in 0..<count {
            _ = try await store.append(
                [makeEvent("\(tag)-a\(appender)-\(index)")],
                to: stream,
                expectedVersion: .exactly(Int64(index))
            )
        }
    }

    /// Starts `processes` copies of this executable as appenders, releases them together, and returns the
    /// appends per second from the release until the last one's last append returned (each child reports
    /// that instant on the machine's monotonic clock, so the children's exit is not counted — it would
    /// weigh on a few hundred appends), and the appends per second until the last child exited (how this was
    /// timed before). With `rawFirstPosition` the children
    /// insert into the raw table on plain libpq connections (positions from that one on) instead of appending
    /// through the store.
    static func runAppenderProcesses(
        _ target: String,
        schema: String,
        processes: Int,
        appendersPerProcess: Int,
        perAppender: Int,
        round: Int,
        rawFirstPosition: Int64? = nil
    ) throws -> (untilLastAppend: Double, untilExit: Double) {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0])
        var children: [(Process, Pipe, Pipe)] = []
        for index in 0..<processes {
            let process = Process()
            process.executableURL = executable
            process.arguments = [
                appenderFlag, target, schema, "p\(round)-\(index)", String(appendersPerProcess), String(perAppender),
            ]
            if let rawFirstPosition {
                let first = rawFirstPosition + Int64(index * appendersPerProcess * perAppender)
                process.arguments?.append("raw:\(first)")
            }
            let input = Pipe()
            let output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            try process.run()
            children.append((process, input, output))
        }
        for (_, _, output) in children {
            var text = ""
            while !text.contains("ready") {
                let data = output.fileHandleForReading.availableData
                if data.isEmpty { throw BenchmarkFailure(message: "an appender process exited before it was ready") }
                text += String(decoding: data, as: UTF8.self)
            }
        }
        let start = DispatchTime.now().uptimeNanoseconds
        for (_, input, _) in children { input.fileHandleForWriting.write(Data("go\n".utf8)) }
        var reports: [String] = []
        for (_, _, output) in children {
            var text = ""
            while !(text.contains("done ") && text.hasSuffix("\n")) {
                let data = output.fileHandleForReading.availableData
                if data.isEmpty { break }
                text += String(decoding: data, as: UTF8.self)
            }
            reports.append(text)
        }
        for (process, _, _) in children { process.waitUntilExit() }
        let exited = DispatchTime.now().uptimeNanoseconds
        for (process, _, _) in children where process.terminationStatus != 0 {
            throw BenchmarkFailure(message: "an appender process failed (status \(process.terminationStatus))")
        }
        var end = start
        for report in reports {
            let line = report.split(separator: "\n").first { $0.hasPrefix("done ") }
            guard let line, let finished = UInt64(line.dropFirst(5)) else {
                throw BenchmarkFailure(message: "an appender process did not report its end")
            }
            end = max(end, finished)
        }
        let appends = Double(processes * appendersPerProcess * perAppender)
        return (appends / (Double(end - start) / 1e9), appends / (Double(exited - start) / 1e9))
    }

    /// The hidden command line of an appender process.
    static let appenderFlag = "--postgres-appender-process"

    /// Appends per appender that an appender process makes before it reports ready (not timed).
    static let warmUpAppends = 8

    /// Runs as an appender process: `--postgres-appender-process TARGET SCHEMA TAG APPENDERS COUNT [raw:FIRST]`.
    static func appenderProcessMain(_ arguments: [String]) async -> Int32 {
        guard arguments.count == 6 || arguments.count == 7, let appenders = Int(arguments[4]),
            let count = Int(arguments[5])
        else {
            return 2
        }
        if arguments.count == 7 {
            guard arguments[6].hasPrefix("raw:"), let first = Int64(arguments[6].dropFirst(4)) else { return 2 }
            return rawProcessMain(
                target: arguments[1],
                tag: arguments[3],
                threads: appenders,
                count: count,
                first: first
            )
        }
        do {
            let target = arguments[1]
            let tag = arguments[3]
            var configuration = PostgresConfiguration(target, schema: arguments[2])
            configuration.maximumConnections = appenders
            applyAppendCalls(&configuration)
            let store = try await PostgresEventStore(configuration: configuration)
            // Open every pooled connection before the start signal: connection set-up is not append time.
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                for _ in 0..<appenders {
                    tasks.addTask { _ = try await store.streamVersion("warm-up") }
                }
                try await tasks.waitForAll()
            }
            // Warm the sessions as the one-process stores are warmed by their earlier rounds: a few appends per
            // appender, so that each backend has compiled the append functions and planned their statements
            // before the clock starts (a new process has new backends every round). For comparison with
            // earlier figures, PUBLICDATA_BENCH_COLD_PROCESSES=1 skips this.
            if ProcessInfo.processInfo.environment["PUBLICDATA_BENCH_COLD_PROCESSES"] == nil {
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    for appender in 0..<appenders {
                        tasks.addTask {
                            try await appendLoop(store, appender: appender, tag: tag + "-warm-up", count: warmUpAppends)
                        }
                    }
                    try await tasks.waitForAll()
                }
            }
            FileHandle.standardOutput.write(Data("ready\n".utf8))
            _ = readLine()
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                for appender in 0..<appenders {
                    tasks.addTask { try await appendLoop(store, appender: appender, tag: tag, count: count) }
                }
                try await tasks.waitForAll()
            }
            FileHandle.standardOutput.write(Data("done \(DispatchTime.now().uptimeNanoseconds)\n".utf8))
            await store.close()
            return 0
        } catch {
            FileHandle.standardError.write(Data("appender process \(arguments[3]): \(error)\n".utf8))
            return 1
        }
    }

    /// Runs as a raw appender process: `threads` libpq connections, each inserting `count` batch-1 rows into
    /// its own stream of the raw table once the parent says go.
    static func rawProcessMain(target: String, tag: String, threads: Int, count: Int, first: Int64) -> Int32 {
        let ready = DispatchSemaphore(value: 0)
        let go = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        let failures = FailureBox()
        for thread in 0..<threads {
            done.enter()
            Thread {
                defer { done.leave() }
                var signalled = false
                do {
                    let connection = try RawConnection(target)
                    ready.signal()
                    signalled = true
                    go.wait()
                    for index in 0..<count {
                        try connection.insert(
                            [makeEvent("raw-\(tag)-\(thread)-\(index)")],
                            stream: "raw-\(tag)-\(thread)",
                            firstVersion: Int64(index) + 1,
                            firstPosition: first + Int64(thread * count + index)
                        )
                    }
                } catch {
                    failures.set("\(error)")
                    if !signalled { ready.signal() }
                }
            }.start()
        }
        for _ in 0..<threads { ready.wait() }
        FileHandle.standardOutput.write(Data("ready\n".utf8))
        _ = readLine()
        for _ in 0..<threads { go.signal() }
        done.wait()
        FileHandle.standardOutput.write(Data("done \(DispatchTime.now().uptimeNanoseconds)\n".utf8))
        if let failure = failures.value {
            FileHandle.standardError.write(Data("raw appender process \(tag): \(failure)\n".utf8))
            return 1
        }
        return 0
    }

    /// `PUBLICDATA_BENCH_APPEND_CALLS`, when set, overrides the stores' `concurrentAppendCalls` (for tuning).
    private static func applyAppendCalls(_ configuration: inout PostgresConfiguration) {
        if let text = ProcessInfo.processInfo.environment["PUBLICDATA_BENCH_APPEND_CALLS"], let calls = Int(text) {
            configuration.concurrentAppendCalls = calls
        }
    }

    private static func makeStore(
        _ target: String,
        schema: String,
        connections: Int
    ) async throws
        -> PostgresEventStore
    {
        let admin = try RawConnection(target)
        try admin.exec("DROP SCHEMA IF EXISTS \(schema) CASCADE")
        var configuration = PostgresConfiguration(target, schema: schema)
        configuration.maximumConnections = connections
        applyAppendCalls(&configuration)
        return try await PostgresEventStore(configuration: configuration)
    }

    private static func withOption(_ target: String, _ urlOption: String, keyValue: String) -> String {
        if target.hasPrefix("postgres") { return target + (target.contains("?") ? "&" : "?") + urlOption }
        return target + " " + keyValue
    }

    private static let actor = Principal(party: "bjdata-ops", role: .operator, person: "operator-7")

    static func makeEvent(_ id: String) -> ProposedEvent {
        let payload =
            #"{"agreement":"agr-2026-001","amount":{"currency":"CNY","fen":125000},"scope":["entry-1","entry-2"]}"#
        return ProposedEvent(
            id: EventID(id),
            type: "agreement.usage_recorded",
            occurredAt: Date(millisecondsSince1970: 1_775_000_000_000),
            actor: actor,
            payload: Data(payload.utf8),
            metadata: EventMetadata(correlationID: "req-\(id)", causationID: nil, policyVersion: "beijing@1")
        )
    }

    /// Runs `body` on `count` threads at once and waits for all of them.
    private static func runOnThreads(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws {
        let done = DispatchGroup()
        let failures = FailureBox()
        for index in 0..<count {
            done.enter()
            Thread {
                do { try body(index) } catch { failures.set("\(error)") }
                done.leave()
            }.start()
        }
        done.wait()
        if let failure = failures.value { throw BenchmarkFailure(message: failure) }
    }
}

/// Hands out disjoint ranges of raw positions.
final class PositionCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var next: Int64 = 1

    /// The first of `count` fresh positions.
    func take(_ count: Int64) -> Int64 {
        lock.lock()
        defer { lock.unlock() }
        let first = next
        next += count
        return first
    }
}

private struct BenchmarkFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

private final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: String?
    var value: String? {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
    func set(_ message: String) {
        lock.lock()
        stored = message
        lock.unlock()
    }
}

/// A bare libpq connection: the baseline the store is measured against.
final class RawConnection {
    private let handle: OpaquePointer
    /// Row counts whose multi-row INSERT is prepared on this connection.
    private var prepared: Set<Int> = []

    init(_ connectionString: String) throws {
        guard let handle = PQconnectdb(connectionString), PQstatus(handle) == CONNECTION_OK else {
            throw BenchmarkFailure(message: "raw connect failed")
        }
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        self.handle = handle
    }

    deinit { PQfinish(handle) }

    func exec(_ sql: String) throws {
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            throw BenchmarkFailure(message: String(cString: PQerrorMessage(handle)))
        }
    }

    private static let columns =
        "global_position, event_id, stream_id, stream_version, event_type, occurred_at_ms, actor_party, "
        + "actor_role, actor_person, payload, correlation_id, causation_id, policy_version"
    // int8, text, text, int8, text, int8, text, text, text, bytea, text, text, text
    private static let types: [UInt32] = [20, 25, 25, 20, 25, 20, 25, 25, 25, 17, 25, 25, 25]

    /// One prepared multi-row INSERT of the batch with binary parameters, committed on its own like the
    /// store's append.
    func insert(_ events: [ProposedEvent], stream: String, firstVersion: Int64, firstPosition: Int64) throws {
        let name = "insert_\(events.count)"
        if !prepared.contains(events.count) {
            let rows = (0..<events.count).map { row in
                "(" + (1...13).map { "$\(row * 13 + $0)" }.joined(separator: ",") + ")"
            }
            let sql = "INSERT INTO public.bench_raw (\(Self.columns)) VALUES " + rows.joined(separator: ",")
            var types = (0..<events.count).flatMap { _ in Self.types }
            let result = PQprepare(handle, name, sql, Int32(types.count), &types)
            defer { PQclear(result) }
            guard PQresultStatus(result) == PGRES_COMMAND_OK else {
                throw BenchmarkFailure(message: String(cString: PQerrorMessage(handle)))
            }
            prepared.insert(events.count)
        }
        var values: [[UInt8]?] = []
        values.reserveCapacity(events.count * 13)
        for (offset, event) in events.enumerated() {
            values += [
                Self.int64(firstPosition + Int64(offset)), Array(event.id.rawValue.utf8), Array(stream.utf8),
                Self.int64(firstVersion + Int64(offset)), Array(event.type.utf8),
                Self.int64(event.occurredAt.millisecondsSince1970),
                event.actor.map { Array($0.party.rawValue.utf8) }, event.actor.map { Array($0.role.rawValue.utf8) },
                event.actor.map { Array($0.person.utf8) }, Array(event.payload),
                event.metadata.correlationID.map { Array($0.utf8) }, event.metadata.causationID.map { Array($0.utf8) },
                event.metadata.policyVersion.map { Array($0.utf8) },
            ]
        }
        let buffers: [UnsafeMutablePointer<CChar>?] = values.map { bytes in
            guard let bytes else { return nil }
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, bytes.count))
            for (index, byte) in bytes.enumerated() { buffer[index] = CChar(bitPattern: byte) }
            return buffer
        }
        defer {
            for buffer in buffers { buffer?.deallocate() }
        }
        var pointers: [UnsafePointer<CChar>?] = buffers.map { $0.map { UnsafePointer($0) } }
        var lengths = values.map { Int32($0?.count ?? 0) }
        var formats = [Int32](repeating: 1, count: values.count)
        let result = PQexecPrepared(handle, name, Int32(values.count), &pointers, &lengths, &formats, 1)
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK else {
            throw BenchmarkFailure(message: String(cString: PQerrorMessage(handle)))
        }
    }

    private static func int64(_ value: Int64) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    /// Reads every row in pages, copying each value out (binary results); returns the row count.
    func readAll(pageSize: Int) throws -> Int {
        var after: Int64 = 0
        var count = 0
        while true {
            let sql =
                "SELECT global_position, event_id, stream_id, stream_version, event_type, occurred_at_ms, "
                + "actor_party, actor_role, actor_person, payload, correlation_id, causation_id, policy_version "
                + "FROM public.bench_raw WHERE global_position > \(after) "
                + "ORDER BY global_position LIMIT \(pageSize)"
            let result = PQexecParams(handle, sql, 0, nil, nil, nil, nil, 1)
            defer { PQclear(result) }
            guard PQresultStatus(result) == PGRES_TUPLES_OK else {
                throw BenchmarkFailure(message: String(cString: PQerrorMessage(handle)))
            }
            let rows = Int(PQntuples(result))
            if rows == 0 { return count }
            var checksum = 0
            for row in 0..<Int32(rows) {
                for column in 0..<Int32(13) {
                    let length = Int(PQgetlength(result, row, column))
                    if let value = PQgetvalue(result, row, column) {
                        checksum &+= Data(bytes: value, count: length).count
                    }
                }
            }
            count += rows
            if let value = PQgetvalue(result, Int32(rows - 1), 0) {
                var position: UInt64 = 0
                for index in 0..<8 { position = position << 8 | UInt64(UInt8(bitPattern: value[index])) }
                after = Int64(bitPattern: position)
            }
            _ = checksum
        }
    }
}
#else
enum PostgresBenchmarks {
    static func run(_ report: BenchmarkReport) async throws {
        report.section("Postgres")
        print(
            "  skipped: the PostgreSQL trait is off (swift run -c release --traits PostgreSQL PublicDataBenchmarks postgres)"
        )
    }
}
#endif
