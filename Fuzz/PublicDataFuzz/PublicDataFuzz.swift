// Fuzz harnesses for every decoder a user feeds, plus a replay driver.
//
// Built normally (`swift build --product PublicDataFuzz`), this is a replay driver:
//     PublicDataFuzz TARGET FILE...      runs each file through TARGET's decoder and reports the outcome.
// Built by `Fuzz/run.sh` with `-sanitize=fuzzer` and `-D FUZZING`, it is a libFuzzer binary whose target is
// chosen by the `PUBLICDATA_FUZZ_TARGET` environment variable. Every input must end in a value or a typed
// error: a trap, a crash or a sanitizer report is a bug.
import Foundation
import PublicDataAudit
import PublicDataModel
import PublicDataPolicy
import PublicDataWorkflow

enum FuzzTarget: String, CaseIterable {
    case policy, suite, corpus
    case proofJSON = "proof-json"
    case proofText = "proof-text"
    case checkpoint
    case canonicalEntry = "canonical-entry"
    case envelope
    case command
    case commandRun = "command-run"

    #if FUZZING
    /// Tight limits keep each run fast; the checks themselves are the same at any size.
    static let limits = PolicyInputLimits(
        maximumPolicyBytes: 1 << 20,
        maximumSuiteBytes: 1 << 20,
        maximumCorpusLineBytes: 64 << 10,
        maximumCorpusBytes: 1 << 20,
        maximumCorpusRecords: 10_000
    )
    #else
    /// The replay driver reads with the defaults, so it also measures the largest allowed inputs.
    static let limits = PolicyInputLimits.standard
    #endif

    /// Decodes `data`; returns a one-word outcome. Any invariant broken on the way stops the process.
    func run(_ data: Data) -> String {
        switch self {
        case .policy:
            guard let policy = try? Policy.load(from: data, limits: Self.limits) else { return "refused" }
            // A loaded policy re-loads from its own JSON and evaluates without trapping.
            // (Pretty-printed, the JSON may be larger than the input, so it is re-read without a size limit.)
            let unbounded = PolicyInputLimits(maximumPolicyBytes: .max)
            guard (try? Policy.load(from: policy.jsonData, limits: unbounded)) == policy else {
                fatalError("policy did not round-trip")
            }
            return "accepted"
        case .suite:
            guard let suite = try? PolicyTestSuite.load(from: data, limits: Self.limits) else { return "refused" }
            _ = PolicyHarness.run(suite: suite, policy: .beijingDefault).text
            return "accepted"
        case .corpus:
            guard let records = try? ImpactAnalysis.loadCorpus(jsonLines: data, limits: Self.limits) else {
                return "refused"
            }
            _ = ImpactAnalysis.compare(old: .beijingDefault, new: .beijingDefault, corpus: records).text
            return "accepted"
        case .proofJSON:
            guard let bundle = try? ProofBundle.fromJSON(data) else { return "refused" }
            _ = bundle.tlogProofText
            return "accepted"
        case .proofText:
            let text = String(decoding: data, as: UTF8.self)
            guard let bundle = try? ProofBundle.parse(tlogProof: text, entry: Data(), hasher: "sha256") else {
                return "refused"
            }
            _ = try? bundle.jsonData()
            return "accepted"
        case .checkpoint:
            let text = String(decoding: data, as: UTF8.self)
            guard let signed = try? SignedCheckpoint.parse(text) else { return "refused" }
            _ = signed.text
            return "accepted"
        case .canonicalEntry:
            guard let event = try? CanonicalEventEncoding.decode(Array(data)) else { return "refused" }
            _ = try? PublicDataJSON.encode(event)
            _ = PublicDataJSON.formatInstant(event.occurredAt)
            return "accepted"
        case .envelope:
            // A recorded event as JSON: identifiers and instants through the model's decoder.
            guard let event = try? PublicDataJSON.decode(RecordedEvent.self, from: data) else { return "refused" }
            guard event.id.isValid, event.streamID.isValid else { fatalError("an invalid identifier was decoded") }
            _ = try? PublicDataJSON.encode(event)
            return "accepted"
        case .command:
            // A command as a portal receives it: decoding ends in a value or a typed error, and a decoded command
            // re-encodes to JSON that decodes to the same command.
            guard let command = try? PublicDataJSON.decode(WorkflowCommand.self, from: data) else { return "refused" }
            guard let again = try? PublicDataJSON.encode(command),
                (try? PublicDataJSON.decode(WorkflowCommand.self, from: again)) == command
            else { fatalError("a decoded command did not round-trip: \(command)") }
            _ = command.name.spec
            _ = command.stream
            return "accepted"
        case .commandRun:
            return CommandRun.run(data)
        }
    }
}

/// Executes a script of commands on a fresh engine over an in-memory store: one JSON command per line, either a
/// bare `WorkflowCommand` (issued by the first role its spec allows) or `{"as": PRINCIPAL, "command": …}`.
///
/// Every command ends in an outcome or a `WorkflowError`; a refused command records nothing.
enum CommandRun {
    struct Line: Decodable {
        var `as`: Principal?
        var command: WorkflowCommand
    }

    struct FixedClock: WallClock {
        func now() -> Date { Date(millisecondsSince1970: 1_772_413_200_000) }  // 2026-03-02T01:00:00Z
    }

    /// The party acting in each role when a line names none (the parties of the test world).
    static func principal(for command: WorkflowCommand) -> Principal {
        let role = command.name.spec.roles.min { $0.rawValue < $1.rawValue } ?? .auditor
        let parties: [Role: PartyID] = [
            .implementingAgency: "agency-finance", .operator: "op-1", .industryDepartment: "dept-finance",
            .municipalGovernment: "bj-government", .dataAdministration: "bj-data-administration",
        ]
        return Principal(party: parties[role] ?? PartyID("\(role.rawValue)-1"), role: role, person: "fuzz")
    }

    static func run(_ data: Data) -> String {
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).prefix(64)
        let script: [(WorkflowCommand, Principal)] = lines.compactMap { line in
            if let command = try? PublicDataJSON.decode(WorkflowCommand.self, from: Data(line)) {
                return (command, principal(for: command))
            }
            guard let parsed = try? PublicDataJSON.decode(Line.self, from: Data(line)) else { return nil }
            return (parsed.command, parsed.as ?? principal(for: parsed.command))
        }
        guard !script.isEmpty else { return "refused" }
        let done = DispatchSemaphore(value: 0)
        let result = LockedBox("")
        Task {
            let store = InMemoryEventStore()
            let engine = WorkflowEngine(
                store: store,
                clock: FixedClock(),
                calendar: StandardWorkingDayCalendar(),
                policy: .beijingDefault
            )
            var recorded = 0
            for (command, actor) in script {
                let before = await store.headPosition()
                do {
                    _ = try await engine.execute(command, by: actor)
                    recorded += 1
                } catch {
                    let after = await store.headPosition()
                    if after != before { fatalError("a refused \(command.name) recorded \(after - before) events") }
                }
            }
            result.withLock { $0 = "ran \(script.count), recorded \(recorded)" }
            done.signal()
        }
        done.wait()
        return result.withLock { $0 }
    }
}

#if FUZZING
private let selected: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["PUBLICDATA_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        fatalError("set PUBLICDATA_FUZZ_TARGET to one of: \(names)")
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    _ = selected.run(data)
    return 0
}
/// libFuzzer's driver (from `-sanitize=fuzzer`): parses libFuzzer's flags and runs `callback` on each input.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The executable's entry point in the fuzzing build (SwiftPM links `main` to this symbol).
@_cdecl("PublicDataFuzz_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    // One-time globals (the default policy, its compiled form) are built before the first input, so that
    // they are not mistaken for per-input work.
    _ = PolicyHarness.run(suite: PolicyTestSuite(name: "warm-up", cases: []), policy: .beijingDefault)
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { start, size in fuzzOneInput(start, size) }
}
#else
/// Writes the fixed seeds for the audit formats (`PublicDataFuzz write-fixtures Fuzz/fixtures`).
func writeFixtures(to folder: String) throws {
    let event = RecordedEvent(
        id: "evt-1",
        streamID: "agreement-agr-001",
        streamVersion: 3,
        globalPosition: 42,
        type: "agreement.signed",
        occurredAt: Date(millisecondsSince1970: 1_767_225_600_123),
        actor: Principal(party: "机构-1", role: .implementingAgency, person: "王 丽"),
        payload: Data(#"{"agreementID":"agr-001","fee":{"currency":"CNY","fen":1250}}"#.utf8),
        metadata: EventMetadata(correlationID: "corr-1", causationID: nil, policyVersion: "beijing@2026.1")
    )
    let entry = try CanonicalEventEncoding.encode(event)
    let digests = (0..<3).map { seed in LedgerHash(bytes: (0..<32).map { UInt8(($0 * 7 + seed * 13) & 0xFF) }) }
    let checkpoint = try Checkpoint(origin: "publicdatakit.example/ledger", size: 7, rootHash: digests[0])
    let signature = try NoteSignature(
        name: "publicdatakit-test",
        keyID: [1, 2, 3, 4],
        signature: Array(repeating: 9, count: 32)
    )
    let signed = SignedCheckpoint(checkpoint: checkpoint, signatures: [signature])
    let bundle = ProofBundle(
        hasher: "sha256",
        entry: Data(entry),
        index: 3,
        inclusionProof: digests,
        checkpoint: signed
    )
    let files: [(String, Data)] = [
        ("entry-1.bin", Data(entry)),
        ("envelope-1.json", try PublicDataJSON.encode(event)),
        ("checkpoint-1.txt", Data(signed.text.utf8)),
        ("proof-1.txt", Data(bundle.tlogProofText.utf8)),
        ("proof-1.json", try bundle.jsonData()),
    ]
    for (name, data) in files + (try commandFixtures()) {
        try data.write(to: URL(fileURLWithPath: folder).appendingPathComponent(name))
    }
}

/// Seeds for the command targets: single commands, and a script from an empty store to a refused data request.
func commandFixtures() throws -> [(String, Data)] {
    func entry(_ id: CatalogEntryID, _ sharing: SharingAttribute, _ openness: OpenAttribute) -> CatalogEntry {
        CatalogEntry(
            id: id,
            name: "Entry \(id)",
            owningDepartment: "dept-finance",
            sharing: sharing,
            openness: openness,
            grade: .general,
            fields: [CatalogField(name: "name")]
        )
    }
    let plan = ImplementationPlan(
        id: "plan-fin",
        implementingAgency: "agency-finance",
        name: "Finance zone",
        necessityAndFeasibility: "needed",
        operatorSelectionCriteria: "capability, credit, security",
        authorizationMode: .whole,
        dataScope: ["ent-open", "ent-closed"],
        termMonths: 36,
        plannedProducts: [PlannedProduct(name: "Credit model", kind: .model)],
        costAndRevenueAccounting: "per product",
        revenueDistribution: "by contribution",
        securityAndEmergencyMeasures: "privacy computing",
        rightsAndObligations: "per agreement",
        supervisionAndEvaluation: "yearly"
    )
    let terms = AgreementTerms(
        id: "agr-1",
        plan: "plan-fin",
        implementingAgency: "agency-finance",
        operatorParty: "op-1",
        scope: [ScopeItem(entry: "ent-open"), ScopeItem(entry: "ent-closed")],
        start: CivilDate(year: 2026, month: 3, day: 1)!,
        end: CivilDate(year: 2029, month: 2, day: 28)!,
        products: ["prod-1"],
        coSigningDepartment: "dept-finance"
    )
    let department = Principal(party: "dept-finance", role: .industryDepartment, person: "fuzz")
    let script: [WorkflowCommand] = [
        .catalog(.publishCatalogEntry(entry: entry("ent-open", .unconditional, .open))),
        .catalog(.publishCatalogEntry(entry: entry("ent-closed", .notShared, .notOpen))),
        .plan(.draftPlan(plan: plan)),
        .plan(.submitPlan(plan: "plan-fin")),
        .plan(.approvePlan(plan: "plan-fin")),
        .plan(.publishPlan(plan: "plan-fin")),
        .selection(
            .announceSelection(
                announcement: SelectionAnnouncement(id: "sel-1", plan: "plan-fin", method: .openTender, criteria: "x")
            )
        ),
        .selection(
            .applyForSelection(selection: "sel-1", application: OperatorApplication(candidate: "op-1", name: "Op"))
        ),
        .selection(.closeApplications(selection: "sel-1")),
        .selection(.reviewQualifications(selection: "sel-1")),
        .selection(.selectOperator(selection: "sel-1", candidate: "op-1")),
        .agreement(.draftAgreement(terms: terms, selection: "sel-1")),
        .agreement(.recordCollectiveDecision(agreement: "agr-1", minutes: "2026-02 meeting")),
        .agreement(.signAgreement(agreement: "agr-1")),
        .agreement(.countersignAgreement(agreement: "agr-1")),
    ]
    var lines = try script.map { String(decoding: try PublicDataJSON.encode($0), as: UTF8.self) }
    let countersign = WorkflowCommand.agreement(.countersignAgreement(agreement: "agr-1"))
    struct Line: Encodable {
        var `as`: Principal
        var command: WorkflowCommand
    }
    lines.append(String(decoding: try PublicDataJSON.encode(Line(as: department, command: countersign)), as: UTF8.self))
    let rest: [WorkflowCommand] = [
        .agreement(.fileAgreement(agreement: "agr-1", filingNumber: "BA-2026-001")),
        .agreement(.activateAgreement(agreement: "agr-1")),
        .dataRequest(
            .submitDataRequest(
                request: DataRequestSpec(
                    id: "req-x",
                    agreement: "agr-1",
                    scenario: "credit scoring",
                    purpose: .industryDevelopment,
                    items: [DataRequestItem(entry: "ent-closed")],
                    delivery: .privacyComputing
                )
            )
        ),
        .dataRequest(.evaluateDataRequest(request: "req-x")),
    ]
    lines += try rest.map { String(decoding: try PublicDataJSON.encode($0), as: UTF8.self) }
    return [
        ("command-1.json", Data(lines[2].utf8)),
        ("command-2.json", Data(lines[lines.count - 2].utf8)),
        ("commands-1.jsonl", Data((lines.joined(separator: "\n") + "\n").utf8)),
    ]
}

/// The replay driver: `PublicDataFuzz TARGET FILE...` and `PublicDataFuzz write-fixtures FOLDER`.
@main
struct PublicDataFuzzReplay {
    static func main() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.count == 2, arguments[0] == "write-fixtures" {
            try writeFixtures(to: arguments[1])
            exit(0)
        }
        guard let first = arguments.first, let target = FuzzTarget(rawValue: first) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: " | ")
            print("usage: PublicDataFuzz (\(names)) FILE...")
            exit(2)
        }
        for path in arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                print("\(path): unreadable")
                exit(1)
            }
            print("\(path): \(target.run(data))")
        }
    }
}
#endif
