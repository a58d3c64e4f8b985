import Foundation
import PublicDataAudit
import PublicDataSQLite

#if OpenSSL
import PublicDataCrypto
#if canImport(Glibc)
import Glibc
#endif
#endif

/// Audit layer: raw hash throughput, tree append throughput and its ratio to raw hashing, proof times at
/// 1,000,000 entries, ledger catch-up and full store verification of 1,000,000 events.
enum AuditBenchmarks {
    /// The ledger figures alone (group `ledger`): catch-up against its hasher, `ledger verify` on SQLite, and
    /// libcrypto against `openssl speed`.
    static func runLedger(_ report: BenchmarkReport) async throws {
        report.section("Audit ledger")
        #if OpenSSL
        try libcryptoAgainstOpenSSLSpeed(report)
        #endif
        try await catchUpRatio(report, count: report.quick ? 100_000 : 300_000)
        try await verifyThroughput(report, count: report.quick ? 30_000 : 131_000)
    }

    static func run(_ report: BenchmarkReport) async throws {
        report.section("Audit")
        // The machine is shared: every figure is the best of several alternating rounds.
        let totalBytes = report.quick ? 8 << 20 : 32 << 20
        let rounds = report.quick ? 2 : 5
        let treeSize = report.quick ? 100_000 : 1_000_000
        for (hasher, label) in [(SHA256Hasher() as any LedgerHasher, "SHA-256"), (SM3Hasher(), "SM3")] {
            for size in [256, 1024] {
                var raw = 0.0
                var append = 0.0
                for _ in 0..<rounds {
                    raw = max(raw, rawThroughput(hasher, entrySize: size, totalBytes: totalBytes))
                    append = max(append, appendThroughput(hasher, entrySize: size, totalBytes: totalBytes))
                }
                report.record("audit", "\(label) raw hash, \(size) B messages", raw, "MB/s")
                report.record("audit", "\(label) tree append, \(size) B entries", append, "MB/s")
                report.record(
                    "audit",
                    "\(label) append/raw ratio, \(size) B",
                    append / raw,
                    "ratio",
                    note: "target >= 0.8; RFC 6962 node hashing bounds it at \(bound(size))"
                )
            }
        }
        #if OpenSSL
        try libcryptoAgainstOpenSSLSpeed(report)
        #endif
        try proofTimes(report, size: treeSize, rounds: rounds)
        try await ledgerTimes(report, count: treeSize)
    }

    #if OpenSSL
    /// `OpenSSLHasher` (libcrypto through the `LedgerHasher` interface) against `openssl speed -evp` on 1 KiB
    /// messages in the same run, interleaved over rounds (issue 16 item 6: ≥ 80%).
    static func libcryptoAgainstOpenSSLSpeed(_ report: BenchmarkReport) throws {
        let totalBytes = report.quick ? 64 << 20 : 256 << 20
        for algorithm in OpenSSLHasher.Algorithm.allCases {
            let hasher = try OpenSSLHasher(algorithm)
            let command = algorithm == .sha256 ? "sha256" : "sm3"
            guard opensslSpeed(command) != nil else {
                report.info("openssl speed -evp \(command) is not available: skipped")
                continue
            }
            let samples = try interleaved(
                rounds: report.rounds,
                [
                    { rawThroughput(hasher, entrySize: 1024, totalBytes: totalBytes) },
                    {
                        guard let speed = opensslSpeed(command) else {
                            throw AuditError(code: .invalidArgument, message: "openssl speed failed")
                        }
                        return speed
                    },
                ]
            )
            report.record("audit", "OpenSSLHasher \(algorithm.rawValue), 1 KiB messages", samples[0], "MB/s")
            report.record("audit", "openssl speed -evp \(command) -bytes 1024", samples[1], "MB/s")
            report.record(
                "audit",
                "OpenSSLHasher / openssl speed, \(algorithm.rawValue), same rounds",
                samples[0].ratio(to: samples[1]),
                "ratio",
                note: "target >= 0.80"
            )
        }
    }

    /// MB/s that `openssl speed -seconds 1 -bytes 1024 -mr -evp NAME` reports, or `nil`.
    ///
    /// `openssl speed` times itself with `SIGALRM`; a child started with `Process` inherits this process's
    /// blocked signals and would never stop, so it is spawned with an empty signal mask (and killed after 60 s).
    static func opensslSpeed(_ name: String) -> Double? {
        #if canImport(Glibc)
        let arguments = ["openssl", "speed", "-seconds", "1", "-bytes", "1024", "-mr", "-evp", name]
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return nil }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, ends[1], 1)
        posix_spawn_file_actions_addclose(&actions, ends[0])
        posix_spawn_file_actions_addclose(&actions, ends[1])
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGALRM)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, "openssl", &actions, &attributes, argv, environ)
        close(ends[1])
        guard spawned == 0 else {
            close(ends[0])
            return nil
        }
        let child = pid
        let watchdog = DispatchWorkItem { kill(child, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: watchdog)
        let data = FileHandle(fileDescriptor: ends[0], closeOnDealloc: true).readDataToEndOfFile()
        var status: Int32 = 0
        waitpid(child, &status, 0)
        watchdog.cancel()
        guard status == 0 else { return nil }
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.hasPrefix("+F:") {
            if let field = line.split(separator: ":").last, let bytes = Double(field) { return bytes / 1e6 }
        }
        return nil
        #else
        return nil  // measured on Linux only
        #endif
    }
    #endif

    /// The best possible append/raw ratio: compression blocks of one raw message over those of one leaf
    /// hash plus one (amortized) node hash of 65 bytes.
    static func bound(_ size: Int) -> String {
        let raw = (size + 9 + 63) / 64
        let leaf = (size + 1 + 9 + 63) / 64
        return String(format: "%.2f", Double(raw) / Double(leaf + 2))
    }

    static func message(_ size: Int) -> [UInt8] {
        (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 17) }
    }

    static func rawThroughput(_ hasher: any LedgerHasher, entrySize: Int, totalBytes: Int) -> Double {
        let input = message(entrySize)
        let count = totalBytes / entrySize
        var out = [UInt8](repeating: 0, count: hasher.digestSize)
        var sink: UInt8 = 0
        let seconds = input.withUnsafeBytes { bytes in
            out.withUnsafeMutableBytes { output in
                measureSeconds {
                    for _ in 0..<count {
                        hasher.hash(bytes, into: output)
                        sink ^= output[0]
                    }
                }
            }
        }
        if sink == 42 { print("", terminator: "") }
        return Double(count * entrySize) / seconds / 1e6
    }

    static func appendThroughput(_ hasher: any LedgerHasher, entrySize: Int, totalBytes: Int) -> Double {
        let input = message(entrySize)
        let count = totalBytes / entrySize
        var tree = MerkleTree(hasher: hasher)
        tree.reserveCapacity(count)
        let seconds = input.withUnsafeBytes { bytes in
            measureSeconds {
                for _ in 0..<count { tree.append(bytes: bytes) }
            }
        }
        if tree.rootHash.bytes.isEmpty { print("empty root") }
        return Double(count * entrySize) / seconds / 1e6
    }

    static func proofTimes(_ report: BenchmarkReport, size: Int, rounds: Int) throws {
        let hasher = SHA256Hasher()
        var tree = MerkleTree(hasher: hasher)
        tree.reserveCapacity(size)
        let entry = message(64)
        let build = measureSeconds {
            entry.withUnsafeBytes { bytes in
                for _ in 0..<size { tree.append(bytes: bytes) }
            }
        }
        report.record("audit", "tree build, \(size) entries of 64 B (SHA-256)", build, "s")
        report.record("audit", "process memory with the \(size)-entry tree", Double(residentBytes()) / 1e6, "MB RSS")
        var generator = SystemRandomNumberGenerator()
        let samples = report.quick ? 2_000 : 20_000
        let indices = (0..<samples).map { _ in Int.random(in: 0..<size, using: &generator) }
        var failures = 0
        var best = [Double](repeating: .infinity, count: 4)
        for _ in 0..<rounds {
            let times = try proofRound(tree, indices: indices, failures: &failures)
            for slot in 0..<4 { best[slot] = min(best[slot], times[slot] / Double(samples) * 1e6) }
        }
        report.record("audit", "inclusion proof generation at \(size)", best[0], "µs")
        report.record("audit", "inclusion proof verification at \(size)", best[1], "µs")
        report.record(
            "audit",
            "inclusion proof generate+verify at \(size)",
            best[0] + best[1],
            "µs",
            note: "target <= 20 µs"
        )
        report.record("audit", "consistency proof generation at \(size)", best[2], "µs")
        report.record("audit", "consistency proof verification at \(size)", best[3], "µs")
        report.record(
            "audit",
            "consistency proof generate+verify at \(size)",
            best[2] + best[3],
            "µs",
            note: "target <= 20 µs"
        )
        if failures > 0 { report.record("audit", "PROOF FAILURES (must be 0)", Double(failures), "count") }
    }

    /// One pass over the sample indices: total seconds of inclusion generation, inclusion verification,
    /// consistency generation (from a random old size to the full size) and consistency verification.
    static func proofRound(_ tree: MerkleTree, indices: [Int], failures: inout Int) throws -> [Double] {
        let hasher = tree.hasher
        let size = tree.size
        let root = tree.rootHash
        var times = [0.0, 0.0, 0.0, 0.0]
        for index in indices {
            var proof: [LedgerHash] = []
            times[0] += try measureSeconds { proof = try tree.inclusionProof(forLeafAt: index, treeSize: size) }
            guard let leaf = tree.leafHash(at: index) else { continue }
            times[1] += measureSeconds {
                let check = MerkleVerifier.checkInclusion(
                    leafHash: leaf,
                    index: index,
                    treeSize: size,
                    proof: proof,
                    rootHash: root,
                    hasher: hasher
                )
                if !check.isValid { failures += 1 }
            }
        }
        for index in indices {
            let old = max(1, index)
            let oldRoot = try tree.rootHash(atSize: old)
            var proof: [LedgerHash] = []
            times[2] += try measureSeconds { proof = try tree.consistencyProof(from: old, to: size) }
            times[3] += measureSeconds {
                let check = MerkleVerifier.checkConsistency(
                    oldSize: old,
                    newSize: size,
                    oldRoot: oldRoot,
                    newRoot: root,
                    proof: proof,
                    hasher: hasher
                )
                if !check.isValid { failures += 1 }
            }
        }
        return times
    }

    /// A store of `count` events of about 290 canonical bytes each, in batches of 1,000 on many streams.
    static func populate(_ store: any EventStore, count: Int, streamPrefix: String = "bench") async throws {
        let payload = Data(String(repeating: "x", count: 180).utf8)
        let actor = Principal(party: "bench-agency", role: .implementingAgency, person: "bench")
        let start = Date(millisecondsSince1970: 1_790_000_000_000)
        let batch = 1000
        for first in stride(from: 0, to: count, by: batch) {
            let events = (first..<min(count, first + batch)).map { number in
                ProposedEvent(
                    id: EventID("\(streamPrefix)-evt-\(number)"),
                    type: "bench.recorded",
                    occurredAt: start,
                    actor: actor,
                    payload: payload,
                    metadata: EventMetadata(correlationID: "req-\(number)")
                )
            }
            _ = try await store.append(
                events,
                to: StreamID("\(streamPrefix)-\(first / batch)"),
                expectedVersion: .noStream
            )
        }
    }

    /// Ledger catch-up against its own hasher and tree on the same canonical bytes (issue 17 item 3: ≥ 70%),
    /// interleaved over rounds: each round catches a fresh ledger up over a fresh in-memory store, then hashes
    /// the canonical bytes of exactly the events it ledgered (its own records included) into a bare tree.
    static func catchUpRatio(_ report: BenchmarkReport, count: Int) async throws {
        var catchUpRates = Samples()
        var hashRates = Samples()
        var ratios = Samples()
        var ledgered = 0
        for _ in 0..<report.rounds {
            let store = InMemoryEventStore()
            try await populate(store, count: count)
            let ledger = try await Ledger.open(
                store: store,
                configuration: LedgerConfiguration(name: "bench.ledger", pageSize: 5000)
            )
            var appended = 0
            let catchUp = try await measureSecondsAsync { appended = try await ledger.catchUp() }
            let events = try await store.readAll(after: 0, pageSize: 5000)
            let canonical = try events.map { try CanonicalEventEncoding.encode($0) }
            var root = LedgerHash(bytes: [])
            let hashOnly = measureSeconds {
                var tree = MerkleTree(hasher: SHA256Hasher())
                for bytes in canonical { tree.append(bytes) }
                root = tree.rootHash
            }
            guard root == (await ledger.rootHash), appended == canonical.count else {
                throw AuditError(code: .inconsistentHistory, message: "catch-up and the bare tree disagree")
            }
            ledgered = appended
            let catchUpRate = Double(appended) / catchUp
            let hashRate = Double(canonical.count) / hashOnly
            catchUpRates.append(catchUpRate)
            hashRates.append(hashRate)
            ratios.append(catchUpRate / hashRate)
        }
        report.record(
            "audit",
            "ledger catch-up from the in-memory store, \(ledgered) events",
            catchUpRates,
            "events/s",
            note: "canonical bytes ≈ 290 B, SHA-256"
        )
        report.record(
            "audit",
            "hasher and tree alone on the same canonical bytes",
            hashRates,
            "events/s"
        )
        report.record(
            "audit",
            "catch-up / hasher and tree, same rounds",
            ratios,
            "ratio",
            note: "target >= 0.70"
        )
    }

    /// `ledger verify`: one pass of ``AuditVerifier/auditStore`` over a SQLite file of `count` events with a
    /// signed checkpoint every 1,000 events, against every recorded checkpoint and one held checkpoint
    /// (issue 16 item 9: ≥ 100k events/s), interleaved with a bare read of the same file.
    static func verifyThroughput(_ report: BenchmarkReport, count: Int) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "publicdata-bench-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ledger.sqlite").path
        let store = try SQLiteEventStore(path: path, durability: .normal)
        defer { store.close() }
        let ledger = try await Ledger.open(store: store, configuration: LedgerConfiguration(name: "bench.ledger"))
        let signer = BenchSigner()
        var held: SignedCheckpoint?
        for first in stride(from: 0, to: count, by: 1000) {
            try await populate(store, count: min(1000, count - first), streamPrefix: "bench-\(first)")
            try await ledger.catchUp()
            held = try await ledger.signCheckpoint(with: [signer])
        }
        try await ledger.catchUp()
        guard let held else { return }
        var events = 0
        var checkpoints = 0
        let samples = try await interleavedAsync(
            rounds: report.rounds,
            [
                {
                    var audit: StoreAudit?
                    let seconds = try await measureSecondsAsync {
                        audit = try await AuditVerifier.auditStore(
                            store,
                            ledgerName: "bench.ledger",
                            hasher: SHA256Hasher(),
                            held: [(label: "held", checkpoint: held)],
                            trusting: [signer]
                        )
                    }
                    guard let audit, audit.isOK else {
                        throw AuditError(code: .inconsistentHistory, message: "the benchmark store did not verify")
                    }
                    events = audit.eventCount
                    checkpoints = audit.checkpoints.count
                    return Double(audit.eventCount) / seconds
                },
                {
                    var read = 0
                    let seconds = try await measureSecondsAsync {
                        var after: Int64 = 0
                        while true {
                            let page = try await store.readAll(after: after, limit: 1000)
                            read += page.count
                            guard let last = page.last, page.count == 1000 else { break }
                            after = last.globalPosition
                        }
                    }
                    return Double(read) / seconds
                },
            ]
        )
        report.record(
            "audit",
            "ledger verify (one-pass store audit), SQLite, \(events) events, \(checkpoints) checkpoints",
            samples[0],
            "events/s",
            note: "target >= 100k events/s"
        )
        report.record("audit", "bare read of the same SQLite file", samples[1], "events/s")
    }

    static func ledgerTimes(_ report: BenchmarkReport, count: Int) async throws {
        try await catchUpRatio(report, count: report.quick ? 100_000 : 300_000)
        try await verifyThroughput(report, count: report.quick ? 30_000 : 131_000)
        let store = InMemoryEventStore()
        try await populate(store, count: count)
        let ledger = try await Ledger.open(
            store: store,
            configuration: LedgerConfiguration(name: "bench.ledger", pageSize: 5000)
        )
        let appended = try await ledger.catchUp()
        var verdict = StoreVerification.ok(verifiedSize: 0, unledgered: 0)
        let verify = try await measureSecondsAsync { verdict = try await ledger.verifyStore() }
        report.record(
            "audit",
            "full store verification (Ledger.verifyStore), in memory, \(appended) events",
            verify,
            "s",
            note: verdict.description
        )
        let signer = BenchSigner()
        let checkpoint = try await ledger.signCheckpoint(with: [signer])
        let offline = try await measureSecondsAsync {
            _ = try await AuditVerifier.verifyStore(store, against: checkpoint.checkpoint, hasher: SHA256Hasher())
        }
        report.record("audit", "store re-hash against a checkpoint (O(log n) memory), \(appended) events", offline, "s")
    }
}

/// A trivial signer for the benchmark (the library writes no signature algorithm).
private struct BenchSigner: CheckpointSigner, CheckpointVerifier {
    var name: String { "bench" }
    var keyID: [UInt8] { [0, 0, 0, 1] }
    func sign(_ message: [UInt8]) async throws -> [UInt8] { SHA256Hasher().digest(message).bytes }
    func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        signature == SHA256Hasher().digest(message).bytes
    }
}
