import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

@testable import PublicDataCommandLine

/// The whole lifecycle demo, run in-process on an in-memory store, and what it must have produced.
@Suite struct DemoScenarioTests {
    typealias W = DemoWorld

    static func runDemo() async throws -> (DemoReport, String) {
        let output = TextOutput(capture: true)
        let report = try await LifecycleDemo.run(store: InMemoryEventStore(), output: output)
        return (report, output.standardOutput)
    }

    @Test func theLifecycleRecordsEveryStepOnce() async throws {
        let (report, _) = try await Self.runDemo()
        let counts = report.eventCounts
        let expected: [String: Int] = [
            "catalog.entryPublished": 4, "plan.approved": 1, "selection.operatorSelected": 1,
            "agreement.signed": 1, "agreement.filed": 1, "agreement.activated": 1, "registration.codeIssued": 1,
            "dataRequest.submitted": 4, "dataRequest.granted": 1, "dataRequest.coReviewRequested": 1,
            "dataRequest.coReviewApproved": 1, "dataRequest.refused": 2, "dataRequest.provisioned": 2,
            "product.feeCapSet": 1, "product.published": 1, "scenario.activated": 2,
            "settlement.usageRecorded": 4, "settlement.periodClosed": 1, "settlement.revenueDistributed": 1,
            "objection.accepted": 2, "objection.closed": 1, "objection.escalated": 1, "evaluation.rated": 1,
            "evaluation.exitOrdered": 1, "agreement.terminatedByEvaluation": 1, "dataRequest.revokedOnExit": 2,
            "product.withdrawnOnExit": 1, "settlement.settledOnExit": 1, "agreement.exitCompleted": 1,
            "evaluation.exitCompleted": 1, "audit.checkpoint.signed": 2, "securityRecord.recorded": 3,
            "securityRecord.officerNamed": 1,
        ]
        for (type, count) in expected {
            #expect(counts[type] == count, "\(type): \(counts[type] ?? 0)")
        }
        // The price above the cap was refused before anything was recorded.
        #expect(counts["product.published"] == 1)
        #expect(report.outcomes.filter { $0.deduplicated }.count == 0)
    }

    @Test func grantsAndRefusalsCiteTheirArticles() async throws {
        let (report, output) = try await Self.runDemo()
        func decision(_ request: DataRequestSpec) throws -> Decision {
            let outcome = try #require(
                report.outcomes.last {
                    $0.command == .dataRequest(.evaluateDataRequest)
                        && $0.stream == ProcessKind.dataRequest.stream(request.id.rawValue)
                }
            )
            return try #require(outcome.decision)
        }
        let open = try decision(W.grantedRequest)
        #expect(open.effect == .permit)
        #expect(open.firedRules.contains("dr.grant-open"))
        #expect(open.citedArticles.contains("Art. 16"))

        let conditional = try decision(W.conditionalRequest)
        #expect(conditional.requiresCoReview)
        #expect(conditional.obligationKinds.contains(.privacyComputingOnly))
        #expect(conditional.obligationKinds.contains(.industryCoReview))
        let coReview = try #require(report.outcomes.first { $0.command == .dataRequest(.coReviewDataRequest) })
        #expect(coReview.state == "granted")

        let core = try decision(W.coreRequest)
        #expect(core.effect == .deny)
        #expect(core.firedRules == ["dr.core-grade"])
        #expect(core.citedArticles == ["Art. 5", "Art. 16"])

        let personal = try decision(W.personalRequest)
        #expect(personal.effect == .deny)
        #expect(personal.firedRules == ["dr.personal-information"])
        #expect(personal.citedArticles == ["Art. 26"])

        #expect(output.contains("decision: DENY (dr.core-grade) — cites Art. 5"))
        #expect(output.contains("decision: DENY (dr.personal-information) — cites Art. 26"))
        #expect(output.contains("publishProduct at ¥0.80 per call → refused"))
    }

    @Test func invoicesAndTheSplitAddUp() async throws {
        let (report, output) = try await Self.runDemo()
        #expect(report.invoices.count == 2)
        let bank = try #require(report.invoices.first { $0.consumer == W.bank })
        #expect(bank.total == Money(fen: 20_000))  // 1000 calls at ¥0.20
        let welfare = try #require(report.invoices.first { $0.consumer == W.welfare })
        #expect(welfare.purpose == .publicWelfare)
        #expect(welfare.total == .zero)
        #expect(welfare.waivedAmount == Money(fen: 8_000))  // 400 free calls
        #expect(report.allocations.map(\.amount.fen) == [6_000, 4_000, 10_000])
        #expect(report.allocations.map(\.amount.fen).reduce(0, +) == bank.total.fen + welfare.total.fen)
        #expect(output.contains("deduplicated = true"))
    }

    @Test func objectionsAreAnsweredOrEscalatedAfterTheQingmingHoliday() async throws {
        let (report, output) = try await Self.runDemo()
        let accepted = report.notifications.filter { $0.kind == "objection.accepted" }
        #expect(accepted.map(\.recipient) == [W.marketRegulation, W.tax])
        // Accepted Thursday 2 April; 6 April is a holiday, so five working days end on Friday 10 April.
        #expect(accepted.allSatisfy { $0.due == CivilDate("2026-04-10") })
        // The operator's security records are reminded and expire on their own days (87号 §7).
        let fired = report.firedDeadlines.filter { ProcessKind.of($0.deadline.stream) != .securityRecord }
        #expect(fired.map(\.event.type) == ["registration.noticeEnded", "objection.escalated"])
        #expect(fired.last?.deadline.stream == ProcessKind.objection.stream("obj-tax-arrears"))
        let escalation = try #require(report.notifications.first { $0.kind == "objection.escalated" })
        #expect(escalation.recipient == W.administration)
        #expect(output.contains("✉ to 市税务局 (tax bureau) [bj-tax] as data_provider: objection.accepted, due 2026-04-10"))
    }

    @Test func twoPoorRatingsEndInTheExitProcedure() async throws {
        let (report, _) = try await Self.runDemo()
        let ratings = report.outcomes.filter { $0.command == .evaluation(.rateOperator) }
        #expect(ratings.map(\.state) == ["rated", "exiting"])
        let exit = try #require(report.events.first { $0.type == "agreement.exitCompleted" })
        #expect(exit.streamID == ProcessKind.agreement.stream(W.agreementID.rawValue))
        let withdrawn = try #require(report.events.first { $0.type == "product.withdrawnOnExit" })
        #expect(withdrawn.streamID == ProcessKind.product.stream(W.productID.rawValue))
        // Nothing happens under the agreement after its exit.
        let last = try #require(report.events.last { ProcessKind.of($0.streamID) != nil })
        #expect(last.type == "evaluation.exitCompleted" || last.type == "agreement.exitCompleted")
    }

    @Test func theDisclosureAndTheLedgerHoldUp() async throws {
        let (report, output) = try await Self.runDemo()
        let disclosure = report.disclosure
        #expect(disclosure.period == DisclosurePeriod.year(2026))
        #expect(disclosure.findings.isEmpty)
        let agency = try #require(disclosure.agencies.first)
        #expect(agency.party == W.agency)
        #expect(agency.authorizations.map(\.agreement) == [W.agreementID])
        #expect(agency.authorizations.first?.feeCaps.map(\.cap) == [Money(fen: 50)])
        let operatorSection = try #require(disclosure.operators.first)
        #expect(operatorSection.name == "京融数据运营有限公司")
        #expect(operatorSection.authorizedResources.map(\.entry) == [W.enterpriseRegistrations.id, W.taxPayments.id])
        #expect(operatorSection.actualFees.first?.revenue == Money(fen: 20_000))
        #expect(operatorSection.actualFees.first?.trial == true)
        #expect(operatorSection.dataUsage.map(\.calls) == [1_400, 1_400])
        #expect(disclosure.ledgerCheckpoint != nil)

        #expect(report.verification.isOK)
        #expect(report.checkpoint.isSigned(byAnyOf: [DemoKeys.signer()]))
        #expect(report.checkpoint.checkpoint.origin == "beijing-finance-zone/sha-256")
        #expect(report.checkpoint.checkpoint.size == report.events.count - 1)
        #expect(output.contains("verification: ok"))
        #expect(output.contains(report.checkpoint.text.split(separator: "\n")[2]))
    }

    @Test func theNarrativeIsTheSameOnEveryRun() async throws {
        let (_, first) = try await Self.runDemo()
        let (_, second) = try await Self.runDemo()
        // Only the hashes and signatures (which cover random event ids) differ.
        func stable(_ text: String) -> [Substring] {
            text.split(separator: "\n").filter { !$0.contains("=") && !$0.contains("— publicdatakit-demo") }
        }
        #expect(stable(first) == stable(second))
    }

    @Test func smThreeLedgersAreSupported() async throws {
        let report = try await LifecycleDemo.run(
            store: InMemoryEventStore(),
            hasher: SM3Hasher(),
            output: TextOutput(capture: true)
        )
        #expect(report.checkpoint.checkpoint.origin == "beijing-finance-zone/sm3")
        #expect(report.verification.isOK)
    }
}
