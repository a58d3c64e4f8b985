import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// Art. 10 and 87号 §2–3: zones are records (kind, supervisory department, district), a plan names its zone,
/// and plan review sees the zone's kind and the plan's scenarios, so each of the three modes can pass.
struct ZoneAndModeTests {
    /// The finance zone of the scripts (established in `Scripts.setup`).
    static let financeZone = Samples.zone
    static let districtZone = Zone(
        id: "zone-haidian",
        name: "海淀区域专区",
        kind: .regional,
        supervisoryDepartment: "haidian-government",
        district: "海淀区"
    )
    static let spatialZone = Zone(
        id: "zone-spatial",
        name: "空间综合基础专区",
        kind: .comprehensive,
        supervisoryDepartment: Parties.administration
    )

    /// One mode's plan: its zone, its scenarios, and the rule that refuses it (`nil`: it passes review).
    struct ModeCase: Sendable, CustomTestStringConvertible {
        var label: String
        var mode: AuthorizationMode
        var zone: ZoneID?
        var scenarios: [ScenarioID]? = nil
        var refusedBy: String?

        var testDescription: String { label }
    }

    static let modeCases: [ModeCase] = [
        ModeCase(label: "whole, no zone", mode: .whole, zone: nil, scenarios: nil, refusedBy: nil),
        ModeCase(label: "whole in a comprehensive zone", mode: .whole, zone: "zone-spatial", refusedBy: nil),
        ModeCase(label: "by domain in a domain zone", mode: .byDomain, zone: "zone-finance", refusedBy: nil),
        ModeCase(
            label: "by domain in a regional zone",
            mode: .byDomain,
            zone: "zone-haidian",
            refusedBy: "pl.domain-mode-zone"
        ),
        ModeCase(label: "by domain without a zone", mode: .byDomain, zone: nil, refusedBy: "pl.domain-mode-zone"),
        ModeCase(
            label: "by scenario with its scenarios",
            mode: .byScenario,
            zone: "zone-haidian",
            scenarios: ["loan pre-screening"],
            refusedBy: nil
        ),
        ModeCase(
            label: "by scenario without scenarios",
            mode: .byScenario,
            zone: "zone-finance",
            scenarios: [],
            refusedBy: "pl.scenario-mode-scenarios"
        ),
    ]

    static func plan(_ mode: AuthorizationMode, zone: ZoneID?, scenarios: [ScenarioID]?) -> ImplementationPlan {
        var plan = Samples.plan
        plan.authorizationMode = mode
        plan.zone = zone
        plan.scenarios = scenarios
        return plan
    }

    static let zoneSteps: [Step] = [districtZone, spatialZone].map {
        .by(.dataAdministration, .zone(.establishZone(zone: $0)))
    }

    /// `steps` with the sample plan replaced by `plan`, after the zones are established.
    static func script(_ steps: [Step], plan: ImplementationPlan) -> [Step] {
        zoneSteps
            + steps.map { step in
                if case .run(let command, let actor) = step, command.name == .plan(.draftPlan) {
                    return .run(.plan(.draftPlan(plan: plan)), actor)
                }
                return step
            }
    }

    @Test(arguments: modeCases)
    func eachModePassesOrIsRefusedByItsRule(_ mode: ModeCase) async throws {
        let world = World()
        let plan = Self.plan(mode.mode, zone: mode.zone, scenarios: mode.scenarios)
        let setup = Self.script(Scripts.setup, plan: plan)
        try await world.run(Array(setup.dropLast()))
        let before = try await world.log()
        do {
            try await world.run(.implementingAgency, .plan(.submitPlan(plan: "plan-fin")))
            #expect(mode.refusedBy == nil, "the plan passed review")
            #expect(try await world.state(PlanProcess.self, "plan-fin") == .submitted)
        } catch let error as WorkflowError {
            let rule = try #require(mode.refusedBy, "refused: \(error)")
            #expect(error.code == .policyDenied)
            #expect(error.decision?.firedRules.contains(rule) == true, "\(error)")
            #expect(error.articles.contains("Art. 10"))
            #expect(try await world.log() == before)
        }
    }

    /// All three modes, end to end: the plan passes review, an operator is selected and the agreement is active.
    @Test(arguments: [AuthorizationMode.whole, .byDomain, .byScenario])
    func everyModeReachesAnActiveAgreement(_ mode: AuthorizationMode) async throws {
        let world = World()
        let plan = Self.plan(
            mode,
            zone: mode == .whole ? nil : "zone-finance",
            scenarios: mode == .byScenario ? ["loan pre-screening"] : nil
        )
        try await world.run(Self.script(Scripts.toActiveAgreement, plan: plan))
        #expect(try await world.state(AgreementProcess.self, "agr-1") == .active)
    }

    @Test func aPlanInAZoneThatWasNeverEstablishedIsRefused() async throws {
        let world = World()
        let plan = Self.plan(.byDomain, zone: "zone-unknown", scenarios: nil)
        let setup = Self.script(Scripts.setup, plan: plan)
        try await world.run(Array(setup.dropLast()))
        let before = try await world.log()
        await expectRefusal(.notFound) {
            try await world.run(.implementingAgency, .plan(.submitPlan(plan: "plan-fin")))
        }
        #expect(try await world.log() == before)
    }

    @Test func aZoneIsARecordWithItsKindSupervisorAndDistrict() async throws {
        let world = World()
        let outcome = try await world.run(.dataAdministration, .zone(.establishZone(zone: Self.districtZone)))
        #expect(outcome.state == "established")
        let zone = try await world.engine.instance(ZoneProcess.self, "zone-haidian").facts.zone
        #expect(zone == Self.districtZone)
        let told = outcome.events.flatMap(NotificationDispatcher.notifications(in:)).map(\.recipient)
        #expect(told == ["haidian-government"])

        // A regional zone names its district; no other kind has one; only the data administration establishes.
        var noDistrict = Self.districtZone
        noDistrict.id = "zone-x"
        noDistrict.district = nil
        await expectRefusal(.invalidInput) {
            try await world.run(.dataAdministration, .zone(.establishZone(zone: noDistrict)))
        }
        var domainWithDistrict = Self.financeZone
        domainWithDistrict.district = "朝阳区"
        await expectRefusal(.invalidInput) {
            try await world.run(.dataAdministration, .zone(.establishZone(zone: domainWithDistrict)))
        }
        await expectRefusal(.roleNotPermitted) {
            try await world.run(.implementingAgency, .zone(.establishZone(zone: Self.financeZone)))
        }
    }
}
