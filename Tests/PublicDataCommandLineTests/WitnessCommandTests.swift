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

        // The cosignatures are stored in the database and served with the recorded checkpoint.
        let witnessKeys = ["--witness", w1, "--witness", w2, "--witness", w3]
        let stored = await tool(["ledger", "cosign", database, "--checkpoint", cosignedFile] + witnessKeys)
        #expect(stored.status == .success, "\(stored.output)\(stored.error)")
        #expect(stored.output.hasPrefix("stored 2 cosignature(s) of size \(request.checkpoint.checkpoint.size)"))
        let storedAgain = await tool(["ledger", "cosign", database, "--checkpoint", cosignedFile] + witnessKeys)
        #expect(storedAgain.output.hasPrefix("stored 0 cosignature(s)"))
        #expect(storedAgain.output.contains("2 already stored"))
        let served = await tool(["ledger", "checkpoint", database])
        #expect(served.status == .success)
        #expect(served.output == cosigned)
        // Now the store's own checkpoint record meets the quorum without any held file.
        let recorded = await tool(["ledger", "verify", database] + witnessKeys + ["--quorum", "2"])
        #expect(recorded.status == .success, "\(recorded.output)\(recorded.error)")
        // A cosignature from an unconfigured witness is bad input; nothing is stored.
        let unconfigured = await tool(["ledger", "cosign", database, "--checkpoint", cosignedFile, "--witness", w3])
        #expect(unconfigured.status == .usage)
        #expect(unconfigured.error.contains("neither the log's nor a configured witness's"))
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

    @Test func eachLineOfADisclosureIsProvenByExactlyItsOwnEvents() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let dataDirectory = directory.path("data")
        let database = URL(fileURLWithPath: dataDirectory).appendingPathComponent("demo.sqlite").path
        #expect(await tool(["--data-dir", dataDirectory]).status == .success)
        let evidencePath = directory.path("lines.json")
        let published = await tool([
            "disclose", database, "--year", "2026", "--format", "json", "--line-evidence", evidencePath,
        ])
        #expect(published.status == .success, "\(published.error)")
        let disclosurePath = try directory.write("disclosure.json", published.output)
        let disclosure = try PublicDataJSON.decode(Disclosure.self, from: Data(published.output.utf8))
        let evidence = try DisclosureEvidence.decode(Data(contentsOf: URL(fileURLWithPath: evidencePath)))
        #expect(evidence.lines.map(\.line) == disclosure.lineIDs)
        let size = try #require(disclosure.ledgerCheckpoint).checkpoint.size

        // Every line verifies on its own events, each far fewer than the log.
        let all = await tool(["disclose", "verify", disclosurePath, "--evidence", evidencePath])
        #expect(all.status == .success, "\(all.output)\(all.error)")
        #expect(all.output.contains("OK: \(disclosure.lineIDs.count) line(s) of the disclosure"))
        let feeLine = try #require(
            disclosure.lineIDs.first { id in
                id.contains(".actualFees[")
                    && String(decoding: disclosure.line(id) ?? Data(), as: UTF8.self)
                        .contains("\"fen\":20000")
            }
        )
        let feeEntries = try #require(evidence.lines.first { $0.line == feeLine }).entries
        #expect(!feeEntries.isEmpty && feeEntries.count < size / 4, "\(feeEntries.count) of \(size) events")

        // A reader holding only one line's evidence checks that line.
        let cut = directory.path("one-line.json")
        try evidence.restricted(to: [feeLine]).jsonData().write(to: URL(fileURLWithPath: cut))
        let one = await tool(["disclose", "verify", disclosurePath, "--evidence", cut, "--line", feeLine])
        #expect(one.status == .success, "\(one.output)")
        #expect(one.output.contains("✓ \(feeLine): \(feeEntries.count) proven events"))
        let others = await tool(["disclose", "verify", disclosurePath, "--evidence", cut])
        #expect(others.status == .checkFailed)
        #expect(others.output.contains("the evidence holds nothing for this line"))

        // A forged figure fails and names its line; the other lines still verify.
        let forgedText = published.output.replacingOccurrences(of: "\"fen\":20000", with: "\"fen\":2000")
        #expect(forgedText != published.output)
        let forged = try directory.write("forged.json", forgedText)
        let refused = await tool(["disclose", "verify", forged, "--evidence", evidencePath])
        #expect(refused.status == .checkFailed)
        #expect(refused.output.contains("FAILED: line \(feeLine): published "))
        #expect(refused.output.contains("✓ \(disclosure.lineIDs[0])"))

        func verifyWith(_ entries: [AuditExport.Entry], _ name: String) async throws -> ToolRun {
            var changed = evidence.restricted(to: [feeLine])
            changed.lines[0].entries = entries
            let file = directory.path(name)
            try changed.jsonData().write(to: URL(fileURLWithPath: file))
            return await tool(["disclose", "verify", disclosurePath, "--evidence", file, "--line", feeLine])
        }
        // An event left out of the line's evidence fails and names the line.
        for left in feeEntries.indices {
            var fewer = feeEntries
            fewer.remove(at: left)
            let missing = try await verifyWith(fewer, "missing-\(left).json")
            #expect(missing.status == .checkFailed, "leaving out entry \(left) passed")
            #expect(missing.output.contains("FAILED: line \(feeLine): "))
        }
        // An event the line is not computed from fails too, though its proof holds.
        let unrelated = try #require(
            evidence.lines.flatMap(\.entries).first { entry in !feeEntries.contains { $0.index == entry.index } }
        )
        let extra = try await verifyWith((feeEntries + [unrelated]).sorted { $0.index < $1.index }, "extra.json")
        #expect(extra.status == .checkFailed)
        #expect(extra.output.contains("FAILED: line \(feeLine): the events at positions \(unrelated.position) are not"))
        // A changed byte of an event fails its inclusion proof.
        var tampered = feeEntries
        tampered[0].entry[40] ^= 0x01
        let broken = try await verifyWith(tampered, "tampered.json")
        #expect(broken.status == .checkFailed)
        #expect(broken.output.contains("FAILED: line \(feeLine): entry 0 (position \(feeEntries[0].position))"))

        // Bad input: a line the disclosure does not have, --line without line evidence.
        #expect(
            await tool(["disclose", database, "--year", "2026", "--line-evidence", cut, "--line", "nope"]).status
                == .usage
        )
        #expect(await tool(["disclose", database, "--year", "2026", "--line", feeLine]).status == .usage)
    }

    @Test func witnessCommandsExplainThemselves() async {
        let help = await tool(["witness", "--help"])
        #expect(help.status == .success)
        #expect(help.output.contains("add-checkpoint"))
        #expect(await tool(["witness", "frobnicate"]).status == .usage)
        #expect(await tool(["witness", "add-checkpoint", "x"]).status == .usage)
    }
}
