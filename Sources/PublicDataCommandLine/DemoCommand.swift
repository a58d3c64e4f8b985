import Foundation
import PublicDataKit
import PublicDataSQLite

#if PostgreSQL
import PublicDataPostgres
#endif

/// `publicdata-demo [run]`: the whole lifecycle on SQLite (default), in memory or on PostgreSQL.
enum DemoCommand {
    static let help = """
        USAGE
          publicdata-demo [run] [--store sqlite|memory|postgres://…] [--data-dir DIR] [--resume] [--hash sha256|sm3]

        Runs a complete Beijing finance-zone lifecycle — plan, operator selection, agreement, registration, four
        data requests (granted, co-reviewed, refused for core data, refused for personal information), product
        under a fee cap, downstream scenarios, metered usage, invoice, revenue split, objections (one answered,
        one escalated), the 2026 disclosure, two poor ratings and the exit — and prints each decision with its
        articles and each notification with its recipient and due date. At the end it verifies the audit ledger
        and prints a signed checkpoint. The clock is fixed (2026-01-05 09:00 Beijing time), so the narrative is
        the same on every run.

        OPTIONS
          --store sqlite        (default) a SQLite file DIR/demo.sqlite; the old file is deleted first
          --store memory        keep everything in memory; nothing is written
          --store postgres://…  a PostgreSQL database (only when built with --traits PostgreSQL); it must not
                                hold a previous run unless --resume is given (use --schema NAME for another)
          --schema NAME         PostgreSQL schema (default publicdata_demo)
          --data-dir DIR        where the SQLite file goes (default ./publicdata-demo-data)
          --resume              keep the existing database: if it already holds the demo, re-verify its audit
                                ledger and print it instead of running the lifecycle again; if it is empty or
                                missing, run the lifecycle into it
          --hash sha256|sm3     the audit ledger's hash (default sha256)
        """

    static let defaultDataDirectory = "publicdata-demo-data"
    static let fileName = "demo.sqlite"

    static func run(_ arguments: [String], output: TextOutput) async throws -> ExitStatus {
        let parsed = try ParsedArguments.parse(
            arguments,
            spec: ArgumentSpec(
                command: "run",
                valued: ["store", "data-dir", "hash", "schema"],
                flags: ["resume"],
                positionals: 0...0
            )
        )
        if parsed.wantsHelp {
            output.line(help)
            return .success
        }
        let hasher: any LedgerHasher
        switch parsed.values["hash"] ?? "sha256" {
        case "sha256", "sha-256": hasher = SHA256Hasher()
        case "sm3": hasher = SM3Hasher()
        case let other: throw UsageError("unknown hash '\(other)'; use sha256 or sm3", command: "run")
        }
        let resume = parsed.flags.contains("resume")
        let store = parsed.values["store"] ?? "sqlite"
        switch store {
        case "memory":
            output.line("Store: in memory (nothing is written; the ledger commands need --store sqlite)")
            let report = try await LifecycleDemo.run(store: InMemoryEventStore(), hasher: hasher, output: output)
            return finish(report, database: nil, output: output)
        case "sqlite":
            let directory = parsed.values["data-dir"] ?? defaultDataDirectory
            return try await runSQLite(directory: directory, resume: resume, hasher: hasher, output: output)
        default:
            guard store.hasPrefix("postgres://") || store.hasPrefix("postgresql://") else {
                throw UsageError("unknown store '\(store)'; use sqlite, memory or postgres://…", command: "run")
            }
            return try await runPostgres(
                store,
                schema: parsed.values["schema"] ?? "publicdata_demo",
                resume: resume,
                hasher: hasher,
                output: output
            )
        }
    }

    static func runSQLite(
        directory: String,
        resume: Bool,
        hasher: any LedgerHasher,
        output: TextOutput
    ) async throws -> ExitStatus {
        let path = URL(fileURLWithPath: directory).appendingPathComponent(fileName).path
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw InputError(file: directory, message: "cannot create the data folder: \(error.localizedDescription)")
        }
        if resume, manager.fileExists(atPath: path) {
            let store = try LedgerCommands.openStore(path)
            let head = try await store.headPosition()
            store.close()
            if head > 0 {
                output.line("Store: SQLite \(path) (resumed: it holds \(head) events from an earlier run)")
                output.line("The lifecycle already ran in this database; re-verifying its audit ledger:")
                let status = try await LedgerCommands.run(["verify", path], output: output)
                printFollowUps(path, output: output)
                return status
            }
        } else {
            for suffix in ["", "-wal", "-shm", "-journal"] where manager.fileExists(atPath: path + suffix) {
                do {
                    try manager.removeItem(atPath: path + suffix)
                } catch {
                    throw InputError(file: path + suffix, message: "cannot delete the previous run's database")
                }
            }
        }
        output.line("Store: SQLite \(path)\(resume ? " (resume: empty, running the lifecycle)" : " (fresh database)")")
        let store: SQLiteEventStore
        do {
            store = try SQLiteEventStore(path: path, durability: .normal)
        } catch {
            throw InputError(file: path, message: "\(error)")
        }
        defer { store.close() }
        let report = try await LifecycleDemo.run(store: store, hasher: hasher, output: output)
        return finish(report, database: path, output: output)
    }

    static func runPostgres(
        _ url: String,
        schema: String,
        resume: Bool,
        hasher: any LedgerHasher,
        output: TextOutput
    ) async throws -> ExitStatus {
        #if PostgreSQL
        let store: PostgresEventStore
        do {
            store = try await PostgresEventStore(url, schema: schema)
        } catch {
            throw InputError(file: "PostgreSQL", message: "\(error)")
        }
        let head = try await store.headPosition()
        if head > 0 {
            guard resume else {
                await store.close()
                throw InputError(
                    file: "PostgreSQL schema \(schema)",
                    message: "already holds \(head) events; give --resume, or --schema NAME for a fresh schema"
                )
            }
            output.line("Store: PostgreSQL, schema \(schema) (resumed: it holds \(head) events from an earlier run)")
            output.line("The lifecycle already ran in this schema; re-verifying its audit ledger:")
            let status: ExitStatus
            do {
                status = try await LedgerCommands.verify(store, file: "PostgreSQL schema \(schema)", output: output)
            } catch {
                await store.close()
                throw error
            }
            await store.close()
            return status
        }
        output.line("Store: PostgreSQL, schema \(schema)")
        let report = try await LifecycleDemo.run(store: store, hasher: hasher, output: output)
        await store.close()
        return finish(report, database: nil, output: output)
        #else
        _ = (url, schema, resume, hasher, output)
        throw UsageError(
            "this publicdata-demo was built without PostgreSQL support; rebuild with "
                + "'swift run --traits PostgreSQL publicdata-demo --store postgres://…'",
            command: "run"
        )
        #endif
    }

    static func finish(_ report: DemoReport, database: String?, output: TextOutput) -> ExitStatus {
        output.line()
        output.line(
            "Done: \(report.events.count) events, \(report.outcomes.count) commands, "
                + "\(report.notifications.count) notifications, \(report.firedDeadlines.count) deadlines fired."
        )
        if let database { printFollowUps(database, output: output) }
        return report.verification.isOK ? .success : .checkFailed
    }

    static func printFollowUps(_ path: String, output: TextOutput) {
        output.line("Database: \(path)")
        output.line("Try next (from the package folder, prefix each with 'swift run'):")
        output.line("  publicdata-demo ledger verify \(path)")
        output.line("  publicdata-demo ledger prove \(path) 0 --out proof.json")
        output.line("  publicdata-demo ledger check-proof proof.json")
        output.line("  publicdata-demo disclose \(path) --year 2026")
        output.line("  publicdata-demo diagram agreement")
    }
}
