import Foundation
import PublicDataAudit
import PublicDataModel
import PublicDataPolicy
import PublicDataWorkflow

/// A disclosure input and, for each of its lines (`Disclosure.lineIDs`), the global positions of the events
/// the line is computed from (``DisclosureBuilder/sources(from:period:calendar:parameters:)``).
public struct DisclosureSources: Sendable {
    /// The input for `Disclosure(_:)`.
    public var input: DisclosureInput
    /// Each line's event positions, ascending.
    public var lines: [String: [Int64]]

    /// Creates sources.
    public init(input: DisclosureInput, lines: [String: [Int64]]) {
        self.input = input
        self.lines = lines
    }
}

/// The verdict on one line of a published disclosure.
public struct DisclosureLineCheck: Sendable, Hashable, CustomStringConvertible {
    /// The line (`Disclosure.lineIDs`).
    public var line: String
    /// The number of proven events the line was checked against.
    public var events: Int
    /// Why the line failed, or `nil` when it is exactly what its proven events give.
    public var failure: String?

    /// Creates a verdict.
    public init(line: String, events: Int, failure: String? = nil) {
        self.line = line
        self.events = events
        self.failure = failure
    }

    /// `true` when the line verified.
    public var isValid: Bool { failure == nil }

    /// `✓ LINE: N proven events` or `✗ LINE: why`.
    public var description: String {
        if let failure { return "✗ \(line): \(failure)" }
        return "✓ \(line): \(events) proven event\(events == 1 ? "" : "s")"
    }
}

/// What ``DisclosureVerifier/verify(_:evidence:lines:hasher:policy:calendar:parameters:now:)`` found.
public struct DisclosureVerification: Sendable, Hashable {
    /// Why the evidence as a whole is unusable (another checkpoint than the disclosure's anchor), or `nil`.
    public var failure: String?
    /// One verdict per line checked, in the disclosure's line order (then lines only the evidence has).
    public var lines: [DisclosureLineCheck]

    /// `true` when the evidence is for the disclosure's anchor and every checked line verified.
    public var isValid: Bool { failure == nil && lines.allSatisfy(\.isValid) }
}

/// Proves the lines of a published disclosure (Art. 32) against the audit log, one line at a time.
///
/// ``evidence(for:ledger:events:only:calendar:parameters:)`` writes, per line, the events the line is computed from
/// with their inclusion proofs against the disclosure's checkpoint (`DisclosureEvidence`).
/// ``verify(_:evidence:lines:hasher:policy:calendar:parameters:now:)`` checks, offline, with no store:
/// 1. the evidence is for the checkpoint the disclosure is anchored to, and that checkpoint satisfies the
///    policy (the log's key, the witnesses' quorum);
/// 2. per line: every inclusion proof holds; the line rebuilt from those events alone equals the published
///    line (a forged figure, or an event left out, fails); and every event given counts towards the line
///    (an event the line is not computed from fails).
///
/// What one line's evidence cannot show is that no *other* event of the log should have counted: that needs
/// the log up to the checkpoint (an `AuditExport` of every event, which `disclose verify` also accepts).
public enum DisclosureVerifier {
    /// The evidence of every line of `disclosure` (or of the lines `only`), against its checkpoint.
    /// - Parameters:
    ///   - disclosure: The disclosure, anchored to a checkpoint of `ledger`.
    ///   - ledger: The ledger (caught up at least to the checkpoint).
    ///   - events: The log the disclosure was built from.
    ///   - only: The lines to prove (all by default).
    ///   - calendar: The calendar the disclosure was built with.
    ///   - parameters: The policy parameters it was built with.
    /// - Returns: The evidence, with the checkpoint served with its stored cosignatures.
    /// - Throws: `AuditError` (`invalidArgument` when the disclosure has no checkpoint or a line's event is
    ///   not under it; `inconsistentHistory`, `storeFailure`), `WorkflowError` for an unreadable event.
    public static func evidence(
        for disclosure: Disclosure,
        ledger: Ledger,
        events: [RecordedEvent],
        only: [String]? = nil,
        calendar: some WorkingDayCalendar = StandardWorkingDayCalendar(),
        parameters: PolicyParameters = Policy.beijingDefault.parameters
    ) async throws -> DisclosureEvidence {
        guard let anchor = disclosure.ledgerCheckpoint else {
            throw AuditError(code: .invalidArgument, message: "the disclosure is anchored to no checkpoint")
        }
        let checkpoint = try await ledger.cosignedCheckpoint(anchor) ?? anchor
        let sources = try DisclosureBuilder.sources(
            from: events,
            period: disclosure.period,
            calendar: calendar,
            parameters: parameters
        )
        var proven: [Int64: AuditExport.Entry] = [:]
        var lines: [DisclosureEvidence.Line] = []
        for id in disclosure.lineIDs where only?.contains(id) ?? true {
            var entries: [AuditExport.Entry] = []
            for position in sources.lines[id] ?? [] {
                if let entry = proven[position] {
                    entries.append(entry)
                    continue
                }
                guard let index = await ledger.leafIndex(ofPosition: position) else {
                    throw AuditError(
                        code: .invalidArgument,
                        message: "the event at position \(position) (line \(id)) is not ledgered"
                    )
                }
                let bundle = try await ledger.proofBundle(forLeafAt: index, checkpoint: checkpoint)
                let entry = AuditExport.Entry(
                    index: index,
                    position: position,
                    entry: bundle.entry,
                    inclusionProof: bundle.inclusionProof
                )
                proven[position] = entry
                entries.append(entry)
            }
            lines.append(DisclosureEvidence.Line(line: id, entries: entries.sorted { $0.index < $1.index }))
        }
        return DisclosureEvidence(hasher: ledger.configuration.hasher.name, checkpoint: checkpoint, lines: lines)
    }

    /// Verifies the lines of a published disclosure against their evidence, offline.
    /// - Parameters:
    ///   - disclosure: The published disclosure.
    ///   - evidence: Its evidence (all lines, or some).
    ///   - lines: The lines to check; by default every line of the disclosure, and any line only the evidence
    ///     has (which fails).
    ///   - hasher: The regulator's hasher; its name must match the evidence's.
    ///   - policy: The log's keys, the witnesses and the quorum.
    ///   - calendar: The calendar the disclosure was built with.
    ///   - parameters: The policy parameters it was built with.
    ///   - now: The verifier's clock.
    /// - Returns: The verdict, per line.
    public static func verify(
        _ disclosure: Disclosure,
        evidence: DisclosureEvidence,
        lines: [String]? = nil,
        hasher: any LedgerHasher,
        policy: TrustPolicy,
        calendar: some WorkingDayCalendar = StandardWorkingDayCalendar(),
        parameters: PolicyParameters = Policy.beijingDefault.parameters,
        now: Date = Date()
    ) -> DisclosureVerification {
        guard let anchor = disclosure.ledgerCheckpoint, anchor.checkpoint == evidence.checkpoint.checkpoint else {
            return DisclosureVerification(
                failure: "the evidence is not for the checkpoint the disclosure is anchored to",
                lines: []
            )
        }
        var wanted = lines ?? disclosure.lineIDs
        if lines == nil {
            for line in evidence.lines where !wanted.contains(line.line) { wanted.append(line.line) }
        }
        var checks: [DisclosureLineCheck] = []
        for id in wanted {
            checks.append(
                check(
                    id,
                    of: disclosure,
                    evidence: evidence,
                    hasher: hasher,
                    policy: policy,
                    calendar: calendar,
                    parameters: parameters,
                    now: now
                )
            )
        }
        return DisclosureVerification(failure: nil, lines: checks)
    }

    private static func check(
        _ id: String,
        of disclosure: Disclosure,
        evidence: DisclosureEvidence,
        hasher: any LedgerHasher,
        policy: TrustPolicy,
        calendar: some WorkingDayCalendar,
        parameters: PolicyParameters,
        now: Date
    ) -> DisclosureLineCheck {
        guard let published = disclosure.line(id) else {
            return DisclosureLineCheck(line: id, events: 0, failure: "the disclosure has no such line")
        }
        guard let export = evidence.export(ofLine: id) else {
            return DisclosureLineCheck(line: id, events: 0, failure: "the evidence holds nothing for this line")
        }
        let events: [RecordedEvent]
        switch AuditVerifier.verify(export, hasher: hasher, policy: policy, now: now) {
        case .valid(let proven): events = proven
        case .invalid(let entry, let failure):
            let which = entry.map { "entry \($0) (position \(export.entries[$0].position)): " } ?? ""
            return DisclosureLineCheck(line: id, events: export.entries.count, failure: "\(which)\(failure)")
        }
        let rebuilt: Disclosure
        let sources: DisclosureSources
        do {
            sources = try DisclosureBuilder.sources(
                from: events,
                period: disclosure.period,
                calendar: calendar,
                parameters: parameters
            )
            rebuilt = try Disclosure(sources.input)
        } catch {
            return DisclosureLineCheck(
                line: id,
                events: events.count,
                failure: "the proven events do not yield a valid disclosure: \(error)"
            )
        }
        guard let found = rebuilt.line(id) else {
            return DisclosureLineCheck(
                line: id,
                events: events.count,
                failure: "the \(events.count) proven events do not yield this line (an event it is computed from is "
                    + "missing)"
            )
        }
        guard found == published else {
            return DisclosureLineCheck(
                line: id,
                events: events.count,
                failure: "published \(String(decoding: published, as: UTF8.self)), but the \(events.count) proven "
                    + "events give \(String(decoding: found, as: UTF8.self))"
            )
        }
        let counted = Set(sources.lines[id] ?? [])
        let extra = events.map(\.globalPosition).filter { !counted.contains($0) }
        guard extra.isEmpty else {
            return DisclosureLineCheck(
                line: id,
                events: events.count,
                failure: "the events at positions \(extra.map(String.init).joined(separator: ", ")) are not ones this "
                    + "line is computed from"
            )
        }
        return DisclosureLineCheck(line: id, events: events.count)
    }
}
