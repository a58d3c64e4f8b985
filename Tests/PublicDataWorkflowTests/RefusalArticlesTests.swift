import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// Every refusal says why in the regulation's terms: the error's `articles` cite the article that assigns the
/// act, the article of the step that must come first, or the articles of the policy's reasons.
struct RefusalArticlesTests {
    /// A refusal to provoke: the store is brought to `steps`, then `actor` issues `command`.
    struct Refusal: Sendable, CustomTestStringConvertible {
        var label: String
        var steps: [Step]
        var actor: Principal
        var command: WorkflowCommand
        var code: WorkflowError.Code
        var article: String
        /// A rule the policy's decision must have fired (policy refusals).
        var rule: String?
        /// The JSON path an issue must name (an incomplete plan).
        var issuePath: String?

        var testDescription: String { label }
    }

    static let otherOperator = Principal(party: Parties.otherOperator, role: .operator, person: "mallory")
    static let otherAgency = Principal(party: "agency-transport", role: .implementingAgency, person: "li")

    /// The setup steps with the plan replaced by `plan` and without its submission.
    static func drafted(_ plan: ImplementationPlan) -> [Step] {
        Array(Scripts.setup.dropLast(2)) + [.by(.implementingAgency, .plan(.draftPlan(plan: plan)))]
    }

    static var incompletePlan: ImplementationPlan {
        var plan = Samples.plan
        plan.securityAndEmergencyMeasures = nil
        return plan
    }

    static var longPlan: ImplementationPlan {
        var plan = Samples.plan
        plan.termMonths = 61
        return plan
    }

    /// The steps up to the signature, with an agreement running 61 months (the cap is 5 years).
    static var beforeSigningALongAgreement: [Step] {
        let steps = Scripts.prefix(before: .agreement(.signAgreement))?.steps ?? []
        return steps.map { step in
            guard case .run(let command, let actor) = step,
                case .draftAgreement(var terms, let selection)? = command.command(of: AgreementProcess.self)
            else {
                return step
            }
            terms.end = CivilDate(year: 2031, month: 3, day: 31)!
            return .run(.agreement(.draftAgreement(terms: terms, selection: selection)), actor)
        }
    }

    static func before(_ name: CommandName) -> [Step] { Scripts.prefix(before: name)?.steps ?? [] }

    static let refusals: [Refusal] = [
        Refusal(
            label: "wrong role: an operator approves a plan",
            steps: Scripts.setup,
            actor: Parties.actor(.operator),
            command: .plan(.approvePlan(plan: "plan-fin")),
            code: .roleNotPermitted,
            article: "Art. 11"
        ),
        Refusal(
            label: "wrong role: the agency files its own agreement",
            steps: before(.agreement(.fileAgreement)),
            actor: Parties.actor(.implementingAgency),
            command: .agreement(.fileAgreement(agreement: "agr-1", filingNumber: "BA-1")),
            code: .roleNotPermitted,
            article: "Art. 13"
        ),
        Refusal(
            label: "wrong state: an agreement filed before it is signed",
            steps: before(.agreement(.signAgreement)),
            actor: Parties.actor(.dataAdministration),
            command: .agreement(.fileAgreement(agreement: "agr-1", filingNumber: "BA-1")),
            code: .invalidState,
            article: "Art. 13"
        ),
        Refusal(
            label: "wrong state: a plan approved before it is submitted",
            steps: Array(Scripts.setup.dropLast()),
            actor: Parties.actor(.municipalGovernment),
            command: .plan(.approvePlan(plan: "plan-fin")),
            code: .invalidState,
            article: "Art. 11"
        ),
        Refusal(
            label: "wrong party: another operator signs the agreement",
            steps: before(.agreement(.signAgreement)),
            actor: otherOperator,
            command: .agreement(.signAgreement(agreement: "agr-1")),
            code: .notParty,
            article: "Art. 13"
        ),
        Refusal(
            label: "wrong party: an agency drafts another agency's plan",
            steps: Array(Scripts.setup.prefix(3)),
            actor: otherAgency,
            command: .plan(.draftPlan(plan: Samples.plan)),
            code: .notParty,
            article: "Art. 11"
        ),
        Refusal(
            label: "incomplete plan: no security and emergency measures",
            steps: drafted(incompletePlan),
            actor: Parties.actor(.implementingAgency),
            command: .plan(.submitPlan(plan: "plan-fin")),
            code: .policyDenied,
            article: "Art. 11",
            rule: "pl.incomplete",
            issuePath: "$.securityAndEmergencyMeasures"
        ),
        Refusal(
            label: "term cap: a plan of 61 months",
            steps: drafted(longPlan),
            actor: Parties.actor(.implementingAgency),
            command: .plan(.submitPlan(plan: "plan-fin")),
            code: .policyDenied,
            article: "Art. 11",
            rule: "pl.term-cap"
        ),
        Refusal(
            label: "term cap: an agreement of 61 months is refused at signing",
            steps: beforeSigningALongAgreement,
            actor: Parties.actor(.operator),
            command: .agreement(.signAgreement(agreement: "agr-1")),
            code: .policyDenied,
            article: "Art. 13",
            rule: "ag.term-cap"
        ),
    ]

    @Test(arguments: refusals)
    func aRefusalCitesItsArticles(_ refusal: Refusal) async throws {
        #expect(!refusal.steps.isEmpty)
        let world = World()
        try await world.run(refusal.steps)
        let log = try await world.log()
        do {
            try await world.engine.execute(refusal.command, by: refusal.actor)
            Issue.record("\(refusal.label): the command succeeded")
        } catch {
            #expect(error.code == refusal.code, "\(error)")
            #expect(!error.articles.isEmpty, "\(error)")
            #expect(error.articles.contains(refusal.article), "\(error.articles)")
            #expect(error.command == refusal.command.name)
            #expect(error.stream == refusal.command.stream)
            if let rule = refusal.rule {
                #expect(error.decision?.firedRules.contains(rule) == true, "\(error)")
                #expect(error.decision?.isPermit == false)
                // A term beyond the cap cites the cap's source: the national 实施规范 (发改数据规〔2025〕27号).
                if rule.hasSuffix("term-cap") {
                    #expect(error.articles.contains("实施规范") && error.articles.contains("27号"), "\(error.articles)")
                }
            } else {
                #expect(error.decision == nil)
            }
            if let path = refusal.issuePath {
                #expect(error.issues.contains { $0.path == path }, "\(error.issues)")
            }
        }
        // A refusal records nothing.
        #expect(try await world.log() == log)
    }

    @Test func aRefusalTravelsAsJSONWithItsArticlesAndDecision() async throws {
        let world = World()
        try await world.run(Self.drafted(Self.incompletePlan))
        do {
            try await world.run(.implementingAgency, .plan(.submitPlan(plan: "plan-fin")))
            Issue.record("an incomplete plan was submitted")
        } catch let error as WorkflowError {
            let data = try PublicDataJSON.makeEncoder().encode(error)
            let decoded = try PublicDataJSON.makeDecoder().decode(WorkflowError.self, from: data)
            #expect(decoded == error)
            #expect(decoded.articles.contains("Art. 11"))
        }
    }

    @Test func aLongAgreementMayBeDraftedButNotSigned() async throws {
        let world = World()
        let steps = Self.beforeSigningALongAgreement
        try await world.run(steps)
        #expect(try await world.state(AgreementProcess.self, "agr-1") == .decided)
        await expectRefusal(.policyDenied) {
            try await world.run(.operator, .agreement(.signAgreement(agreement: "agr-1")))
        }
        #expect(try await world.state(AgreementProcess.self, "agr-1") == .decided)
    }
}
