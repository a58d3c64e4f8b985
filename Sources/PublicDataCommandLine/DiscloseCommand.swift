import Foundation
import PublicDataKit

/// `disclose DB --year YYYY [--format markdown|json] [--evidence FILE] [--line-evidence FILE [--line ID]...]`,
/// `disclose verify`.
enum DiscloseCommand {
    static let help = """
        USAGE
          publicdata-demo disclose DB --year YYYY [--format markdown|json] [--evidence FILE]
                  [--line-evidence FILE [--line ID]...]
          publicdata-demo disclose verify DISCLOSURE.json --evidence FILE [--line ID]... [--public-key PEM]...
                  [--key TEXT] [--witness KEY... [--quorum K]]

        Builds the yearly disclosure of Art. 32 for the calendar year YYYY from the events in the SQLite store
        DB: each implementing agency's authorizations (operator, resources, scope, term, fee caps) and each
        operator's authorized resources, products, actual fees with revenue, and data usage, anchored to the
        first audit checkpoint signed after the year. Prints Markdown (default) or JSON.

        With --evidence FILE it also writes the evidence (an audit export, see `ledger export`): every event
        under the disclosure's checkpoint with its inclusion proof. `disclose verify` checks a published JSON
        disclosure offline: the evidence's checkpoint is the disclosure's and is trusted (log key, witness
        quorum), every event from leaf 0 up to the checkpoint is present and proven, and the disclosure rebuilt
        from those events equals the published one line for line.

        With --line-evidence FILE it writes the evidence line by line instead: for each line of the disclosure
        (or each --line ID), exactly the events the line is computed from, with their inclusion proofs against
        the disclosure's checkpoint (served with the witness cosignatures stored for it). Lines are named as
        `operators[op-1].actualFees[p-api]`, `agencies[a].authorizations[agr]`, … (the JSON output's sections
        and rows). `disclose verify` given such evidence checks each line (or only each --line ID) on its own:
        the proofs hold, the line rebuilt from its events alone equals the published line, and every event
        counts towards it. A forged figure, a left-out or an unrelated event fails and names the line.

        Exit 0 ok, 1 a check failed, 2 bad input.
        """

    static func run(_ arguments: [String], output: TextOutput) async throws -> ExitStatus {
        if arguments.first == "verify" { return try verify(Array(arguments.dropFirst()), output: output) }
        let parsed = try ParsedArguments.parse(
            arguments,
            spec: ArgumentSpec(
                command: "disclose",
                valued: ["year", "format", "evidence", "line-evidence"],
                repeatable: ["line"],
                positionals: 1...1
            )
        )
        if parsed.wantsHelp {
            output.line(help)
            return .success
        }
        guard let yearText = parsed.values["year"] else {
            throw UsageError("missing --year YYYY", command: "disclose")
        }
        guard let year = Int(yearText), (1900...9999).contains(year), let period = DisclosurePeriod.year(year) else {
            throw UsageError("--year must be a year such as 2026, got '\(yearText)'", command: "disclose")
        }
        let format = parsed.values["format"] ?? "markdown"
        guard ["markdown", "json"].contains(format) else {
            throw UsageError("--format must be markdown or json, got '\(format)'", command: "disclose")
        }
        let path = parsed.positionals[0]
        let store = try LedgerCommands.openStore(path)
        defer { store.close() }
        let events: [RecordedEvent]
        do {
            events = try await store.readAll(after: 0, pageSize: 1000)
        } catch {
            throw InputError(file: path, message: "cannot read the events: \(error)")
        }
        let input: DisclosureInput
        do {
            input = try DisclosureBuilder.input(from: events, period: period, calendar: DemoWorld.calendar)
        } catch {
            throw InputError(file: path, message: "an event's payload is unreadable: \(error)")
        }
        let disclosure: Disclosure
        do {
            disclosure = try Disclosure(input)
        } catch {
            let first = error.issues.first.map { "\($0.path): \($0.message)" } ?? "\(error)"
            throw InputError(file: path, message: "the disclosure is invalid: \(first)")
        }
        if let evidence = parsed.values["evidence"] {
            try await writeEvidence(store, path: path, disclosure: disclosure, to: evidence)
        }
        if let evidence = parsed.values["line-evidence"] {
            try await writeLineEvidence(
                store,
                path: path,
                events: events,
                disclosure: disclosure,
                lines: parsed.lists["line"],
                to: evidence
            )
        } else if parsed.lists["line"] != nil {
            throw UsageError("--line needs --line-evidence FILE", command: "disclose")
        }
        if format == "json" {
            output.line(String(decoding: try disclosure.jsonData(), as: UTF8.self))
        } else {
            output.line(String(disclosure.markdown().dropLast()))
        }
        return .success
    }

    /// Writes the audit export of every event under the disclosure's checkpoint.
    private static func writeEvidence(
        _ store: any EventStore,
        path: String,
        disclosure: Disclosure,
        to file: String
    ) async throws {
        guard let checkpoint = disclosure.ledgerCheckpoint else {
            throw InputError(file: path, message: "the disclosure is anchored to no checkpoint: no evidence to write")
        }
        let ledger = try await LedgerCommands.openLedger(store, path: path, name: nil)
        let export: AuditExport
        do {
            export = try await ledger.export(positions: 1...Int64.max, checkpoint: checkpoint)
        } catch {
            throw InputError(file: path, message: "cannot export the evidence: \(error.message)")
        }
        do {
            try export.jsonData().write(to: URL(fileURLWithPath: file))
        } catch {
            throw InputError(file: file, message: "cannot write the evidence: \(error.localizedDescription)")
        }
    }

    /// Writes the evidence of each line (or of `lines`) of the disclosure.
    private static func writeLineEvidence(
        _ store: any EventStore,
        path: String,
        events: [RecordedEvent],
        disclosure: Disclosure,
        lines: [String]?,
        to file: String
    ) async throws {
        guard disclosure.ledgerCheckpoint != nil else {
            throw InputError(file: path, message: "the disclosure is anchored to no checkpoint: no evidence to write")
        }
        let known = disclosure.lineIDs
        for line in lines ?? [] where !known.contains(line) {
            throw UsageError("the disclosure has no line '\(line)'", command: "disclose")
        }
        let ledger = try await LedgerCommands.openLedger(store, path: path, name: nil)
        let evidence: DisclosureEvidence
        do {
            evidence = try await DisclosureVerifier.evidence(
                for: disclosure,
                ledger: ledger,
                events: events,
                only: lines,
                calendar: DemoWorld.calendar
            )
        } catch {
            throw InputError(file: path, message: "cannot prove the disclosure's lines: \(error)")
        }
        do {
            try evidence.jsonData().write(to: URL(fileURLWithPath: file))
        } catch {
            throw InputError(file: file, message: "cannot write the evidence: \(error.localizedDescription)")
        }
    }

    private static func verify(_ arguments: [String], output: TextOutput) throws -> ExitStatus {
        let parsed = try ParsedArguments.parse(
            arguments,
            spec: ArgumentSpec(
                command: "disclose verify",
                valued: ["evidence", "key", "quorum"],
                repeatable: ["public-key", "witness", "line"],
                positionals: 1...1
            )
        )
        if parsed.wantsHelp {
            output.line(help)
            return .success
        }
        guard let evidencePath = parsed.values["evidence"] else {
            throw UsageError("--evidence FILE is required", command: "disclose verify")
        }
        let path = parsed.positionals[0]
        let published: Disclosure
        do {
            published = try PublicDataJSON.decode(Disclosure.self, from: try PublicDataTool.read(path))
        } catch let error as ModelDecodingError {
            throw InputError(file: path, message: "\(error.path): \(error.message)")
        }
        let evidenceData = try PublicDataTool.read(evidencePath)
        if (try? PublicDataJSON.decode(EvidenceFormat.self, from: evidenceData))?.format
            == DisclosureEvidence.currentFormat
        {
            return try verifyLines(published, evidence: evidenceData, file: evidencePath, parsed, output: output)
        }
        if parsed.lists["line"] != nil {
            throw UsageError("--line needs evidence written with --line-evidence", command: "disclose verify")
        }
        let export: AuditExport
        do {
            export = try AuditExport.decode(evidenceData)
        } catch {
            throw InputError(file: evidencePath, message: error.message)
        }
        let hasher = try LedgerCommands.hasher(named: export.hasher, file: evidencePath)
        let policy = try LedgerCommands.policy(parsed, command: "disclose verify")
        guard let anchor = published.ledgerCheckpoint, anchor.checkpoint == export.checkpoint.checkpoint else {
            output.line("FAILED: the evidence is not for the checkpoint the disclosure is anchored to")
            return .checkFailed
        }
        let events: [RecordedEvent]
        switch AuditVerifier.verify(export, hasher: hasher, policy: policy) {
        case .valid(let verified): events = verified
        case .invalid(let entry, let failure):
            output.line("FAILED: evidence \(entry.map { "entry \($0): " } ?? "")\(failure)")
            return .checkFailed
        }
        guard export.entries.map(\.index) == Array(0..<export.checkpoint.checkpoint.size) else {
            output.line(
                "FAILED: the evidence does not hold every event up to size \(export.checkpoint.checkpoint.size) "
                    + "(\(export.entries.count) entries)"
            )
            return .checkFailed
        }
        let rebuilt: Disclosure
        do {
            var input = try DisclosureBuilder.input(
                from: events,
                period: published.period,
                calendar: DemoWorld.calendar
            )
            input.ledgerCheckpoint = anchor
            rebuilt = try Disclosure(input)
        } catch {
            output.line("FAILED: the proven events do not yield a valid disclosure: \(error)")
            return .checkFailed
        }
        guard rebuilt == published else {
            for (name, mine, theirs) in [
                ("agencies", "\(rebuilt.agencies)", "\(published.agencies)"),
                ("operators", "\(rebuilt.operators)", "\(published.operators)"),
                ("findings", "\(rebuilt.findings)", "\(published.findings)"),
            ] where mine != theirs {
                output.line("FAILED: the published \(name) differ from those the proven events yield")
            }
            output.line("FAILED: the disclosure is not what the log's events say")
            return .checkFailed
        }
        output.line(
            "OK: the disclosure for \(published.period.start)…\(published.period.end) is exactly what the "
                + "\(events.count) proven events under size \(anchor.checkpoint.size) of \(anchor.checkpoint.origin) yield"
        )
        return .success
    }

    /// The `format` field of an evidence document, to tell line evidence from an audit export.
    private struct EvidenceFormat: Decodable {
        var format: String
    }

    /// Checks each line (or each `--line`) of a published disclosure against its own evidence.
    private static func verifyLines(
        _ published: Disclosure,
        evidence data: Data,
        file: String,
        _ parsed: ParsedArguments,
        output: TextOutput
    ) throws -> ExitStatus {
        let evidence: DisclosureEvidence
        do {
            evidence = try DisclosureEvidence.decode(data)
        } catch {
            throw InputError(file: file, message: error.message)
        }
        let hasher = try LedgerCommands.hasher(named: evidence.hasher, file: file)
        let policy = try LedgerCommands.policy(parsed, command: "disclose verify")
        let verdict = DisclosureVerifier.verify(
            published,
            evidence: evidence,
            lines: parsed.lists["line"],
            hasher: hasher,
            policy: policy,
            calendar: DemoWorld.calendar
        )
        if let failure = verdict.failure {
            output.line("FAILED: \(failure)")
            return .checkFailed
        }
        for line in verdict.lines { output.line("  \(line)") }
        let failed = verdict.lines.filter { !$0.isValid }
        guard failed.isEmpty else {
            for line in failed { output.line("FAILED: line \(line.line): \(line.failure ?? "")") }
            return .checkFailed
        }
        let anchor = evidence.checkpoint.checkpoint
        output.line(
            "OK: \(verdict.lines.count) line(s) of the disclosure for \(published.period.start)…\(published.period.end) "
                + "are exactly what their proven events under size \(anchor.size) of \(anchor.origin) give"
        )
        return .success
    }
}
