import Foundation
import PublicDataModel
import PublicDataPolicy

#if canImport(Testing)
import Testing
#endif

/// Conveniences for testing policies from a host's `swift test`.
///
/// ```swift
/// @Test func policySuitesPass() throws {
///     let suites = try #require(Bundle.module.url(forResource: "Suites", withExtension: nil))
///     PolicyTesting.expectSuitesPass(in: suites, policy: .beijingDefault)
/// }
/// ```
public enum PolicyTesting {
    /// Runs every `*.json` suite in `directory` against `policy` and returns the reports.
    ///
    /// Under Swift Testing each failing case is recorded as one issue whose comment is a readable diff of
    /// expected against actual; an unreadable suite is recorded as an issue too.
    /// - Parameters:
    ///   - directory: The directory of suites.
    ///   - policy: The policy under test.
    ///   - minimumCoverage: When given, an issue is recorded if the suites exercise a smaller share of rules.
    ///   - sourceLocation: Where issues are reported.
    /// - Returns: One report per suite (empty when the directory could not be read).
    @discardableResult
    public static func expectSuitesPass(
        in directory: URL,
        policy: Policy = .beijingDefault,
        minimumCoverage: Double? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> [SuiteReport] {
        let suites: [PolicyTestSuite]
        do {
            suites = try PolicyTestSuite.loadDirectory(directory)
        } catch {
            record("cannot load policy suites: \(error)", sourceLocation)
            return []
        }
        if suites.isEmpty { record("no *.json suites in \(directory.path)", sourceLocation) }
        let reports = suites.map { PolicyHarness.run(suite: $0, policy: policy) }
        for report in reports {
            for failure in report.failures {
                record(
                    "suite \(report.suite) against \(policy.id)@\(policy.version)\n\(failure.failureText)",
                    sourceLocation
                )
            }
        }
        if let minimumCoverage {
            let coverage = Coverage(policy: policy, decisions: reports.flatMap { $0.results.map(\.decision) })
            if coverage.ratio < minimumCoverage {
                record(
                    "policy coverage \(Int(coverage.ratio * 100))% is below \(Int(minimumCoverage * 100))%; "
                        + "never exercised: \(coverage.unexercised.joined(separator: ", "))",
                    sourceLocation
                )
            }
        }
        return reports
    }

    private static func record(_ message: String, _ sourceLocation: SourceLocation) {
        #if canImport(Testing)
        Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
        #else
        print(message)
        #endif
    }
}

#if !canImport(Testing)
/// Stand-in for Swift Testing's source location where Swift Testing is unavailable.
public struct SourceLocation: Sendable {
    /// Creates a location.
    public init(fileID: String = #fileID, line: Int = #line) {}
}
#endif

/// Ready-made values for policy tests: a catalog entry, an agreement and requests that the Beijing
/// default policy permits, to be varied one fact at a time.
///
/// ```swift
/// var request = PolicyFixtures.dataRequest()
/// request.entry.grade = .core
/// #expect(!Policy.beijingDefault.evaluate(.dataRequest(request), at: PolicyFixtures.time).isPermit)
/// ```
public enum PolicyFixtures {
    /// The evaluation instant used by the fixtures: 2026-06-01T02:00:00Z.
    public static let time = Date(timeIntervalSince1970: 1_780_279_200)
    /// The evaluation day: 2026-06-01.
    public static let day = CivilDate(year: 2026, month: 6, day: 1) ?? CivilDate(daysSinceEpoch: 20_605)
    /// The operator.
    public static let operatorParty: PartyID = "op-bj-finance"
    /// The implementing agency.
    public static let agency: PartyID = "agency-bj-finance"

    /// A general-grade, unconditional-share, not-open entry of company licenses with one personal field.
    public static func entry(
        id: CatalogEntryID = "ent-licenses",
        sharing: SharingAttribute = .unconditional,
        openness: OpenAttribute = .notOpen,
        grade: DataGrade = .general,
        personalInformation: Bool = false,
        source: DataSource = .local
    ) -> CatalogEntry {
        CatalogEntry(
            id: id,
            name: "Company licenses",
            owningDepartment: "dept-market",
            sharing: sharing,
            openness: openness,
            grade: grade,
            containsPersonalInformation: personalInformation,
            fields: [
                CatalogField(name: "licenseNo"), CatalogField(name: "companyName"), CatalogField(name: "status"),
                CatalogField(name: "legalRepresentative", personalInformation: personalInformation),
            ],
            source: source
        )
    }

    /// An agreement of the fixture operator over `entries` (all fields) from 2026-01-01 to 2030-12-31.
    public static func agreement(
        entries: [CatalogEntryID] = ["ent-licenses"],
        products: [ProductID] = []
    ) -> AgreementTerms {
        AgreementTerms(
            id: "agr-bj-finance",
            plan: "plan-bj-finance",
            implementingAgency: agency,
            operatorParty: operatorParty,
            scope: entries.map { ScopeItem(entry: $0) },
            start: CivilDate(year: 2026, month: 1, day: 1) ?? day,
            end: CivilDate(year: 2030, month: 12, day: 31) ?? day,
            products: products
        )
    }

    /// A data request the default policy permits (unconditional share, one needed field, privacy computing).
    public static func dataRequest(entry: CatalogEntry = entry()) -> DataAccessRequest {
        DataAccessRequest(
            operatorParty: operatorParty,
            entry: entry,
            agreement: agreement(entries: [entry.id]),
            agreementStatus: .active,
            requestedFields: ["licenseNo"],
            neededFields: ["licenseNo", "companyName"],
            purpose: .publicGovernance,
            delivery: .privacyComputing,
            day: day
        )
    }

    /// A downstream scenario request the default policy permits.
    public static func downstreamScenario() -> DownstreamScenarioRequest {
        DownstreamScenarioRequest(
            scenario: "scn-credit",
            requester: "biz-credit-co",
            requesterRole: .businessEntity,
            operatorParty: operatorParty,
            product: "prd-license-check",
            deliveredProducts: ["prd-license-check"],
            agreement: agreement(products: ["prd-license-check"]),
            agreementStatus: .active,
            meetsOperatorConditions: true,
            complianceAssessed: true,
            purpose: .industryDevelopment,
            day: day
        )
    }

    /// A product release by the operator that the default policy permits.
    public static func productRelease() -> ProductReleaseRequest {
        ProductReleaseRequest(
            product: "prd-license-check",
            kind: .verification,
            publisher: operatorParty,
            publisherRole: .operator,
            operatorParty: operatorParty,
            sources: [entry()],
            agreement: agreement(products: ["prd-license-check"]),
            agreementStatus: .active,
            day: day
        )
    }

    /// An eligible operator candidate.
    public static func operatorEligibility() -> OperatorEligibilityRequest {
        OperatorEligibilityRequest(
            candidate: operatorParty,
            method: .openTender,
            planApproved: true,
            isLegalEntity: true,
            hasOperatingCapability: true,
            hasBadBusinessRecord: false,
            hasGoodCredit: true,
            meetsDataSecurityRequirements: true
        )
    }

    /// A complete whole-mode implementation plan of 36 months.
    public static func plan() -> ImplementationPlan {
        ImplementationPlan(
            id: "plan-bj-finance",
            implementingAgency: agency,
            name: "Beijing finance public data",
            necessityAndFeasibility: "credit for small firms",
            operatorSelectionCriteria: "Art. 12 conditions",
            authorizationMode: .whole,
            dataScope: ["ent-licenses"],
            termMonths: 60,
            plannedProducts: [PlannedProduct(name: "license check", kind: .verification)],
            costAndRevenueAccounting: "per product",
            revenueDistribution: "by contribution",
            securityAndEmergencyMeasures: "privacy computing; drills",
            rightsAndObligations: "per agreement",
            supervisionAndEvaluation: "yearly evaluation"
        )
    }

    /// A plan review the default policy permits.
    public static func planReview() -> PlanReviewRequest { PlanReviewRequest(plan: plan()) }

    /// An agreement review the default policy permits.
    public static func agreementReview() -> AgreementReviewRequest {
        AgreementReviewRequest(
            agreement: agreement(),
            plan: plan(),
            planApproved: true,
            collectiveDecisionRecorded: true,
            selectedOperator: operatorParty
        )
    }

    /// A pricing request: industry use with a charge and an approved cap.
    public static func pricing(
        purpose: Purpose = .industryDevelopment,
        chargeRequested: Bool = true,
        priceCapApproved: Bool = true
    ) -> PricingEligibilityRequest {
        PricingEligibilityRequest(
            product: "prd-license-check",
            purpose: purpose,
            chargeRequested: chargeRequested,
            priceCapApproved: priceCapApproved
        )
    }

    /// A lawful course of conduct by the operator.
    public static func conduct() -> ConductReviewRequest {
        ConductReviewRequest(actor: operatorParty, actorRole: .operator)
    }
}
