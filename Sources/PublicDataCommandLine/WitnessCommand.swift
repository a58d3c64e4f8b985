import Foundation
import PublicDataAudit

/// `witness add-checkpoint`, `witness vkey`: a C2SP tlog-witness on the command line.
enum WitnessCommand {
    static let help = """
        USAGE
          publicdata-demo witness add-checkpoint REQUEST --key PEM --name NAME --origin ORIGIN
                  --log-key KEY... --state DIR [--out FILE]
              Handles a C2SP tlog-witness add-checkpoint request body (as written by `ledger witness-request`):
              checks the log's signature with --log-key, and consistency with the last checkpoint this witness
              cosigned for ORIGIN (kept in DIR), then cosigns (C2SP cosignature/v1) and records the checkpoint.
              Prints the cosignature line; with --out writes the checkpoint with the cosignature appended
              (the same as appending the printed line to the checkpoint file).
              A refusal prints REFUSED and the HTTP status the protocol assigns: 403 (not signed by the log key),
              409 (the old size is not the last cosigned size, printed), 422 (inconsistent: the two signed
              checkpoints are kept as evidence in DIR) exit 1; 400 (malformed) and 404 (unknown origin) exit 2.
          publicdata-demo witness vkey --key PEM --name NAME
              Prints the witness's C2SP verifier key (vkey, Ed25519) to publish to verifiers.

        KEYS
          --key PEM       the witness's private key (Ed25519; SM2 as a PublicDataKit extension).
          --log-key KEY   the log's public key: NAME=PEM, PEM or a C2SP vkey; repeatable. `demo` stands for the
                          demo's shared HMAC key (shows the protocol, proves nothing).
          Needs the OpenSSL trait. Exit status: 0 ok, 1 refused, 2 bad command line or input.
        """

    static func run(_ arguments: [String], output: TextOutput) async throws -> ExitStatus {
        guard let sub = arguments.first, !["--help", "-h"].contains(sub) else {
            output.line(help)
            return arguments.isEmpty ? .usage : .success
        }
        let specs: [String: ArgumentSpec] = [
            "add-checkpoint": ArgumentSpec(
                command: "witness add-checkpoint",
                valued: ["key", "name", "origin", "state", "out"],
                repeatable: ["log-key"],
                positionals: 1...1
            ),
            "vkey": ArgumentSpec(command: "witness vkey", valued: ["key", "name"]),
        ]
        guard let spec = specs[sub] else { throw UsageError("unknown witness command '\(sub)'", command: "witness") }
        let parsed = try ParsedArguments.parse(Array(arguments.dropFirst()), spec: spec)
        if parsed.wantsHelp {
            output.line(help)
            return .success
        }
        func required(_ option: String) throws -> String {
            guard let value = parsed.values[option] else {
                throw UsageError("--\(option) is required", command: spec.command)
            }
            return value
        }
        if sub == "vkey" {
            output.line(try SignatureKeys.vkey(pemFile: try required("key"), name: try required("name")))
            return .success
        }
        let origin = try required("origin")
        let logKeys = try (parsed.lists["log-key"] ?? []).map { argument -> any CheckpointVerifier in
            argument == "demo" ? DemoKeys.signer() : try SignatureKeys.verifier(pemFile: argument)
        }
        guard !logKeys.isEmpty else { throw UsageError("--log-key is required", command: spec.command) }
        let cosigner = try SignatureKeys.cosigner(pemFile: try required("key"), name: try required("name"))
        let stateDirectory = try required("state")
        let state: FileWitnessState
        do {
            state = try FileWitnessState(directory: URL(fileURLWithPath: stateDirectory))
        } catch {
            throw InputError(file: stateDirectory, message: error.message)
        }
        let hasher: any LedgerHasher = origin.hasSuffix("/sm3") ? SM3Hasher() : SHA256Hasher()
        let witness = Witness(
            cosigner: cosigner,
            logs: [WitnessedLog(origin: origin, keys: logKeys, hasher: hasher)],
            state: state
        )
        let path = parsed.positionals[0]
        let text = String(decoding: try PublicDataTool.read(path), as: UTF8.self)
        let request: AddCheckpointRequest
        do {
            request = try AddCheckpointRequest.parse(text)
        } catch {
            throw InputError(file: path, message: error.message)
        }
        do {
            let cosignature = try await witness.addCheckpoint(request)
            if let out = parsed.values["out"] {
                let cosigned = request.checkpoint.adding([cosignature.noteSignature])
                do {
                    try Data(cosigned.text.utf8).write(to: URL(fileURLWithPath: out))
                } catch {
                    throw InputError(file: out, message: "cannot write: \(error.localizedDescription)")
                }
                output.line("cosigned size \(request.checkpoint.checkpoint.size) of \(origin); wrote \(out)")
            } else {
                output.line(cosignature.line)
            }
            return .success
        } catch let refusal as WitnessRefusal {
            output.line("REFUSED \(refusal.status.rawValue): \(refusal.message)")
            if let evidence = refusal.evidence {
                output.line(
                    evidence.isFork
                        ? "evidence: two checkpoints of size \(evidence.latest.checkpoint.size) signed by the log "
                            + "with different roots (a fork), kept in \(stateDirectory)"
                        : "evidence: the log's signed checkpoint and the one it contradicts, kept in \(stateDirectory)"
                )
            }
            switch refusal.status {
            case .badRequest, .notFound: return .usage
            default: return .checkFailed
            }
        }
    }
}
