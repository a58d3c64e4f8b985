import Foundation
import PublicDataAudit
import PublicDataModel
import PublicDataSQLite

/// `ledger verify`, `ledger consistency`, `ledger prove`, `ledger check-proof`, `ledger witness-request`.
enum LedgerCommands {
    static let help = """
        USAGE
          publicdata-demo ledger verify DB [--checkpoint FILE]... [--public-key PEM]... [--key TEXT]
                  [--witness KEY... [--quorum K]]
              Reads the SQLite event store DB once and checks it against every checkpoint you give with
              --checkpoint (signed checkpoints you kept) and every checkpoint recorded in DB: a trusted
              signature, and that the store's first SIZE events still hash to its root. It also compares every
              event with the leaf hashes the ledger recorded, and names the first changed, missing or inserted
              event by its global position. Prints the events no signed checkpoint covers yet.
          publicdata-demo ledger consistency OLD NEW (--db DB | --proof FILE) [--public-key PEM]... [--key TEXT]
                  [--witness KEY... [--quorum K]]
              Checks that checkpoint NEW extends checkpoint OLD (same ledger, both trusted, a valid RFC 9162
              consistency proof). The proof is computed from DB, or read from FILE (one base64 hash a line).
          publicdata-demo ledger prove DB (--position N | --index I | I) [--checkpoint FILE] [--out FILE]
              Writes an offline proof bundle (JSON) for one event against the last signed checkpoint, or
              against the checkpoint in FILE: entry bytes, inclusion proof and checkpoint.
          publicdata-demo ledger check-proof BUNDLE [--public-key PEM]... [--key TEXT] [--witness KEY... [--quorum K]]
              Verifies a proof bundle without any store.
          publicdata-demo ledger export DB [--from N] [--to M] [--checkpoint FILE] --out FILE
              Writes an audit export (JSON) for an audit institution: the events at global positions N…M
              (default: all) under the last recorded checkpoint, or under the checkpoint in FILE (e.g. one
              cosigned by witnesses), each with its canonical bytes and inclusion proof.
          publicdata-demo ledger check-export FILE [--public-key PEM]... [--key TEXT] [--witness KEY... [--quorum K]]
              Verifies an audit export without any store: the checkpoint's signatures and cosignatures, and
              every event's inclusion proof and position.
          publicdata-demo ledger witness-request DB [--old-size N] [--checkpoint FILE] [--out FILE]
              Writes a C2SP tlog-witness add-checkpoint request for the last recorded checkpoint (or FILE): the
              old size N (the size the witness last cosigned, default 0), the consistency proof from N computed
              from DB, and the signed checkpoint. Hand it to `witness add-checkpoint` (or a witness's HTTP
              endpoint) and append the returned cosignature line to the checkpoint file.
          publicdata-demo ledger cosign DB --checkpoint FILE --witness KEY... [--public-key PEM]... [--key TEXT]
              Stores in DB the witness cosignatures found in the cosigned checkpoint FILE, so the checkpoint is
              served with them (`ledger checkpoint`, `ledger verify`, disclosure evidence). Each must be by a
              --witness key and verify; storing one again changes nothing (one per witness and checkpoint).
          publicdata-demo ledger checkpoint DB [--out FILE]
              Prints (or writes) the last signed checkpoint with every cosignature stored for it.

        POSITIONS AND LEAF INDEXES
          A global position is the number the store gave an event (gaps are possible); a leaf index counts the
          ledgered events from 0, including the ledger's own records. Messages name both; --position takes a
          global position, --index (or a bare number) a leaf index.

        KEYS
          --public-key PEM  a trusted Ed25519 or SM2 public key (builds with the OpenSSL trait); repeatable.
          --key TEXT        the demo's shared HMAC key (default: the demo key), trusted unless --public-key
                            is given.
          --witness KEY     a witness's cosigner key: NAME=PEM, PEM or a C2SP vkey (type 0x04); repeatable.
          --quorum K        how many distinct configured witnesses must have cosigned a checkpoint for it to be
                            trusted (C2SP cosignature/v1); default: all witnesses given.
          Exit status: 0 ok, 1 a check failed, 2 bad command line or input.
        """

    static func run(_ arguments: [String], output: TextOutput) async throws -> ExitStatus {
        guard let sub = arguments.first, !["--help", "-h"].contains(sub) else {
            output.line(help)
            return arguments.isEmpty ? .usage : .success
        }
        let specs: [String: ArgumentSpec] = [
            "verify": ArgumentSpec(
                command: "ledger verify",
                valued: ["key", "ledger", "quorum"],
                repeatable: ["checkpoint", "public-key", "witness"],
                positionals: 1...1
            ),
            "consistency": ArgumentSpec(
                command: "ledger consistency",
                valued: ["key", "db", "proof", "ledger", "quorum"],
                repeatable: ["public-key", "witness"],
                positionals: 2...2
            ),
            "prove": ArgumentSpec(
                command: "ledger prove",
                valued: ["key", "out", "ledger", "position", "index", "checkpoint"],
                positionals: 1...2
            ),
            "check-proof": ArgumentSpec(
                command: "ledger check-proof",
                valued: ["key", "quorum"],
                repeatable: ["public-key", "witness"],
                positionals: 1...1
            ),
            "export": ArgumentSpec(
                command: "ledger export",
                valued: ["from", "to", "checkpoint", "out", "ledger"],
                positionals: 1...1
            ),
            "check-export": ArgumentSpec(
                command: "ledger check-export",
                valued: ["key", "quorum"],
                repeatable: ["public-key", "witness"],
                positionals: 1...1
            ),
            "cosign": ArgumentSpec(
                command: "ledger cosign",
                valued: ["key", "checkpoint", "ledger"],
                repeatable: ["public-key", "witness"],
                positionals: 1...1
            ),
            "checkpoint": ArgumentSpec(
                command: "ledger checkpoint",
                valued: ["out", "ledger"],
                positionals: 1...1
            ),
            "witness-request": ArgumentSpec(
                command: "ledger witness-request",
                valued: ["old-size", "checkpoint", "out", "ledger"],
                positionals: 1...1
            ),
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
        case "consistency": return try await consistency(parsed, output: output)
        case "prove": return try await prove(parsed, output: output)
        case "witness-request": return try await witnessRequest(parsed, output: output)
        case "export": return try await export(parsed, output: output)
        case "check-export": return try checkExport(parsed, output: output)
        case "cosign": return try await cosign(parsed, output: output)
        case "checkpoint": return try await checkpoint(parsed, output: output)
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

    /// The trusted checkpoint keys named on the command line.
    static func verifiers(_ parsed: ParsedArguments) throws -> [any CheckpointVerifier] {
        var result: [any CheckpointVerifier] = []
        for path in parsed.lists["public-key"] ?? [] {
            result.append(try SignatureKeys.verifier(pemFile: path))
        }
        if result.isEmpty || parsed.values["key"] != nil {
            result.append(DemoKeys.signer(key: parsed.values["key"]))
        }
        return result
    }

    /// The trust policy of the command line: the log keys, the `--witness` keys and `--quorum`.
    static func policy(_ parsed: ParsedArguments, command: String) throws -> TrustPolicy {
        let logKeys = try verifiers(parsed)
        let witnesses = try (parsed.lists["witness"] ?? []).map {
            try SignatureKeys.verifier(pemFile: $0, cosigner: true)
        }
        var quorum = witnesses.count
        if let text = parsed.values["quorum"] {
            guard let value = Int(text), value >= 1 else {
                throw UsageError("--quorum must be a positive integer, got '\(text)'", command: command)
            }
            quorum = value
        }
        do {
            return try TrustPolicy(logKeys: logKeys, witnesses: witnesses, quorum: quorum)
        } catch {
            throw UsageError(error.message, command: command)
        }
    }

    /// The hasher called `name`.
    static func hasher(named name: String, file: String) throws -> any LedgerHasher {
        switch name {
        case SHA256Hasher().name: SHA256Hasher()
        case SM3Hasher().name: SM3Hasher()
        default: throw InputError(file: file, message: "the ledger uses an unknown hasher '\(name)'")
        }
    }

    /// Reads a signed checkpoint file, within ``AuditLimits``.
    static func readCheckpoint(_ path: String) throws -> SignedCheckpoint {
        let data = try PublicDataTool.read(path)
        do {
            return try SignedCheckpoint.parse(data: data)
        } catch {
            throw InputError(file: path, message: error.message)
        }
    }

    struct LedgerFound {
        var name: String
        var hasher: any LedgerHasher
    }

    /// Finds the ledger recorded in the store by its creation event, reading the log page by page.
    static func findLedger(_ store: any EventStore, named wanted: String?, file: String) async throws -> LedgerFound {
        var after: Int64 = 0
        while true {
            let page = try await store.readAll(after: after, limit: 1000)
            if let created = page.first(where: {
                $0.type == Ledger.createdEventType
                    && (wanted == nil || $0.streamID.rawValue == "audit-ledger-\(wanted ?? "")")
            }) {
                let hasherName = Ledger.recordedHasherName(in: created) ?? "unreadable"
                let name = String(created.streamID.rawValue.dropFirst("audit-ledger-".count))
                return LedgerFound(name: name, hasher: try hasher(named: hasherName, file: file))
            }
            guard let last = page.last, page.count == 1000 else { break }
            after = last.globalPosition
        }
        throw InputError(file: file, message: "the store holds no audit ledger")
    }

    private static func verify(_ parsed: ParsedArguments, output: TextOutput) async throws -> ExitStatus {
        let path = parsed.positionals[0]
        let held = try (parsed.lists["checkpoint"] ?? []).map { (label: $0, checkpoint: try readCheckpoint($0)) }
        let trusted = try verifiers(parsed)
        let policy = try policy(parsed, command: "ledger verify")
        let store = try openStore(path)
        defer { store.close() }
        return try await verify(
            store,
            file: path,
            ledger: parsed.values["ledger"],
            held: held,
            trusting: trusted,
            policy: policy,
            output: output
        )
    }

    /// Audits the ledger recorded in `store` (any store, e.g. PostgreSQL) in one pass.
    static func verify(
        _ store: any EventStore,
        file path: String,
        ledger: String? = nil,
        held: [(label: String, checkpoint: SignedCheckpoint)] = [],
        trusting trusted: [any CheckpointVerifier] = [DemoKeys.signer()],
        policy: TrustPolicy? = nil,
        output: TextOutput
    ) async throws -> ExitStatus {
        let found = try await findLedger(store, named: ledger, file: path)
        let origin = LedgerConfiguration(name: found.name, hasher: found.hasher).origin
        for item in held where item.checkpoint.checkpoint.origin != origin {
            throw InputError(
                file: item.label,
                message: "the checkpoint is for \(item.checkpoint.checkpoint.origin), not for \(origin)"
            )
        }
        let audit = try await AuditVerifier.auditStore(
            store,
            ledgerName: found.name,
            hasher: found.hasher,
            held: held,
            policy: policy ?? TrustPolicy(trusting: trusted)
        )
        let recorded = audit.checkpoints.count - held.count
        output.line(
            "ledger \(found.name) (\(found.hasher.name)), \(audit.eventCount) events; "
                + "\(held.count) held and \(recorded) recorded signed checkpoint(s)"
        )
        guard !audit.checkpoints.isEmpty else {
            output.line("FAILED: no signed checkpoint to verify against")
            return .checkFailed
        }
        var lastGood = 0
        var firstBad: Int?
        for entry in audit.checkpoints {
            let body = entry.checkpoint.checkpoint
            let head = "\(entry.source): size \(body.size)"
            switch entry.verdict {
            case .matches:
                output.line("  ✓ \(head) root \(body.rootHash.base64): the store matches")
                lastGood = max(lastGood, body.size)
            case .untrusted:
                output.line("  ✗ \(head): signature not by a trusted key")
            case .insufficientCosignatures(let found, let required):
                let mark = entry.source.isHeld ? "✗" : "–"
                output.line("  \(mark) \(head): \(found) of \(required) required witness cosignatures (covers nothing)")
            case .otherOrigin(let other):
                output.line("  ✗ \(head): a checkpoint of another ledger (\(other))")
            case .storeTooShort(let count):
                output.line("  ✗ \(head): the store holds only \(count) events (removed or truncated)")
                firstBad = min(firstBad ?? body.size, body.size)
            case .rootMismatch(let root):
                output.line("  ✗ \(head): the store hashes to \(root.base64) (history changed)")
                firstBad = min(firstBad ?? body.size, body.size)
            }
        }
        if let discrepancy = audit.firstDiscrepancy {
            output.line("FAILED: \(discrepancy) (per the ledger's leaf records)")
        }
        if let firstBad {
            let within = lastGood < firstBad ? lastGood : 0
            output.line("FAILED: the first change lies in leaf indexes \(within)..<\(firstBad)")
        }
        if audit.uncomparedLeaves > 0 {
            output.line("note: \(audit.uncomparedLeaves) events had no leaf record within the memory bound")
        }
        if let uncovered = audit.uncovered {
            output.line(
                "note: events at global positions \(uncovered.lowerBound)…\(uncovered.upperBound) "
                    + "are not yet under a signed checkpoint"
            )
        }
        guard audit.isOK else { return .checkFailed }
        output.line(
            "OK: every checkpoint is signed by a trusted key and the store still hashes to it "
                + "(\(audit.coveredSize) of \(audit.eventCount) events covered)"
        )
        return .success
    }

    private static func consistency(_ parsed: ParsedArguments, output: TextOutput) async throws -> ExitStatus {
        let old = try readCheckpoint(parsed.positionals[0])
        let new = try readCheckpoint(parsed.positionals[1])
        guard old.checkpoint.origin == new.checkpoint.origin else {
            throw InputError(
                file: parsed.positionals[1],
                message: "the checkpoint is for \(new.checkpoint.origin), not for \(old.checkpoint.origin)"
            )
        }
        guard let hasherName = new.checkpoint.origin.split(separator: "/").last else {
            throw InputError(file: parsed.positionals[1], message: "the origin names no hasher")
        }
        let hasher = try hasher(named: String(hasherName), file: parsed.positionals[1])
        let policy = try policy(parsed, command: "ledger consistency")
        let proof: [LedgerHash]
        switch (parsed.values["db"], parsed.values["proof"]) {
        case (let database?, nil):
            guard old.checkpoint.size <= new.checkpoint.size else {
                output.line("FAILED: OLD has size \(old.checkpoint.size), larger than NEW's \(new.checkpoint.size)")
                return .checkFailed
            }
            let store = try openStore(database)
            defer { store.close() }
            var tree = MerkleTree(hasher: hasher)
            var after: Int64 = 0
            while tree.size < new.checkpoint.size {
                let page = try await store.readAll(after: after, limit: 1000)
                for event in page.prefix(new.checkpoint.size - tree.size) {
                    tree.append(try CanonicalEventEncoding.encode(event))
                }
                guard let last = page.last, page.count == 1000 else { break }
                after = last.globalPosition
            }
            guard tree.size == new.checkpoint.size else {
                output.line("FAILED: the store holds only \(tree.size) events, NEW has size \(new.checkpoint.size)")
                return .checkFailed
            }
            proof = try tree.consistencyProof(from: old.checkpoint.size, to: new.checkpoint.size)
        case (nil, let file?):
            let text = String(decoding: try PublicDataTool.read(file), as: UTF8.self)
            do {
                proof = try AuditLimits.default.parseProofLines(text)
            } catch {
                throw InputError(file: file, message: error.message)
            }
        default:
            throw UsageError("give exactly one of --db DB and --proof FILE", command: "ledger consistency")
        }
        if let failure = AuditVerifier.checkConsistency(
            from: old,
            to: new,
            proof: proof,
            hasher: hasher,
            policy: policy
        ) {
            output.line("FAILED: \(failure)")
            return .checkFailed
        }
        output.line(
            "OK: size \(new.checkpoint.size) extends size \(old.checkpoint.size) of \(new.checkpoint.origin) "
                + "(\(proof.count) proof hashes)"
        )
        return .success
    }

    private static func prove(_ parsed: ParsedArguments, output: TextOutput) async throws -> ExitStatus {
        let path = parsed.positionals[0]
        var index: Int?
        var position: Int64?
        let indexText = parsed.values["index"] ?? (parsed.positionals.count > 1 ? parsed.positionals[1] : nil)
        if let indexText {
            guard let value = Int(indexText), value >= 0 else {
                throw UsageError(
                    "INDEX must be a non-negative integer (a leaf index), got '\(indexText)'",
                    command: "ledger prove"
                )
            }
            index = value
        }
        if let positionText = parsed.values["position"] {
            guard let value = Int64(positionText), value > 0 else {
                throw UsageError(
                    "--position must be a positive integer (a global position), got '\(positionText)'",
                    command: "ledger prove"
                )
            }
            position = value
        }
        guard (index == nil) != (position == nil) else {
            throw UsageError("give exactly one of --position N and --index I (or INDEX)", command: "ledger prove")
        }
        let held = try parsed.values["checkpoint"].map(readCheckpoint)
        let store = try openStore(path)
        defer { store.close() }
        let found = try await findLedger(store, named: parsed.values["ledger"], file: path)
        let ledger: Ledger
        do {
            ledger = try await Ledger.open(
                store: store,
                configuration: LedgerConfiguration(name: found.name, hasher: found.hasher)
            )
        } catch {
            throw InputError(file: path, message: "cannot open the ledger: \(error)")
        }
        if let position {
            guard let leaf = await ledger.leafIndex(ofPosition: position) else {
                throw InputError(file: path, message: "no ledgered event has global position \(position)")
            }
            index = leaf
        }
        let leaf = index ?? 0
        let bundle: ProofBundle
        do {
            bundle = try await ledger.proofBundle(forLeafAt: leaf, checkpoint: held)
        } catch {
            throw InputError(file: path, message: "cannot prove leaf \(leaf): \(error)")
        }
        let json = String(decoding: try bundle.jsonData(), as: UTF8.self)
        let at = await ledger.position(ofLeaf: leaf).map { "global position \($0), " } ?? ""
        if let out = parsed.values["out"] {
            do {
                try Data(json.utf8).write(to: URL(fileURLWithPath: out))
            } catch {
                throw InputError(file: out, message: "cannot write the bundle: \(error.localizedDescription)")
            }
            output.line(
                "wrote proof bundle for \(at)leaf \(leaf) (tree size \(bundle.checkpoint.checkpoint.size)) to \(out)"
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
            bundle = try ProofBundle.decode(data)
        } catch {
            throw InputError(file: path, message: error.message)
        }
        let hasher = try hasher(named: bundle.hasher, file: path)
        let policy = try policy(parsed, command: "ledger check-proof")
        switch AuditVerifier.verify(bundle, hasher: hasher, policy: policy) {
        case .valid(let event):
            output.line(
                "OK: leaf \(bundle.index) is included in \(bundle.checkpoint.checkpoint.origin) "
                    + "at size \(bundle.checkpoint.checkpoint.size)"
            )
            output.line(
                "  event \(event.id) \(event.type) on stream \(event.streamID) at global position "
                    + "\(event.globalPosition)"
            )
            return .success
        case .invalid(let failure):
            output.line("FAILED: \(failure)")
            return .checkFailed
        }
    }

    private static func witnessRequest(_ parsed: ParsedArguments, output: TextOutput) async throws -> ExitStatus {
        let path = parsed.positionals[0]
        var oldSize = 0
        if let text = parsed.values["old-size"] {
            guard let value = Int(text), value >= 0 else {
                throw UsageError(
                    "--old-size must be a non-negative integer, got '\(text)'",
                    command: "ledger witness-request"
                )
            }
            oldSize = value
        }
        let held = try parsed.values["checkpoint"].map(readCheckpoint)
        let store = try openStore(path)
        defer { store.close() }
        let found = try await findLedger(store, named: parsed.values["ledger"], file: path)
        let ledger: Ledger
        do {
            ledger = try await Ledger.open(
                store: store,
                configuration: LedgerConfiguration(name: found.name, hasher: found.hasher)
            )
        } catch {
            throw InputError(file: path, message: "cannot open the ledger: \(error)")
        }
        let recorded = await ledger.lastCheckpoint
        guard let checkpoint = held ?? recorded else {
            throw InputError(file: path, message: "the ledger has signed no checkpoint yet")
        }
        let size = checkpoint.checkpoint.size
        guard oldSize <= size else {
            throw UsageError(
                "--old-size \(oldSize) is above the checkpoint size \(size)",
                command: "ledger witness-request"
            )
        }
        let proof: [LedgerHash]
        do {
            guard try await ledger.rootHash(atSize: size) == checkpoint.checkpoint.rootHash else {
                output.line("FAILED: the store no longer hashes to the checkpoint's root at size \(size)")
                return .checkFailed
            }
            proof = oldSize == 0 ? [] : try await ledger.consistencyProof(from: oldSize, to: size)
        } catch {
            throw InputError(file: path, message: "cannot prove consistency: \(error.message)")
        }
        let request = AddCheckpointRequest(oldSize: oldSize, proof: proof, checkpoint: checkpoint)
        if let out = parsed.values["out"] {
            do {
                try Data(request.text.utf8).write(to: URL(fileURLWithPath: out))
            } catch {
                throw InputError(file: out, message: "cannot write the request: \(error.localizedDescription)")
            }
            output.line(
                "wrote add-checkpoint request (old \(oldSize), size \(size), \(proof.count) proof hashes) to \(out)"
            )
        } else {
            output.line(String(request.text.dropLast()))
        }
        return .success
    }

    /// Stores the witness cosignatures of a cosigned checkpoint file in the store.
    private static func cosign(_ parsed: ParsedArguments, output: TextOutput) async throws -> ExitStatus {
        let path = parsed.positionals[0]
        guard let file = parsed.values["checkpoint"] else {
            throw UsageError("--checkpoint FILE is required", command: "ledger cosign")
        }
        let witnesses = try (parsed.lists["witness"] ?? []).map {
            try SignatureKeys.verifier(pemFile: $0, cosigner: true)
        }
        guard !witnesses.isEmpty else {
            throw UsageError("at least one --witness KEY is required", command: "ledger cosign")
        }
        let logKeys = try verifiers(parsed)
        let cosigned = try readCheckpoint(file)
        var cosignatures: [Cosignature] = []
        for line in cosigned.signatures {
            if witnesses.contains(where: { $0.name == line.name && $0.keyID == line.keyID }) {
                do {
                    cosignatures.append(try Cosignature(line))
                } catch {
                    throw InputError(file: file, message: error.message)
                }
            } else if !logKeys.contains(where: { $0.name == line.name && $0.keyID == line.keyID }) {
                throw InputError(
                    file: file,
                    message: "the signature by \(line.name) is neither the log's nor a configured witness's"
                )
            }
        }
        guard !cosignatures.isEmpty else {
            throw InputError(file: file, message: "the checkpoint carries no cosignature of a configured witness")
        }
        let store = try openStore(path)
        defer { store.close() }
        let ledger = try await openLedger(store, path: path, name: parsed.values["ledger"])
        guard cosigned.checkpoint.origin == ledger.origin else {
            throw InputError(
                file: file,
                message: "the checkpoint is for \(cosigned.checkpoint.origin), not for \(ledger.origin)"
            )
        }
        let stored: [Cosignature]
        do {
            stored = try await ledger.recordCosignatures(cosignatures, for: cosigned.checkpoint, witnesses: witnesses)
        } catch let error where error.code == .invalidArgument {
            output.line("FAILED: \(error.message)")
            return .checkFailed
        } catch {
            throw InputError(file: path, message: error.message)
        }
        let names = stored.map(\.name).joined(separator: ", ")
        output.line(
            "stored \(stored.count) cosignature(s) of size \(cosigned.checkpoint.size)"
                + (stored.isEmpty ? "" : " (\(names))")
                + "; \(cosignatures.count - stored.count) already stored"
        )
        return .success
    }

    /// Prints the last signed checkpoint with its stored cosignatures.
    private static func checkpoint(_ parsed: ParsedArguments, output: TextOutput) async throws -> ExitStatus {
        let path = parsed.positionals[0]
        let store = try openStore(path)
        defer { store.close() }
        let ledger = try await openLedger(store, path: path, name: parsed.values["ledger"])
        let served: SignedCheckpoint?
        do {
            served = try await ledger.cosignedCheckpoint()
        } catch {
            throw InputError(file: path, message: error.message)
        }
        guard let served else {
            throw InputError(file: path, message: "the ledger has signed no checkpoint yet")
        }
        if let out = parsed.values["out"] {
            do {
                try Data(served.text.utf8).write(to: URL(fileURLWithPath: out))
            } catch {
                throw InputError(file: out, message: "cannot write the checkpoint: \(error.localizedDescription)")
            }
            output.line(
                "wrote the checkpoint of size \(served.checkpoint.size) with \(served.signatures.count) signature(s) to \(out)"
            )
        } else {
            output.line(String(served.text.dropLast()))
        }
        return .success
    }

    /// Opens the ledger recorded in the SQLite store at `path`.
    static func openLedger(_ store: any EventStore, path: String, name: String?) async throws -> Ledger {
        let found = try await findLedger(store, named: name, file: path)
        do {
            return try await Ledger.open(
                store: store,
                configuration: LedgerConfiguration(name: found.name, hasher: found.hasher)
            )
        } catch {
            throw InputError(file: path, message: "cannot open the ledger: \(error)")
        }
    }

    private static func export(_ parsed: ParsedArguments, output: TextOutput) async throws -> ExitStatus {
        let path = parsed.positionals[0]
        func position(_ option: String, _ fallback: Int64) throws -> Int64 {
            guard let text = parsed.values[option] else { return fallback }
            guard let value = Int64(text), value > 0 else {
                throw UsageError(
                    "--\(option) must be a positive global position, got '\(text)'",
                    command: "ledger export"
                )
            }
            return value
        }
        let from = try position("from", 1)
        let to = try position("to", Int64.max)
        guard from <= to else { throw UsageError("--from is above --to", command: "ledger export") }
        guard let out = parsed.values["out"] else {
            throw UsageError("--out FILE is required", command: "ledger export")
        }
        let held = try parsed.values["checkpoint"].map(readCheckpoint)
        let store = try openStore(path)
        defer { store.close() }
        let ledger = try await openLedger(store, path: path, name: parsed.values["ledger"])
        let export: AuditExport
        do {
            export = try await ledger.export(positions: from...to, checkpoint: held)
        } catch {
            throw InputError(file: path, message: "cannot export: \(error.message)")
        }
        do {
            try export.jsonData().write(to: URL(fileURLWithPath: out))
        } catch {
            throw InputError(file: out, message: "cannot write the export: \(error.localizedDescription)")
        }
        output.line(
            "wrote \(export.entries.count) events with inclusion proofs against size "
                + "\(export.checkpoint.checkpoint.size) of \(export.checkpoint.checkpoint.origin) to \(out)"
        )
        return .success
    }

    private static func checkExport(_ parsed: ParsedArguments, output: TextOutput) throws -> ExitStatus {
        let path = parsed.positionals[0]
        let export: AuditExport
        do {
            export = try AuditExport.decode(try PublicDataTool.read(path))
        } catch let error as AuditError {
            throw InputError(file: path, message: error.message)
        }
        let hasher = try hasher(named: export.hasher, file: path)
        let policy = try policy(parsed, command: "ledger check-export")
        switch AuditVerifier.verify(export, hasher: hasher, policy: policy) {
        case .valid(let events):
            let span = events.first.map { "global positions \($0.globalPosition)…\(events.last?.globalPosition ?? 0)" }
            output.line(
                "OK: \(events.count) events\(span.map { " at \($0)" } ?? "") are included in "
                    + "\(export.checkpoint.checkpoint.origin) at size \(export.checkpoint.checkpoint.size)"
            )
            return .success
        case .invalid(let entry, let failure):
            let which = entry.map { "entry \($0) (leaf \(export.entries[$0].index)): " } ?? ""
            output.line("FAILED: \(which)\(failure)")
            return .checkFailed
        }
    }
}

extension CheckpointSource {
    /// Whether the auditor supplied the checkpoint.
    var isHeld: Bool {
        if case .held = self { return true }
        return false
    }
}
