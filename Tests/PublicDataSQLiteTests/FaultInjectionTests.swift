import CPublicDataSQLite
import CPublicDataSQLiteFaults
import Foundation
import PublicDataModel
import PublicDataSQLite
import Testing

/// Issue 19, item 7: an I/O error, a full disk or a power loss at every write call of a workload leaves a
/// store that reopens whole, with every acknowledged batch present and no batch partly stored.
///
/// The shim (`Tests/CPublicDataSQLiteFaults`) is the process's default SQLite VFS but touches only files whose
/// path contains `faultvfs`, so other tests running in parallel are unaffected. The tests below are serialized
/// because the shim's fault state is global.
@Suite(.serialized) struct FaultInjectionTests {
    enum Fault: Int32, CaseIterable, CustomStringConvertible {
        case ioError = 1
        case diskFull = 2
        case powerLoss = 3
        var description: String { ["", "I/O error", "full disk", "power loss"][Int(rawValue)] }
    }

    static let batches = 6
    static let batchSize = 3

    private static func batch(_ number: Int) -> [ProposedEvent] {
        (0..<batchSize).map { index in
            ProposedEvent(
                id: EventID("b\(number)-e\(index)"),
                type: "test.fault",
                occurredAt: Date(millisecondsSince1970: Int64(number)),
                actor: nil,
                payload: Data("{\"batch\":\(number),\"pad\":\"\(String(repeating: "x", count: 700 * index))\"}".utf8)
            )
        }
    }

    /// Opens a new store and appends the batches; returns the batches acknowledged before the first error.
    private static func workload(_ path: String, durability: SQLiteEventStore.Durability) async -> [Int] {
        var acknowledged: [Int] = []
        guard let store = try? SQLiteEventStore(path: path, durability: durability) else { return acknowledged }
        for number in 0..<batches {
            // Two streams, so that appends also read versions written by earlier batches.
            let stream = StreamID("s-\(number % 2)")
            do {
                _ = try await store.append(
                    batch(number),
                    to: stream,
                    expectedVersion: .exactly(Int64(number / 2 * batchSize))
                )
                acknowledged.append(number)
            } catch {
                break
            }
        }
        store.close()
        return acknowledged
    }

    /// Reopens without faults and checks the log: whole batches only, every acknowledged one present.
    private static func verify(_ path: String, acknowledged: [Int], _ what: String) async throws {
        let store = try SQLiteEventStore(path: path)
        defer { store.close() }
        let all = try await store.readAll(after: 0, pageSize: 100)
        var byBatch: [Int: Int] = [:]
        for event in all {
            let number = Int(event.id.rawValue.dropFirst().prefix { $0 != "-" }) ?? -1
            byBatch[number, default: 0] += 1
        }
        #expect(byBatch.values.allSatisfy { $0 == batchSize }, "\(what): a partial batch \(byBatch)")
        for number in acknowledged {
            #expect(byBatch[number] == batchSize, "\(what): acknowledged batch \(number) is missing")
        }
        let stored = try await store.readAll(after: 0, pageSize: 100)
        #expect(stored.map(\.id) == all.map(\.id))
        for stream in ["s-0", "s-1"] {
            let versions = all.filter { $0.streamID == StreamID(stream) }.map(\.streamVersion)
            #expect(versions == Array(0..<Int64(versions.count)).map { $0 + 1 }, "\(what): \(stream) has gaps")
        }
        #expect(try RawSQLite.text(path: path, "PRAGMA integrity_check") == "ok", "\(what): integrity check")
    }

    @Test(arguments: [SQLiteEventStore.Durability.full, .normal])
    func everyWriteCallFaultedLeavesWholeBatches(durability: SQLiteEventStore.Durability) async throws {
        #expect(pdk_faults_install() == SQLITE_OK)
        defer { pdk_faults_reset() }
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        // A clean run counts the workload's write-class calls.
        pdk_faults_arm(0, -1)
        let cleanPath = folder.appendingPathComponent("faultvfs-clean.sqlite").path
        let clean = await Self.workload(cleanPath, durability: durability)
        let calls = pdk_faults_write_calls()
        pdk_faults_reset()
        #expect(clean == Array(0..<Self.batches))
        #expect(calls > 10, "the shim counted only \(calls) write calls")
        var fired = 0
        for fault in Fault.allCases {
            for call in 1...calls {
                let what = "\(fault) at write call \(call) of \(calls) (\(durability))"
                let path = folder.appendingPathComponent("faultvfs-\(fault.rawValue)-\(call).sqlite").path
                pdk_faults_arm(fault.rawValue, call)
                let acknowledged = await Self.workload(path, durability: durability)
                if pdk_faults_fired() != 0 { fired += 1 }
                pdk_faults_reset()
                if fault != .powerLoss || durability == .full {
                    try await Self.verify(path, acknowledged: acknowledged, what)
                } else {
                    // `synchronous = NORMAL` may lose the last commits on power loss by design: whole batches
                    // only, but not every acknowledged one.
                    try await Self.verify(path, acknowledged: [], what)
                }
            }
        }
        #expect(fired == 3 * Int(calls))
    }
}
