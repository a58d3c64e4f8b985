import Foundation
import PublicDataKit
import PublicDataSQLite
import PublicDataTesting
import Testing

#if PostgreSQL
import PublicDataPostgres
#endif

// Every ```swift block of the DocC catalogs (Sources/*/*.docc), verbatim, in a function whose parameters are the
// names the text leaves to the reader (`mailer`, `plan`, `request`, …). `DocCSnippetTests` checks that each
// block appears here line for line, so a snippet naming an API that does not exist stops the build.
// The functions are compiled, never called.
enum DocCSnippets {
    static func kitEndToEnd(
        mailer: any NotificationSink,
        holidays: Set<CivilDate>,
        plan: ImplementationPlan,
        announcement: SelectionAnnouncement,
        terms: AgreementTerms,
        request: DataRequestSpec
    ) async throws {

        let app = PublicDataApplication(
            configuration: PublicDataConfiguration(
                store: try SQLiteEventStore(path: "records.sqlite"),
                sink: mailer,  // your NotificationSink
                clock: SystemWallClock(),
                calendar: StandardWorkingDayCalendar(holidays: holidays),
                policy: .beijingDefault,
                hasher: SM3Hasher(),  // 国密
                authorities: AuthorityDirectory([.dataAdministration: "bj-data-administration"])
            )
        )
        let agency = Principal(party: "agency-finance", role: .implementingAgency, person: "wang.li")
        let government = Principal(party: "bj-government", role: .municipalGovernment, person: "zhao.min")
        let op = Principal(party: "op-1", role: .operator, person: "li.na")
        let administration = Principal(party: "bj-data-administration", role: .dataAdministration, person: "chen.jie")

        // Plan (Art. 11) → selection (Art. 12) → agreement (Art. 13)
        try await app.execute(.plan(.draftPlan(plan: plan)), by: agency)
        try await app.execute(.plan(.submitPlan(plan: plan.id)), by: agency)
        try await app.execute(.plan(.approvePlan(plan: plan.id)), by: government)
        try await app.execute(.plan(.publishPlan(plan: plan.id)), by: agency)
        try await app.execute(.selection(.announceSelection(announcement: announcement)), by: agency)
        let application = OperatorApplication(candidate: "op-1", name: "Op")
        try await app.execute(
            .selection(.applyForSelection(selection: announcement.id, application: application)),
            by: op
        )
        try await app.execute(.selection(.closeApplications(selection: announcement.id)), by: agency)
        try await app.execute(.selection(.reviewQualifications(selection: announcement.id)), by: agency)
        try await app.execute(.selection(.selectOperator(selection: announcement.id, candidate: "op-1")), by: agency)
        try await app.execute(.agreement(.draftAgreement(terms: terms, selection: announcement.id)), by: agency)
        try await app.execute(
            .agreement(.recordCollectiveDecision(agreement: terms.id, minutes: "2026-02")),
            by: agency
        )
        try await app.execute(.agreement(.signAgreement(agreement: terms.id)), by: op)
        // Both parties sign (Art. 13); a co-signing department countersigns as well
        try await app.execute(.agreement(.countersignAgreement(agreement: terms.id)), by: agency)
        try await app.execute(
            .agreement(.fileAgreement(agreement: terms.id, filingNumber: "BA-2026-001")),
            by: administration
        )
        try await app.execute(.agreement(.activateAgreement(agreement: terms.id)), by: agency)

        // Data request (Art. 16): a denial is recorded with its reasons
        try await app.execute(.dataRequest(.submitDataRequest(request: request)), by: op)
        let decision = try await app.execute(.dataRequest(.evaluateDataRequest(request: request.id)), by: agency)

        // Background work: deadlines, notifications, audit ledger
        try await app.tick()
        let provenance = try await app.traceIndex().provenance(ofProduct: "prod-1")
        _ = (decision, provenance)
    }

    static func auditOverview(
        store: any EventStore,
        hsmSigner: any CheckpointSigner,
        operatorKey: any CheckpointVerifier
    )
        async throws
    {
        let ledger = try await Ledger.open(
            store: store,
            configuration: LedgerConfiguration(name: "publicdata.example.gov.cn/audit", hasher: SM3Hasher())
        )
        try await ledger.catchUp()
        let checkpoint = try await ledger.signCheckpoint(with: [hsmSigner])
        let bundle = try await ledger.proofBundle(forLeafAt: 41)
        // ... at the regulator, offline:
        let verdict = AuditVerifier.verify(bundle, hasher: SM3Hasher(), trusting: [operatorKey])
        _ = (checkpoint, verdict)
    }

    static func tracingEvents(store: any EventStore, start: Date, end: Date) async throws {
        let index = try await TraceIndex.build(from: store)
        let behind = index.provenance(ofProduct: "p-traffic-api")  // entries, agreement, plan, decisions
        let touched = index.usage(ofCatalogEntry: "c-traffic-flow")  // grants, products, uses
        let done = index.activity(of: "op-1", from: start, to: end)  // everything a party did
        _ = (behind, touched, done)
    }

    static func modelOverview() async throws {
        let store = InMemoryEventStore()
        let clock = SystemWallClock()
        let event = try ProposedEvent(
            id: "evt-1",
            type: "plan.drafted",
            occurredAt: clock.now(),
            actor: Principal(party: "agency", role: .implementingAgency, person: "li"),
            encoding: ["planID": "plan-1"]
        )
        _ = try await store.append([event], to: "plan-plan-1", expectedVersion: .noStream)
    }

    static func policyDecision(request: DataAccessRequest) {
        func deliver<Obligations>(with obligations: Obligations) {}
        func refuse<Reasons>(citing reasons: Reasons) {}
        // request: DataAccessRequest; deliver(with:) and refuse(citing:) are the host's own functions
        let decision = Policy.beijingDefault.evaluate(.dataRequest(request), at: Date())
        if decision.isPermit {
            deliver(with: decision.obligations)  // e.g. privacy_computing_only (Art. 16)
        } else {
            refuse(citing: decision.reasons)  // e.g. [dr.core-grade] ... (Art. 5)
        }
    }

    static func policyBuilder() {
        let pilot = Policy(id: "pilot", version: "2026.2") {
            Policy.beijingDefault.rules
            Rule(deny: "pilot.no-sandbox", at: .dataRequest, articles: ["Art. 16"], message: "no sandbox in the pilot")
            {
                Condition.equals("request.delivery", "sandbox")
            }
        }
        _ = pilot
    }

    #if PostgreSQL
    static func postgresOverview(event: ProposedEvent) async throws {
        let store = try await PostgresEventStore(
            "postgresql://portal@db1,db2/publicdata?sslmode=verify-full&target_session_attrs=read-write"
        )
        let result = try await store.append([event], to: "agreement-agr-001", expectedVersion: .noStream)
        _ = result
    }
    #endif

    static func pricingOverview(request: RatingRequest, book: PriceBook, shares: [RevenueShare]) throws {
        // request: RatingRequest (metered usage), book: PriceBook, shares: [RevenueShare]
        let invoice = try Rating.rate(request, book: book)
        let allocations = try RevenueDistribution.split(invoice.total, among: shares)
        _ = allocations
    }

    static func sqliteOverview() throws {
        let store = try SQLiteEventStore(path: "/var/lib/portal/events.sqlite")
        _ = store
    }

    enum MyStore {
        static func openEmpty() async throws -> InMemoryEventStore { InMemoryEventStore() }
    }

    struct TestingOverview {
        @Test func myStoreConforms() async {
            await EventStoreConformance.run { try await MyStore.openEmpty() }
        }
    }

    static func workflowOverview(store: any EventStore, clock: any WallClock, request: DataRequestSpec) async throws {
        let engine = WorkflowEngine(
            store: store,
            clock: clock,
            calendar: StandardWorkingDayCalendar(),
            policy: .beijingDefault
        )
        let operatorClerk = Principal(party: "op-1", role: .operator, person: "li.na")
        let agencyClerk = Principal(party: "agency-finance", role: .implementingAgency, person: "wang.li")

        try await engine.execute(.dataRequest(.submitDataRequest(request: request)), by: operatorClerk)
        let outcome = try await engine.execute(.dataRequest(.evaluateDataRequest(request: request.id)), by: agencyClerk)
        if outcome.isRefusal {
            print(outcome.decision?.reasons ?? [])  // recorded as dataRequest.refused
        }
        try await engine.advance(to: clock.now())  // fire due deadlines (escalations, expiry, exit)
    }
}
