import Foundation
import PublicDataModel
import PublicDataPolicy
import PublicDataWorkflow
import Testing

/// Art. 30 关联汇聚: a data request is judged with what the operator would then hold in total.
struct AggregationRiskTests {
    static let otherDepartment: PartyID = "dept-health"

    /// An entry of the agreement's scope (`ent-open`, `ent-cond`, `ent-closed`), shareable, with `personal`
    /// personal-information fields and two ordinary ones.
    static func entry(
        _ id: CatalogEntryID,
        personal: Int = 0,
        grade: DataGrade = .general,
        owner: PartyID = Parties.department
    ) -> CatalogEntry {
        CatalogEntry(
            id: id,
            name: "entry \(id)",
            owningDepartment: owner,
            sharing: .unconditional,
            openness: .notOpen,
            grade: grade,
            containsPersonalInformation: personal > 0,
            fields: (0..<personal).map { CatalogField(name: "person\($0)", personalInformation: true) }
                + [CatalogField(name: "code"), CatalogField(name: "status")]
        )
    }

    /// A request for every field of `entries`, anonymized, by privacy computing.
    static func request(_ id: DataRequestID, _ entries: [CatalogEntryID]) -> DataRequestSpec {
        DataRequestSpec(
            id: id,
            agreement: "agr-1",
            scenario: "credit scoring",
            purpose: .industryDevelopment,
            items: entries.map { DataRequestItem(entry: $0) },
            delivery: .privacyComputing,
            anonymized: true
        )
    }

    /// The active agreement of the fixture over `entries` (published by their owners).
    static func world(_ entries: [CatalogEntry], policy: Policy) async throws -> World {
        let world = World(policy: policy)
        let publish = entries.map { entry in
            Step.run(
                .catalog(.publishCatalogEntry(entry: entry)),
                Principal(party: entry.owningDepartment, role: .industryDepartment, person: "clerk")
            )
        }
        try await world.run(publish + Array(Scripts.toActiveAgreement.dropFirst(3)))
        return world
    }

    static func submitAndEvaluate(_ world: World, _ request: DataRequestSpec) async throws -> Decision? {
        try await world.run(.operator, .dataRequest(.submitDataRequest(request: request)))
        try await world.run(.implementingAgency, .dataRequest(.evaluateDataRequest(request: request.id)))
        return try await world.engine.instance(DataRequestProcess.self, request.id.rawValue).facts.decision
    }

    /// One row: the catalog, the policy's parameters, requests made one after the other, and what the last one gets.
    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var entries: [CatalogEntry]
        var parameters: @Sendable (inout PolicyParameters) -> Void
        var requests: [[CatalogEntryID]]
        /// The rule that refuses the last request, or `nil` when it is granted.
        var refusedBy: String?
        /// A rule whose obligation the last grant carries.
        var obligationFrom: String?
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(
            name: "personal-information fields beyond the total",
            entries: [entry("ent-open", personal: 2), entry("ent-cond", personal: 2), entry("ent-closed")],
            parameters: { $0.aggregationMaxPersonalInformationFields = 3 },
            requests: [["ent-open"], ["ent-cond"]],
            refusedBy: "dr.aggregate-personal-information"
        ),
        Row(
            name: "personal-information fields within the total",
            entries: [entry("ent-open", personal: 2), entry("ent-cond", personal: 2), entry("ent-closed")],
            parameters: { $0.aggregationMaxPersonalInformationFields = 4 },
            requests: [["ent-open"], ["ent-cond"]]
        ),
        Row(
            name: "the same fields twice count once",
            entries: [entry("ent-open", personal: 2), entry("ent-cond"), entry("ent-closed")],
            parameters: { $0.aggregationMaxPersonalInformationFields = 2 },
            requests: [["ent-open"], ["ent-open"]]
        ),
        Row(
            name: "one request holding two entries at once",
            entries: [entry("ent-open", personal: 2), entry("ent-cond", personal: 2), entry("ent-closed")],
            parameters: { $0.aggregationMaxPersonalInformationFields = 3 },
            requests: [["ent-open", "ent-cond"]],
            refusedBy: "dr.aggregate-personal-information"
        ),
        Row(
            name: "important entries beyond the total",
            entries: [
                entry("ent-open", grade: .important), entry("ent-cond", grade: .important), entry("ent-closed"),
            ],
            parameters: { $0.aggregationMaxImportantEntries = 1 },
            requests: [["ent-open"], ["ent-closed"], ["ent-cond"]],
            refusedBy: "dr.aggregate-important"
        ),
        Row(
            name: "many departments add an obligation",
            entries: [entry("ent-open"), entry("ent-cond"), entry("ent-closed", owner: otherDepartment)],
            parameters: { $0.aggregationReviewDepartments = 2 },
            requests: [["ent-open"], ["ent-cond"], ["ent-closed"]],
            obligationFrom: "dr.aggregate-departments"
        ),
        Row(
            name: "many entries add an obligation",
            entries: [entry("ent-open"), entry("ent-cond"), entry("ent-closed")],
            parameters: { $0.aggregationReviewEntries = 3 },
            requests: [["ent-open"], ["ent-cond"], ["ent-closed"]],
            obligationFrom: "dr.aggregate-entries"
        ),
    ]

    static func policy(_ row: Row) -> Policy {
        var policy = Policy.beijingDefault
        policy.parameters.registrationBeforeGrant = 0
        row.parameters(&policy.parameters)
        return policy
    }

    @Test(arguments: rows)
    func aRequestIsJudgedWithWhatTheOperatorWouldHoldInTotal(_ row: Row) async throws {
        let world = try await Self.world(row.entries, policy: Self.policy(row))
        var decision: Decision?
        for (index, entries) in row.requests.enumerated() {
            let request = Self.request(DataRequestID("req-\(index + 1)"), entries)
            decision = try await Self.submitAndEvaluate(world, request)
            if index < row.requests.count - 1 { #expect(decision?.isPermit == true, "\(request.id): \(decision!)") }
        }
        let last = try #require(decision)
        let lastID = "req-\(row.requests.count)"
        if let rule = row.refusedBy {
            #expect(!last.isPermit)
            #expect(last.firedRules == [rule], "\(last)")
            #expect(last.citedArticles.contains("Art. 30"))
            #expect(try await world.state(DataRequestProcess.self, lastID) == .refused)
            // Alone, the same request is fine: only the total refuses it.
            let alone = try await Self.world(row.entries, policy: Self.policy(row))
            let single = try await Self.submitAndEvaluate(alone, Self.request("req-alone", row.requests.last!))
            if row.requests.count > 1 { #expect(single?.isPermit == true, "\(single!)") }
        } else {
            #expect(last.isPermit, "\(last)")
            #expect(try await world.state(DataRequestProcess.self, lastID) == .granted)
            let fired = last.firedRules.contains { $0.hasPrefix("dr.aggregate-") }
            #expect(fired == (row.obligationFrom != nil), "\(last.firedRules)")
            if let rule = row.obligationFrom {
                #expect(last.firedRules.contains(rule))
                #expect(last.obligations.contains { $0.kind == .enhancedSecurity && $0.article == "Art. 30" })
            }
        }
    }

    /// The running totals count a field held by two grants once, and drop it only when the last grant holding it ends.
    @Test func aFieldHeldByTwoGrantsCountsOnceAndLeavesTheTotalWithTheLastOfThem() async throws {
        var policy = Policy.beijingDefault
        policy.parameters.registrationBeforeGrant = 0
        policy.parameters.aggregationMaxPersonalInformationFields = 2
        let world = try await Self.world([Self.entry("ent-open", personal: 3)], policy: policy)
        func ask(_ id: DataRequestID, _ fields: [String]) async throws -> Bool {
            var request = Self.request(id, ["ent-open"])
            request.items = [DataRequestItem(entry: "ent-open", requestedFields: fields)]
            let decision = try #require(try await Self.submitAndEvaluate(world, request))
            if !decision.isPermit { #expect(decision.firedRules.contains("dr.aggregate-personal-information")) }
            return decision.isPermit
        }
        #expect(try await ask("req-1", ["person0"]))
        #expect(try await ask("req-2", ["person0", "person1"]))
        #expect(try await !ask("req-3", ["person2"]))  // person0, person1 held: a third is beyond 2
        try await world.run(.implementingAgency, .dataRequest(.revokeGrant(request: "req-2", reason: "ended")))
        // req-1 still holds person0, so person1 and person2 would make three.
        #expect(try await !ask("req-4", ["person1", "person2"]))
        #expect(try await ask("req-5", ["person2"]))
        try await world.run(.implementingAgency, .dataRequest(.revokeGrant(request: "req-1", reason: "ended")))
        #expect(try await ask("req-6", ["person1"]))  // person2 (req-5) and person1
        let held = try await world.engine.holdings(of: Parties.operatorParty)
        #expect(held.grants.map(\.stream.rawValue) == ["data-request-req-5", "data-request-req-6"])
        #expect(held.totals.personalInformationFields == 2)
    }

    @Test func theAgencyAsksWhatAnOperatorHolds() async throws {
        let entries = [
            Self.entry("ent-open", personal: 2), Self.entry("ent-cond", personal: 1, grade: .important),
            Self.entry("ent-closed", owner: Self.otherDepartment),
        ]
        var policy = Policy.beijingDefault
        policy.parameters.registrationBeforeGrant = 0
        let world = try await Self.world(entries, policy: policy)
        #expect(try await world.engine.holdings(of: Parties.operatorParty).totals.entries == 0)
        _ = try await Self.submitAndEvaluate(world, Self.request("req-1", ["ent-open", "ent-cond"]))
        _ = try await Self.submitAndEvaluate(world, Self.request("req-2", ["ent-open", "ent-closed"]))
        // A refused request holds nothing.
        var refused = Self.request("req-3", ["ent-closed"])
        refused.delivery = .openDataDownload
        _ = try await Self.submitAndEvaluate(world, refused)
        let held = try await world.engine.holdings(of: Parties.operatorParty)
        #expect(held.grants.map(\.stream.rawValue) == ["data-request-req-1", "data-request-req-2"])
        #expect(held.entries == ["ent-closed", "ent-cond", "ent-open"])
        #expect(
            held.totals
                == AggregateHoldings(
                    entries: 3,
                    personalInformationFields: 3,
                    importantEntries: 1,
                    grades: [.general, .important],
                    departments: 2
                )
        )
        // A revoked grant is no longer held.
        try await world.run(.implementingAgency, .dataRequest(.revokeGrant(request: "req-2", reason: "ended")))
        let after = try await world.engine.holdings(of: Parties.operatorParty)
        #expect(after.entries == ["ent-cond", "ent-open"])
        #expect(after.totals.departments == 1)
        #expect(try await world.engine.holdings(of: Parties.otherOperator).grants.isEmpty)
    }

    @Test func aStricterTotalAdoptedLaterSuspendsTheGrantsThatNoLongerHoldAndThePredictionMatches() async throws {
        let entries = [
            Self.entry("ent-open", personal: 2), Self.entry("ent-cond", personal: 2), Self.entry("ent-closed"),
        ]
        var policy = Policy.beijingDefault
        policy.parameters.registrationBeforeGrant = 0
        let world = try await Self.world(entries, policy: policy)
        for (id, entry) in [("req-1", "ent-open"), ("req-2", "ent-cond"), ("req-3", "ent-closed")] {
            let decision = try await Self.submitAndEvaluate(
                world,
                Self.request(DataRequestID(id), [CatalogEntryID(entry)])
            )
            #expect(decision?.isPermit == true)
        }
        var stricter = policy
        stricter.parameters.aggregationMaxPersonalInformationFields = 3
        let impact = try await world.engine.policyImpact(of: stricter)
        let adopted = World.engine(on: world.store, clock: world.clock, policy: stricter)
        try await adopted.reassess(.policyAdopted(policy: stricter.id, version: stricter.digest))
        let log = try await world.log()
        let suspended = Set(log.filter { $0.type == "dataRequest.suspended" }.map(\.streamID))
        // Each personal-information grant tips the total; the one without personal information still holds.
        #expect(suspended == ["data-request-req-1", "data-request-req-2"])
        #expect(Set(impact.wouldSuspend.map(\.stream)) == suspended)
        #expect(impact.suspensionsByRule.contains { $0.key == "dr.aggregate-personal-information" && $0.count == 2 })
        // With the other suspended, one of them holds again and may resume.
        try await World(store: world.store, clock: world.clock, policy: stricter)
            .run(.implementingAgency, .dataRequest(.resumeGrant(request: "req-1")))
        #expect(try await adopted.instance(DataRequestProcess.self, "req-1").state == .granted)
    }
}
