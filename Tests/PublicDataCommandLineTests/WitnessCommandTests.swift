import Foundation
import PublicDataAudit
import Testing

@testable import PublicDataCommandLine

/// `ledger witness-request`, `witness add-checkpoint`, `witness vkey` and the quorum options.
@Suite struct WitnessCommandTests {
    #if OpenSSL
    /// Generates an Ed25519 key pair with the openssl command line.
    func generateKey(_ name: String, in directory: TemporaryDirectory) throws {
        for arguments in [
            ["genpkey", "-algorithm", "ed25519", "-out", directory.path("\(name).pem")],
            ["pkey", "-in", directory.path("\(name).pem"), "-pubout", "-out", directory.path("\(name).pub")],
        ] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["openssl"] + arguments
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
    }

    @Test func twoWitnessesCosignTheDemoLedgerAndAQuorumIsChecked() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let dataDirectory = directory.path("data")
        let database = URL(fileURLWithPath: dataDirectory).appendingPathComponent("demo.sqlite").path
        #expect(await tool(["--data-dir", dataDirectory]).status == .success)
        for name in ["w1", "w2", "w3"] { try generateKey(name, in: directory) }

        let requestFile = directory.path("request")
        let written = await tool(["ledger", "witness-request", database, "--out", requestFile])
        #expect(written.status == .success, "\(written.error)")
        let request = try AddCheckpointRequest.parse(String(contentsOfFile: requestFile, encoding: .utf8))
        #expect(request.oldSize == 0)
        let origin = request.checkpoint.checkpoint.origin
        let checkpointFile = directory.path("checkpoint")
        try Data(request.checkpoint.text.utf8).write(to: URL(fileURLWithPath: checkpointFile))

        func cosign(_ witness: String, _ request: String) async -> ToolRun {
            await tool([
                "witness", "add-checkpoint", request, "--key", directory.path("\(witness).pem"),
                "--name", "\(witness).example.gov.cn", "--origin", origin, "--log-key", "demo",
                "--state", directory.path("state-\(witness)"),
            ])
        }
        var cosigned = request.checkpoint.text
        for witness in ["w1", "w2"] {
            let run = await cosign(witness, requestFile)
            #expect(run.status == .success, "\(run.error)")
            #expect(run.output.hasPrefix("— \(witness).example.gov.cn "))
            cosigned += run.output
        }
        let cosignedFile = try directory.write("cosigned", cosigned)
        // The same request again: the witness already holds that size, so the old size 0 conflicts.
        let again = await cosign("w1", requestFile)
        #expect(again.status == .checkFailed)
        #expect(again.output.contains("REFUSED 409"))

        let vkey = await tool(["witness", "vkey", "--key", directory.path("w1.pem"), "--name", "w1.example.gov.cn"])
        #expect(vkey.status == .success)
        let w1 = vkey.output.trimmingCharacters(in: .newlines)
        let w2 = "w2.example.gov.cn=\(directory.path("w2.pub"))"
        let w3 = "w3.example.gov.cn=\(directory.path("w3.pub"))"
        let base = ["ledger", "verify", database, "--checkpoint", cosignedFile]
        let two = await tool(base + ["--witness", w1, "--witness", w2, "--witness", w3, "--quorum", "2"])
        #expect(two.status == .success, "\(two.output)\(two.error)")
        #expect(two.output.contains("required witness cosignatures (covers nothing)"))
        let three = await tool(base + ["--witness", w1, "--witness", w2, "--witness", w3, "--quorum", "3"])
        #expect(three.status == .checkFailed)
        #expect(three.output.contains("✗ held \(cosignedFile)"))
        // Without the cosigned checkpoint nothing is trusted under a quorum.
        let unheld = await tool(["ledger", "verify", database, "--witness", w1, "--quorum", "1"])
        #expect(unheld.status == .checkFailed)

        let proof = directory.path("proof.json")
        #expect(
            await tool(["ledger", "prove", database, "--index", "3", "--checkpoint", cosignedFile, "--out", proof])
                .status == .success
        )
        #expect(await tool(["ledger", "check-proof", proof, "--witness", w1, "--witness", w2]).status == .success)
        let short = await tool(["ledger", "check-proof", proof, "--witness", w1, "--witness", w3])
        #expect(short.status == .checkFailed)
        #expect(short.output.contains("1 of 2 required witness cosignatures"))

        // Bad input: a bad quorum, a log vkey given as a witness, an unknown origin, a malformed request.
        #expect(await tool(["ledger", "check-proof", proof, "--witness", w1, "--quorum", "2"]).status == .usage)
        let notAWitness = w1.replacingOccurrences(of: "+B", with: "+A")
        #expect(await tool(["ledger", "check-proof", proof, "--witness", notAWitness]).status == .usage)
        let other = await tool([
            "witness", "add-checkpoint", requestFile, "--key", directory.path("w3.pem"), "--name", "w3",
            "--origin", "other/sha-256", "--log-key", "demo", "--state", directory.path("state-w3"),
        ])
        #expect(other.status == .usage)
        #expect(other.output.contains("REFUSED 404"))
        let garbage = try directory.write("garbage", "old 007\n\n")
        #expect(await cosign("w3", garbage).status == .usage)
    }
    #endif

    @Test func anAuditExportIsWrittenAndCheckedOffline() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let dataDirectory = directory.path("data")
        let database = URL(fileURLWithPath: dataDirectory).appendingPathComponent("demo.sqlite").path
        #expect(await tool(["--data-dir", dataDirectory, "--hash", "sm3"]).status == .success)
        let file = directory.path("export.json")
        let written = await tool(["ledger", "export", database, "--from", "3", "--to", "12", "--out", file])
        #expect(written.status == .success, "\(written.error)")
        #expect(written.output.hasPrefix("wrote 10 events with inclusion proofs"))
        let checked = await tool(["ledger", "check-export", file])
        #expect(checked.status == .success)
        #expect(checked.output.hasPrefix("OK: 10 events at global positions 3…12 are included in"))

        // One changed character of an entry fails the check and names the entry.
        var export = try AuditExport.decode(Data(contentsOf: URL(fileURLWithPath: file)))
        export.entries[4].entry[60] ^= 0x01
        let tampered = directory.path("tampered.json")
        try export.jsonData().write(to: URL(fileURLWithPath: tampered))
        let failed = await tool(["ledger", "check-export", tampered])
        #expect(failed.status == .checkFailed)
        #expect(failed.output.contains("FAILED: entry 4 (leaf"))
        #expect(await tool(["ledger", "check-export", try directory.write("bad.json", "[1,2")]).status == .usage)
        #expect(await tool(["ledger", "export", database, "--out", file, "--from", "0"]).status == .usage)
        #expect(await tool(["ledger", "export", database]).status == .usage)
    }

    @Test func aPublishedDisclosureIsVerifiedAgainstTheProvenEvents() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let dataDirectory = directory.path("data")
        let database = URL(fileURLWithPath: dataDirectory).appendingPathComponent("demo.sqlite").path
        #expect(await tool(["--data-dir", dataDirectory]).status == .success)
        let evidence = directory.path("evidence.json")
        let published = await tool(["disclose", database, "--year", "2026", "--format", "json", "--evidence", evidence])
        #expect(published.status == .success, "\(published.error)")
        let disclosure = try directory.write("disclosure.json", published.output)
        let verified = await tool(["disclose", "verify", disclosure, "--evidence", evidence])
        #expect(verified.status == .success, "\(verified.output)\(verified.error)")
        #expect(verified.output.hasPrefix("OK: the disclosure for 2026-01-01…2026-12-31 is exactly what"))

        // A published figure that the events do not support fails.
        let changed = published.output.replacingOccurrences(of: "\"fen\":20000", with: "\"fen\":2000")
        #expect(changed != published.output)
        let forged = try directory.write("forged.json", changed)
        let refused = await tool(["disclose", "verify", forged, "--evidence", evidence])
        #expect(refused.status == .checkFailed)
        #expect(refused.output.contains("FAILED: the disclosure is not what the log's events say"))

        // Evidence with an event left out fails, even though every remaining proof holds.
        var export = try AuditExport.decode(Data(contentsOf: URL(fileURLWithPath: evidence)))
        export.entries.remove(at: 10)
        let partial = directory.path("partial.json")
        try export.jsonData().write(to: URL(fileURLWithPath: partial))
        let incomplete = await tool(["disclose", "verify", disclosure, "--evidence", partial])
        #expect(incomplete.status == .checkFailed)
        #expect(incomplete.output.contains("does not hold every event"))
        #expect(await tool(["disclose", "verify", disclosure]).status == .usage)
        #expect(await tool(["disclose", "verify", evidence, "--evidence", evidence]).status == .usage)
    }

    @Test func witnessCommandsExplainThemselves() async {
        let help = await tool(["witness", "--help"])
        #expect(help.status == .success)
        #expect(help.output.contains("add-checkpoint"))
        #expect(await tool(["witness", "frobnicate"]).status == .usage)
        #expect(await tool(["witness", "add-checkpoint", "x"]).status == .usage)
    }
}
