import Foundation
import PublicDataAudit
import PublicDataModel
import PublicDataSQLite
import PublicDataTesting

/// The demo's checkpoint key: a shared-secret test signer, clearly not a production key.
enum DemoKeys {
    /// The signer (and verifier) the demo signs checkpoints with.
    static func signer(key: String? = nil) -> TestCheckpointSigner {
        TestCheckpointSigner(name: "publicdatakit-demo", key: Array((key ?? "publicdatakit demo key, not secret").utf8))
    }
}

/// `ledger verify`, `ledger prove`, `ledger check-proof`.
enum LedgerCommands {
    static let help = """
        USAGE
          publicdata-demo ledger verify DB [--key TEXT]
              Re-reads the SQLite event store DB, checks every signed checkpoint recorded in it (signature,
              and that the store's events still hash to its root), and that each checkpoint extends the one
              before. Exit 1 when anything was changed, removed, inserted or reordered.
          publicdata-demo ledger prove DB INDEX [--out FILE] [--key TEXT]
              Writes an offline proof bundle (JSON) for the event at leaf INDEX against the last signed
              checkpoint: entry bytes, inclusion proof and checkpoint. Prints it when --out is not given.
          publicdata-demo ledger check-proof BUNDLE [--key TEXT]
              Verifies a proof bundle without any store. Exit 1 when it does not verify.

        --key is the demo's shared checkpoint key (default: the demo key). DB is the demo's database file.
        """

    static func run(_ arguments: [String], output: TextOutput) async throws -> ExitStatus {
        guard let sub = arguments.first, !["--help", "-h"].contains(sub) else {
            output.line(help)
            return arguments.isEmpty ? .usage : .success
        }
        let specs: [String: ArgumentSpec] = [
            "verify": ArgumentSpec(command: "ledger verify", valued: ["key", "ledger"], positionals: 1...1),
            "prove": ArgumentSpec(command: "ledger prove", valued: ["key", "out", "ledger"], positionals: 2...2),
            "check-proof": ArgumentSpec(command: "ledger check-proof", valued: ["key"], positionals: 1...1),
        ]
        guard let spec = specs[sub] else {
            throw UsageError("unknown ledger command '\(sub)'", command: "ledger")
        }
        let parsed = try ParsedArguments.parse(Array(arguments.dropFirst()), spec: spec)
        if parsed.wantsHelp {
            output.line(help)
            return .success
        }
        switch sub {
        case "verify": return try await verify(parsed, output: output)
        case "prove": return try await prove(parsed, output: output)
        default: return try checkProof(parsed, output: output)
        }
    }

    /// Opens an existing SQLite store; a missing file is an input error, never a new empty database.
    static func openStore(_ path: String) throws -> SQLiteEventStore {
        guard FileManager.default.fileExists(atPath: path) else {
            throw InputError(file: path, message: "no such database file")
        }
        do {
            return try SQLiteEventStore(path: path, createIfNeeded: false)
        } catch {
            throw InputError(file: path, message: "\(error)")
        }
    }

    struct LedgerFound {
        var name: String
        var hasher: any LedgerHasher
        var checkpoints: [SignedCheckpoint]
    }

    /// Finds the ledger recorded in the store (its creation event and signed checkpoints).
    static func findLedger(_ store: any EventStore, named wanted: String?, file: String) async throws -> LedgerFound {
        let events = try await store.readAll(after: 0, pageSize: 1000)
        guard
            let created = events.first(where: {
                $0.type == Ledger.createdEventType
                    && (wanted == nil || $0.streamID.rawValue == "audit-ledger-\(wanted ?? "")")
            })
        else { throw InputError(file: file, message: "the store holds no audit ledger") }
        let hasherName = Ledger.recordedHasherName(in: created) ?? "unreadable"
        let hasher: any LedgerHasher
        switch hasherName {
        case SHA256Hasher().name: hasher = SHA256Hasher()
        case SM3Hasher().name: hasher = SM3Hasher()
        default: throw InputError(file: file, message: "the ledger uses an unknown hasher '\(hasherName)'")
        }
        let name = String(created.streamID.rawValue.dropFirst("audit-ledger-".count))
        var checkpoints: [SignedCheckpoint] = []
        for event in events where event.streamID == created.streamID && event.type == Ledger.checkpointEventType {
            guard let checkpoint = Ledger.recordedCheckpoint(in: event) else {
                throw InputError(file: file, message: "unreadable checkpoint at position \(event.globalPosition)")
            }
            checkpoints.append(checkpoint)
        }
        return LedgerFound(name: name, hasher: hasher, checkpoints: checkpoints)
    }

    private static func verify(_ parsed: ParsedArguments, output: TextOutput) async throws -> ExitStatus {
        let path = parsed.positionals[0]
        let store = try openStore(path)
        defer { store.close() }
        return try await verify(
            store,
            file: path,
            ledger: parsed.values["ledger"],
            key: parsed.values["key"],
            output: output
        )
    }

    /// Verifies every signed checkpoint of the ledger recorded in `store` (any store, e.g. PostgreSQL).
    static func verify(
        _ store: any EventStore,
        file path: String,
        ledger: String? = nil,
        key: String? = nil,
        output: TextOutput
    ) async throws -> ExitStatus {
        let found = try await findLedger(store, named: ledger, file: path)
        let verifier = DemoKeys.signer(key: key)
        output.line("ledger \(found.name) (\(found.hasher.name)), \(found.checkpoints.count) signed checkpoint(s)")
        guard !found.checkpoints.isEmpty else {
            output.line("FAILED: no signed checkpoint to verify against")
            return .checkFailed
        }
        var failures = 0
        var previous: SignedCheckpoint?
        var firstBadSize: Int?
        var lastGoodSize = 0
        for signed in found.checkpoints {
            let checkpoint = signed.checkpoint
            guard signed.isSigned(byAnyOf: [verifier]) else {
                output.line("  ✗ checkpoint size \(checkpoint.size): signature not by the trusted key")
                failures += 1
                continue
            }
            let verdict = try await AuditVerifier.verifyStore(store, against: checkpoint, hasher: found.hasher)
            switch verdict {
            case .matches:
                output.line("  ✓ checkpoint size \(checkpoint.size) root \(checkpoint.rootHash.base64): store matches")
                lastGoodSize = max(lastGoodSize, checkpoint.size)
            case .storeTooShort(let count):
                output.line("  ✗ checkpoint size \(checkpoint.size): the store holds only \(count) events (removed)")
                failures += 1
                firstBadSize = firstBadSize ?? checkpoint.size
            case .rootMismatch(let found):
                output.line(
                    "  ✗ checkpoint size \(checkpoint.size): the store hashes to \(found.base64) (history changed)"
                )
                failures += 1
                firstBadSize = firstBadSize ?? checkpoint.size
            }
            if let previous, previous.checkpoint.size > checkpoint.size {
                output.line("  ✗ checkpoint size \(checkpoint.size) is smaller than the one before it")
                failures += 1
            }
            previous = signed
        }
        if let firstBadSize {
            output.line(
                "FAILED: the first change lies in entries \(lastGoodSize)..<\(firstBadSize) (leaf indices)"
            )
        }
        if failures == 0 {
            output.line("OK: every checkpoint is signed and the store still hashes to it")
            return .success
        }
        return .checkFailed
    }

    private static func prove(_ parsed: ParsedArguments, output: TextOutput) async throws -> ExitStatus {
        let path = parsed.positionals[0]
        guard let index = Int(parsed.positionals[1]), index >= 0 else {
            throw UsageError(
                "INDEX must be a non-negative integer, got '\(parsed.positionals[1])'",
                command: "ledger prove"
            )
        }
        let store = try openStore(path)
        defer { store.close() }
        let found = try await findLedger(store, named: parsed.values["ledger"], file: path)
        let ledger = try await Ledger.open(
            store: store,
            configuration: LedgerConfiguration(name: found.name, hasher: found.hasher)
        )
        let bundle: ProofBundle
        do {
            bundle = try await ledger.proofBundle(forLeafAt: index)
        } catch {
            throw InputError(file: path, message: "cannot prove leaf \(index): \(error)")
        }
        let json = String(decoding: try bundle.jsonData(), as: UTF8.self)
        if let out = parsed.values["out"] {
            do {
                try Data(json.utf8).write(to: URL(fileURLWithPath: out))
            } catch {
                throw InputError(file: out, message: "cannot write the bundle: \(error.localizedDescription)")
            }
            output.line(
                "wrote proof bundle for leaf \(index) (tree size \(bundle.checkpoint.checkpoint.size)) to \(out)"
            )
        } else {
            output.line(json)
        }
        return .success
    }

    private static func checkProof(_ parsed: ParsedArguments, output: TextOutput) throws -> ExitStatus {
        let path = parsed.positionals[0]
        let data = try PublicDataTool.read(path)
        let bundle: ProofBundle
        do {
            bundle = try ProofBundle.fromJSON(data)
        } catch {
            throw InputError(file: path, message: "\(error.path): \(error.message)")
        }
        let hasher: any LedgerHasher = bundle.hasher == SM3Hasher().name ? SM3Hasher() : SHA256Hasher()
        switch AuditVerifier.verify(bundle, hasher: hasher, trusting: [DemoKeys.signer(key: parsed.values["key"])]) {
        case .valid(let event):
            output.line(
                "OK: leaf \(bundle.index) is included in \(bundle.checkpoint.checkpoint.origin) "
                    + "at size \(bundle.checkpoint.checkpoint.size)"
            )
            output.line(
                "  event \(event.id) \(event.type) on stream \(event.streamID) at position \(event.globalPosition)"
            )
            return .success
        case .invalid(let failure):
            output.line("FAILED: \(failure)")
            return .checkFailed
        }
    }
}
