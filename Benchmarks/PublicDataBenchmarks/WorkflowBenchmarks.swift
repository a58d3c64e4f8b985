import Foundation
import PublicDataKit
import PublicDataSQLite
import Synchronization

/// Commands per second for a lifecycle mix (in memory and on SQLite) and replay speed of a large log.
enum WorkflowBenchmarks {
    /// A clock that stands still (the benchmark's commands all happen "now").
    struct FixedClock: WallClock {
        let instant: Date
        func now() -> Date { instant }
    }

    static let start = Date(timeIntervalSince1970: 1_772_413_200)  // 2026-03-02T01:00:00Z

    static func actor(_ party: PartyID, _ role: Role) -> Principal {
        Principal(party: party, role: role, person: "bench")
    }
    static let agency = actor("agency", .implementingAgency)
    static let department = actor("dept", .industryDepartment)
    static let government = actor("gov", .municipalGovernment)
    static let administration = actor("admin", .dataAdministration)
    static let center = actor("bdc", .bigDataCenter)
    static let operatorActor = actor("op-1", .operator)
    static let business = actor("biz-1", .businessEntity)
    static let provider = actor("provider-1", .dataProvider)

    /// The in-memory lifecycle mix alone, over five rounds (to profile the command path without the replay).
    static func runMix(_ report: BenchmarkReport) async throws {
        report.section("mix")
        let iterations = report.quick ? 300 : 2_000
        var commands = 0
        let mix = try await interleavedAsync(
            rounds: 5,
            [
                {
                    let (count, seconds) = try await lifecycleMix(on: InMemoryEventStore(), iterations: iterations)
                    commands = count
                    return Double(count) / seconds
                }
            ]
        )
        report.record(
            "mix",
            "lifecycle mix, in memory",
            mix[0],
            "commands/s",
            note: "target >= 20000; \(commands) commands per round"
        )
    }

    static func run(_ report: BenchmarkReport) async throws {
        report.section("workflow")
        let iterations = report.quick ? 300 : 2_000
        // Each round runs the whole mix on a fresh store and engine; the median and spread of the rounds print.
        var memory = InMemoryEventStore()
        var memoryCommands = 0
        let mix = try await interleavedAsync(
            rounds: report.rounds,
            [
                {
                    memory = InMemoryEventStore()
                    let (commands, seconds) = try await lifecycleMix(on: memory, iterations: iterations)
                    memoryCommands = commands
                    return Double(commands) / seconds
                }
            ]
        )
        report.record(
            "workflow",
            "lifecycle mix, in memory",
            mix[0],
            "commands/s",
            note: "target >= 20000; \(memoryCommands) commands per round"
        )

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pdk-wf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for durability in [SQLiteEventStore.Durability.normal, .full] {
            let sqlite = try SQLiteEventStore(
                path: folder.appendingPathComponent("\(durability).sqlite").path,
                durability: durability
            )
            let (commands, seconds) = try await lifecycleMix(on: sqlite, iterations: iterations / 4)
            report.record(
                "workflow",
                "lifecycle mix, sqlite (synchronous=\(durability.rawValue))",
                Double(commands) / seconds,
                "commands/s",
                note: "\(commands) commands"
            )
        }

        let target = report.quick ? 100_000 : 1_000_000
        let log = try await replicate(try await memory.readAll(after: 0, pageSize: 4096), to: target)
        let count = await log.headPosition()
        var projection = WorkflowProjection()
        let replay = try await interleavedAsync(
            rounds: report.rounds,
            [
                {
                    let seconds = try await measureSecondsAsync {
                        projection = try await WorkflowProjection.rebuild(from: log)
                    }
                    return Double(projection.eventCount) / seconds
                }
            ]
        )
        report.record(
            "workflow",
            "replay \(count) events into the projections",
            replay[0],
            "events/s",
            note: "target >= 500000"
        )
        report.record(
            "workflow",
            "process memory: the \(count)-event log in memory and its projections",
            Double(residentBytes()) / 1_048_576,
            "MiB RSS",
            note: "target <= 1024 MiB for 1M events; distinct payload buffers"
        )
        let engine = WorkflowEngine(
            store: log,
            clock: FixedClock(instant: start),
            calendar: StandardWorkingDayCalendar(),
            policy: .beijingDefault
        )
        let streams = Array(projection.states.keys.prefix(report.quick ? 5_000 : 20_000))
        var folded = 0
        let fold = try await measureSecondsAsync {
            for stream in streams {
                guard let kind = ProcessKind.of(stream) else { continue }
                folded += Int(try await version(of: stream, Processes.type(of: kind), on: engine))
            }
        }
        report.record("workflow", "fold streams from their events (cold engine)", Double(folded) / fold, "events/s")
    }

    /// The version of `stream` after folding it as an instance of `process`.
    static func version<P: WorkflowProcess>(
        of stream: StreamID,
        _ process: P.Type,
        on engine: WorkflowEngine
    ) async throws -> Int64 {
        guard let id = P.kind.instanceID(of: stream) else { return 0 }
        return try await engine.instance(P.self, id).version
    }

    /// Sets up one active agreement with a published product and an active scenario, then runs the mix:
    /// per iteration a data request (submit, evaluate, provision), an objection (raise, accept, feed back,
    /// correct, close) and four usage records — 12 commands on 3 new streams and the shared settlement stream.
    static func lifecycleMix(on store: any EventStore, iterations: Int) async throws -> (Int, Double) {
        let engine = WorkflowEngine(
            store: store,
            clock: FixedClock(instant: start),
            calendar: StandardWorkingDayCalendar(),
            policy: unregisteredPolicy
        )
        try await setUp(engine)
        var commands = 0
        let seconds = try await measureSecondsAsync {
            for index in 0..<iterations {
                let request = DataRequestID("req-\(index)")
                try await engine.execute(
                    .dataRequest(
                        .submitDataRequest(
                            request: DataRequestSpec(
                                id: request,
                                agreement: "agr-1",
                                scenario: "credit scoring",
                                purpose: .industryDevelopment,
                                items: [DataRequestItem(entry: "ent-open")],
                                delivery: .privacyComputing
                            )
                        )
                    ),
                    by: operatorActor
                )
                try await engine.execute(.dataRequest(.evaluateDataRequest(request: request)), by: agency)
                try await engine.execute(.dataRequest(.provisionData(request: request, note: "sandbox")), by: center)
                let objection = ObjectionID("obj-\(index)")
                try await engine.execute(
                    .objection(
                        .raiseObjection(
                            objection: ObjectionSpec(
                                id: objection,
                                entry: "ent-open",
                                provider: "provider-1",
                                description: "stale"
                            )
                        )
                    ),
                    by: operatorActor
                )
                try await engine.execute(.objection(.acceptObjection(objection: objection)), by: administration)
                try await engine.execute(
                    .objection(.feedBackObjection(objection: objection, finding: "checked")),
                    by: provider
                )
                try await engine.execute(
                    .objection(.correctObjection(objection: objection, note: "fixed")),
                    by: provider
                )
                try await engine.execute(.objection(.closeObjection(objection: objection)), by: administration)
                for use in 0..<4 {
                    try await engine.execute(
                        .settlement(
                            .recordUsage(
                                agreement: "agr-1",
                                usage: UsageSpec(
                                    product: "prod-1",
                                    subscription: SubscriptionID("sub-\(use)"),
                                    consumer: "biz-1",
                                    scenario: "scn-1",
                                    quantity: 3,
                                    idempotencyKey: "u-\(index)-\(use)"
                                )
                            )
                        ),
                        by: operatorActor
                    )
                }
                commands += 12
            }
        }
        return (commands, seconds)
    }

    /// The default policy without the registration gate: the fixed clock cannot run a registration's public
    /// notice, and the mix measures the engine, not registration.
    static var unregisteredPolicy: Policy {
        var policy = Policy.beijingDefault
        policy.parameters.registrationBeforeGrant = 0
        return policy
    }

    static func setUp(_ engine: WorkflowEngine) async throws {
        let entry = CatalogEntry(
            id: "ent-open",
            name: "Registrations",
            owningDepartment: "dept",
            sharing: .unconditional,
            openness: .open,
            grade: .general,
            fields: [CatalogField(name: "name")]
        )
        try await engine.execute(.catalog(.publishCatalogEntry(entry: entry)), by: department)
        let plan = ImplementationPlan(
            id: "plan-1",
            implementingAgency: "agency",
            name: "Finance zone",
            necessityAndFeasibility: "needed",
            operatorSelectionCriteria: "capability",
            authorizationMode: .whole,
            dataScope: ["ent-open"],
            termMonths: 36,
            plannedProducts: [PlannedProduct(name: "Model", kind: .model)],
            costAndRevenueAccounting: "per product",
            revenueDistribution: "by contribution",
            securityAndEmergencyMeasures: "privacy computing",
            rightsAndObligations: "per agreement",
            supervisionAndEvaluation: "yearly"
        )
        try await engine.execute(.plan(.draftPlan(plan: plan)), by: agency)
        try await engine.execute(.plan(.submitPlan(plan: "plan-1")), by: agency)
        try await engine.execute(.plan(.approvePlan(plan: "plan-1")), by: government)
        try await engine.execute(.plan(.publishPlan(plan: "plan-1")), by: agency)
        try await engine.execute(
            .selection(
                .announceSelection(
                    announcement: SelectionAnnouncement(id: "sel-1", plan: "plan-1", method: .openTender, criteria: "x")
                )
            ),
            by: agency
        )
        try await engine.execute(
            .selection(
                .applyForSelection(selection: "sel-1", application: OperatorApplication(candidate: "op-1", name: "Op"))
            ),
            by: operatorActor
        )
        try await engine.execute(.selection(.closeApplications(selection: "sel-1")), by: agency)
        try await engine.execute(.selection(.reviewQualifications(selection: "sel-1")), by: agency)
        try await engine.execute(.selection(.selectOperator(selection: "sel-1", candidate: "op-1")), by: agency)
        let terms = AgreementTerms(
            id: "agr-1",
            plan: "plan-1",
            implementingAgency: "agency",
            operatorParty: "op-1",
            scope: [ScopeItem(entry: "ent-open")],
            start: CivilDate(year: 2026, month: 3, day: 1)!,
            end: CivilDate(year: 2029, month: 2, day: 28)!
        )
        try await engine.execute(.agreement(.draftAgreement(terms: terms, selection: "sel-1")), by: agency)
        try await engine.execute(.agreement(.recordCollectiveDecision(agreement: "agr-1", minutes: "m")), by: agency)
        try await engine.execute(.agreement(.signAgreement(agreement: "agr-1")), by: operatorActor)
        try await engine.execute(.agreement(.countersignAgreement(agreement: "agr-1")), by: agency)
        try await engine.execute(.agreement(.fileAgreement(agreement: "agr-1", filingNumber: "f")), by: administration)
        try await engine.execute(.agreement(.activateAgreement(agreement: "agr-1")), by: agency)
        // New grants need the operator's security records and officer (Art. 31; 87号 §7).
        for kind in SecurityDuty.records {
            let record = SecurityRecord(
                operatorParty: "op-1",
                kind: kind,
                reference: "bench",
                date: CivilDate(year: 2026, month: 3, day: 2)!,
                level: kind == .gradedProtectionFiling ? 3 : nil
            )
            try await engine.execute(.securityRecord(.recordSecurityRecord(record: record)), by: operatorActor)
        }
        let officer = SecurityOfficer(operatorParty: "op-1", name: "bench")
        try await engine.execute(.securityRecord(.nameSecurityOfficer(officer: officer)), by: operatorActor)
        // A product needs a live grant of its entries (Art. 16): the operator requests and is supplied first.
        let grant = DataRequestSpec(
            id: "req-setup",
            agreement: "agr-1",
            scenario: "credit scoring",
            purpose: .industryDevelopment,
            items: [DataRequestItem(entry: "ent-open")],
            delivery: .privacyComputing
        )
        try await engine.execute(.dataRequest(.submitDataRequest(request: grant)), by: operatorActor)
        try await engine.execute(.dataRequest(.evaluateDataRequest(request: "req-setup")), by: agency)
        try await engine.execute(.dataRequest(.provisionData(request: "req-setup", note: "sandbox")), by: center)
        let product = ProductSpec(
            id: "prod-1",
            agreement: "agr-1",
            name: "Model",
            kind: .model,
            sourceEntries: ["ent-open"],
            delivery: .model
        )
        try await engine.execute(.product(.draftProduct(product: product)), by: operatorActor)
        try await engine.execute(.product(.assessProductCompliance(product: "prod-1")), by: agency)
        try await engine.execute(.product(.fileProduct(product: "prod-1")), by: operatorActor)
        try await engine.execute(
            .product(
                .setFeeCap(
                    product: "prod-1",
                    cap: PublicDataPricing.FeeCap(
                        product: "prod-1",
                        limit: .perUnit(.call, UnitPrice(fen: 50)),
                        setBy: "agency",
                        source: "cap"
                    )
                )
            ),
            by: agency
        )
        let plan2 = PricePlan(
            id: "pp-1",
            product: "prod-1",
            operatorParty: "op-1",
            effectiveFrom: CivilDate(year: 2026, month: 3, day: 1)!,
            effectiveThrough: CivilDate(year: 2027, month: 2, day: 28)!,
            charge: .usage(UsageCharge(unit: .call, scheme: .flat(UnitPrice(fen: 20)))),
            feeStage: .trial
        )
        try await engine.execute(.product(.publishProduct(product: "prod-1", plan: plan2)), by: operatorActor)
        try await engine.execute(
            .scenario(
                .applyScenario(
                    scenario: ScenarioSpec(
                        id: "scn-1",
                        product: "prod-1",
                        purpose: .industryDevelopment,
                        description: "x"
                    )
                )
            ),
            by: business
        )
        try await engine.execute(.scenario(.assessScenario(scenario: "scn-1")), by: operatorActor)
        try await engine.execute(.scenario(.fileScenario(scenario: "scn-1")), by: operatorActor)
        try await engine.execute(.scenario(.activateScenario(scenario: "scn-1")), by: agency)
    }

    /// Copies `events` under renamed streams and ids until the log holds `count` events.
    static func replicate(_ events: [RecordedEvent], to count: Int) async throws -> InMemoryEventStore {
        let store = InMemoryEventStore()
        var written = 0
        var copy = 0
        while written < count {
            var batch: [ProposedEvent] = []
            var stream: StreamID?
            for event in events where written + batch.count < count {
                let renamed = StreamID("\(event.streamID)-c\(copy)")
                if renamed != stream, let current = stream, !batch.isEmpty {
                    _ = try await store.append(batch, to: current, expectedVersion: .any)
                    written += batch.count
                    batch.removeAll(keepingCapacity: true)
                }
                stream = renamed
                var proposed = event.proposed
                proposed.id = EventID("\(event.id)-c\(copy)")
                // Each copy owns its payload bytes (memory is measured with distinct payloads, not one buffer).
                proposed.payload = Data(Array(event.payload))
                batch.append(proposed)
            }
            if let current = stream, !batch.isEmpty {
                _ = try await store.append(batch, to: current, expectedVersion: .any)
                written += batch.count
            }
            copy += 1
        }
        return store
    }
}
