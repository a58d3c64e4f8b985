import Foundation
import PublicDataPolicy
import PublicDataTesting
import Testing

/// One row of the rule matrix: a request, the decision expected, and whether `rule` takes part.
struct RuleCase: Sendable, CustomTestStringConvertible {
    var rule: String
    var name: String
    var request: PolicyRequest
    var effect: Effect
    /// Whether `rule` must be among the fired rules; for deny rules that deny, it must be the only one.
    var fires: Bool
    /// The exact set of obligation kinds expected.
    var obligations: Set<ObligationKind>
    /// An article the decision must cite.
    var article: String
    var policy: Policy = .beijingDefault

    var testDescription: String { "\(rule): \(name)" }
}

private func day(_ text: String) -> CivilDate { CivilDate(text) ?? PolicyFixtures.day }

private func dr(_ change: (inout DataAccessRequest) -> Void) -> PolicyRequest {
    var request = PolicyFixtures.dataRequest()
    change(&request)
    return .dataRequest(request)
}

private func ds(_ change: (inout DownstreamScenarioRequest) -> Void) -> PolicyRequest {
    var request = PolicyFixtures.downstreamScenario()
    change(&request)
    return .downstreamScenario(request)
}

private func pr(_ change: (inout ProductReleaseRequest) -> Void) -> PolicyRequest {
    var request = PolicyFixtures.productRelease()
    change(&request)
    return .productRelease(request)
}

private func oe(_ change: (inout OperatorEligibilityRequest) -> Void) -> PolicyRequest {
    var request = PolicyFixtures.operatorEligibility()
    change(&request)
    return .operatorEligibility(request)
}

private func pl(_ change: (inout PlanReviewRequest) -> Void) -> PolicyRequest {
    var request = PolicyFixtures.planReview()
    change(&request)
    return .plan(request)
}

private func ag(_ change: (inout AgreementReviewRequest) -> Void) -> PolicyRequest {
    var request = PolicyFixtures.agreementReview()
    change(&request)
    return .agreement(request)
}

private func pe(_ purpose: Purpose, charge: Bool, cap: Bool) -> PolicyRequest {
    .pricing(PolicyFixtures.pricing(purpose: purpose, chargeRequested: charge, priceCapApproved: cap))
}

private func cd(_ change: (inout ConductReviewRequest) -> Void) -> PolicyRequest {
    var request = PolicyFixtures.conduct()
    change(&request)
    return .conduct(request)
}

private func deny(_ rule: String, _ name: String, _ article: String, _ request: PolicyRequest) -> RuleCase {
    RuleCase(rule: rule, name: name, request: request, effect: .deny, fires: true, obligations: [], article: article)
}

private func permit(
    _ rule: String,
    _ name: String,
    fires: Bool,
    _ obligations: Set<ObligationKind>,
    _ article: String,
    _ request: PolicyRequest
) -> RuleCase {
    RuleCase(
        rule: rule,
        name: name,
        request: request,
        effect: .permit,
        fires: fires,
        obligations: obligations,
        article: article
    )
}

/// A deny in which `rule` (a permit or obligation rule) takes no part.
private func denied(_ rule: String, _ name: String, _ article: String, _ request: PolicyRequest) -> RuleCase {
    RuleCase(rule: rule, name: name, request: request, effect: .deny, fires: false, obligations: [], article: article)
}

private let piEntry = PolicyFixtures.entry(personalInformation: true)

/// A request judged with the operator's holdings (Art. 30): one entry each unless said otherwise.
private func held(entries: Int = 1, pi: Int = 0, important: Int = 0, departments: Int = 1) -> PolicyRequest {
    dr {
        if pi > 0 {
            $0.entry = piEntry
            $0.requestedFields = ["licenseNo", "legalRepresentative"]
            $0.neededFields = ["licenseNo", "legalRepresentative"]
            $0.anonymized = true
        }
        if important > 0 { $0.entry.grade = .important }
        $0.holdings = AggregateHoldings(
            entries: entries,
            personalInformationFields: pi,
            importantEntries: important,
            grades: important > 0 ? [.general, .important] : [.general],
            departments: departments
        )
    }
}

private func heldCore(entries: Int, departments: Int = 1) -> PolicyRequest {
    guard case .dataRequest(var request) = held(entries: entries, departments: departments) else { return held() }
    request.entry.grade = .core
    return .dataRequest(request)
}
private func piRequest(_ change: (inout DataAccessRequest) -> Void = { _ in }) -> PolicyRequest {
    var request = PolicyFixtures.dataRequest(entry: piEntry)
    request.requestedFields = ["licenseNo", "legalRepresentative"]
    request.neededFields = ["licenseNo", "legalRepresentative"]
    change(&request)
    return .dataRequest(request)
}

private let openGrant: Set<ObligationKind> = [.minimalFields]
private let conditionalGrant: Set<ObligationKind> = [.industryCoReview, .privacyComputingOnly, .minimalFields]
private let scenarioGrant: Set<ObligationKind> = [.fileScenario, .fileProduct]

enum RuleMatrix {
    static let dataRequest: [RuleCase] = [
        deny("dr.core-grade", "core grade", "Art. 5", dr { $0.entry.grade = .core }),
        permit(
            "dr.core-grade",
            "important grade",
            fires: false,
            openGrant.union([.privacyComputingOnly, .enhancedSecurity]),
            "Art. 28",
            dr { $0.entry.grade = .important }
        ),
        deny(
            "dr.not-shared",
            "not shared, not open",
            "Art. 16",
            dr {
                $0.entry.sharing = .notShared
                $0.entry.openness = .notOpen
            }
        ),
        permit(
            "dr.not-shared",
            "not shared but open",
            fires: false,
            openGrant,
            "Art. 16",
            dr {
                $0.entry.sharing = .notShared
                $0.entry.openness = .open
            }
        ),
        deny(
            "dr.conditional-delivery",
            "conditional by sandbox",
            "Art. 16",
            dr {
                $0.entry.sharing = .conditional
                $0.delivery = .sandbox
            }
        ),
        permit(
            "dr.conditional-delivery",
            "conditional by privacy computing",
            fires: false,
            conditionalGrant,
            "Art. 16",
            dr { $0.entry.sharing = .conditional }
        ),
        deny("dr.raw-download-not-open", "download of non-open data", "Art. 6", dr { $0.delivery = .openDataDownload }),
        permit(
            "dr.raw-download-not-open",
            "download of open data",
            fires: false,
            openGrant,
            "Art. 16",
            dr {
                $0.delivery = .openDataDownload
                $0.entry.openness = .open
            }
        ),
        deny("dr.personal-information", "personal information, no anonymization or consent", "Art. 26", piRequest()),
        permit(
            "dr.personal-information",
            "personal information anonymized",
            fires: false,
            openGrant.union([.anonymizePersonalInformation]),
            "Art. 26",
            piRequest { $0.anonymized = true }
        ),
        permit(
            "dr.anonymize",
            "anonymized personal information",
            fires: true,
            openGrant.union([.anonymizePersonalInformation]),
            "Art. 26",
            piRequest { $0.anonymized = true }
        ),
        denied(
            "dr.anonymize",
            "anonymized but core grade",
            "Art. 5",
            piRequest {
                $0.anonymized = true
                $0.entry.grade = .core
            }
        ),
        permit(
            "dr.consent-scope",
            "personal information with consent",
            fires: true,
            openGrant.union([.useWithinConsent]),
            "Art. 26",
            piRequest { $0.dataSubjectConsent = true }
        ),
        denied(
            "dr.consent-scope",
            "consent but outside the term",
            "Art. 13",
            piRequest {
                $0.dataSubjectConsent = true
                $0.day = day("2031-01-01")
            }
        ),
        deny(
            "dr.provider-consent",
            "ministry data without consent",
            "Art. 19",
            dr { $0.entry.source = .nationalMinistry }
        ),
        permit(
            "dr.provider-consent",
            "other-region data with consent",
            fires: false,
            openGrant,
            "Art. 16",
            dr {
                $0.entry.source = .otherRegion
                $0.providerConsent = true
            }
        ),
        deny(
            "dr.fields-beyond-need",
            "a field the scenario does not need",
            "87号 §6",
            dr { $0.requestedFields = ["licenseNo", "status"] }
        ),
        permit(
            "dr.fields-beyond-need",
            "exactly the needed fields",
            fires: false,
            openGrant,
            "87号 §6",
            dr { $0.requestedFields = ["licenseNo", "companyName"] }
        ),
        deny(
            "dr.unknown-fields",
            "a field not in the catalog",
            "Art. 16",
            dr {
                $0.requestedFields = ["secret"]
                $0.neededFields = ["secret"]
            }
        ),
        permit("dr.unknown-fields", "catalog fields", fires: false, openGrant, "Art. 16", dr { _ in }),
        deny(
            "dr.entry-out-of-scope",
            "entry outside the scope",
            "Art. 20",
            dr { $0.agreement.scope = [ScopeItem(entry: "ent-other")] }
        ),
        permit("dr.entry-out-of-scope", "entry in scope", fires: false, openGrant, "Art. 16", dr { _ in }),
        deny(
            "dr.fields-out-of-scope",
            "field outside the scope",
            "Art. 20",
            dr { $0.agreement.scope = [ScopeItem(entry: "ent-licenses", fields: ["companyName"])] }
        ),
        permit(
            "dr.fields-out-of-scope",
            "field in the scope",
            fires: false,
            openGrant,
            "Art. 16",
            dr { $0.agreement.scope = [ScopeItem(entry: "ent-licenses", fields: ["licenseNo"])] }
        ),
        deny("dr.outside-term", "day after the term", "Art. 13", dr { $0.day = day("2031-01-01") }),
        permit(
            "dr.outside-term",
            "last day of the term",
            fires: false,
            openGrant,
            "Art. 16",
            dr { $0.day = day("2030-12-31") }
        ),
        deny("dr.operator-mismatch", "another operator asks", "Art. 20", dr { $0.operatorParty = "op-other" }),
        permit(
            "dr.operator-mismatch",
            "the agreement's operator asks",
            fires: false,
            openGrant,
            "Art. 16",
            dr { _ in }
        ),
        deny("dr.agreement-not-in-force", "agreement only filed", "Art. 13", dr { $0.agreementStatus = .filed }),
        permit("dr.agreement-not-in-force", "agreement active", fires: false, openGrant, "Art. 16", dr { _ in }),
        deny("dr.agreement-suspended", "agreement suspended", "Art. 30", dr { $0.agreementStatus = .suspended }),
        permit("dr.agreement-suspended", "agreement active", fires: false, openGrant, "Art. 16", dr { _ in }),
        deny("dr.agreement-ended", "agreement expired", "Art. 33", dr { $0.agreementStatus = .expired }),
        permit("dr.agreement-ended", "agreement active", fires: false, openGrant, "Art. 16", dr { _ in }),
        deny("dr.agreement-abandoned", "agreement abandoned", "Art. 13", dr { $0.agreementStatus = .abandoned }),
        permit("dr.agreement-abandoned", "agreement active", fires: false, openGrant, "Art. 16", dr { _ in }),
        permit("dr.grant-open", "unconditional share", fires: true, openGrant, "Art. 16", dr { _ in }),
        denied(
            "dr.grant-open",
            "not shared, not open",
            "Art. 16",
            dr {
                $0.entry.sharing = .notShared
                $0.entry.openness = .conditionallyOpen
            }
        ),
        permit(
            "dr.grant-conditional",
            "conditional share by privacy computing",
            fires: true,
            conditionalGrant,
            "Art. 16",
            dr { $0.entry.sharing = .conditional }
        ),
        denied(
            "dr.grant-conditional",
            "conditional share by model",
            "Art. 16",
            dr {
                $0.entry.sharing = .conditional
                $0.delivery = .model
            }
        ),
        permit(
            "dr.important-grade",
            "important data",
            fires: true,
            openGrant.union([.privacyComputingOnly, .enhancedSecurity]),
            "Art. 28",
            dr { $0.entry.grade = .important }
        ),
        denied(
            "dr.important-grade",
            "important data outside scope",
            "Art. 20",
            dr {
                $0.entry.grade = .important
                $0.agreement.scope = [ScopeItem(entry: "ent-other")]
            }
        ),
    ]

    static let aggregation: [RuleCase] = [
        deny("dr.aggregate-personal-information", "51 personal fields held", "Art. 30", held(entries: 3, pi: 51)),
        permit(
            "dr.aggregate-personal-information",
            "50 personal fields held",
            fires: false,
            openGrant.union([.anonymizePersonalInformation]),
            "Art. 26",
            held(entries: 3, pi: 50)
        ),
        permit(
            "dr.aggregate-personal-information",
            "51 held, none requested now",
            fires: false,
            openGrant,
            "Art. 16",
            dr {
                $0.holdings = AggregateHoldings(
                    entries: 3,
                    personalInformationFields: 51,
                    importantEntries: 0,
                    grades: [.general],
                    departments: 1
                )
            }
        ),
        deny("dr.aggregate-important", "11 important entries held", "Art. 30", held(entries: 11, important: 11)),
        permit(
            "dr.aggregate-important",
            "10 important entries held",
            fires: false,
            openGrant.union([.privacyComputingOnly, .enhancedSecurity]),
            "Art. 28",
            held(entries: 10, important: 10)
        ),
        permit(
            "dr.aggregate-entries",
            "20 entries held",
            fires: true,
            openGrant.union([.enhancedSecurity]),
            "Art. 30",
            held(entries: 20)
        ),
        permit("dr.aggregate-entries", "19 entries held", fires: false, openGrant, "Art. 16", held(entries: 19)),
        denied("dr.aggregate-entries", "20 entries held, this one core", "Art. 5", heldCore(entries: 20)),
        permit(
            "dr.aggregate-departments",
            "4 departments",
            fires: true,
            openGrant.union([.enhancedSecurity]),
            "Art. 30",
            held(entries: 4, departments: 4)
        ),
        permit(
            "dr.aggregate-departments",
            "3 departments",
            fires: false,
            openGrant,
            "Art. 16",
            held(entries: 3, departments: 3)
        ),
        denied(
            "dr.aggregate-departments",
            "4 departments, this one core",
            "Art. 5",
            heldCore(entries: 4, departments: 4)
        ),
    ]

    /// Art. 31, 87号 §7: each unmet security duty denies a new grant; met, not judged or not required, it does not.
    static let security: [RuleCase] = {
        var rows: [RuleCase] = SecurityDuty.allCases.map { duty in
            deny("dr.operator-security", "\(duty.rawValue) unmet", "Art. 31", dr { $0.unmetSecurityDuties = [duty] })
        }
        rows.append(
            permit(
                "dr.operator-security",
                "every duty met",
                fires: false,
                openGrant,
                "Art. 16",
                dr {
                    $0.unmetSecurityDuties = []
                }
            )
        )
        rows.append(
            permit(
                "dr.operator-security",
                "not judged",
                fires: false,
                openGrant,
                "Art. 16",
                dr {
                    $0.unmetSecurityDuties = nil
                }
            )
        )
        var off = permit(
            "dr.operator-security",
            "no duty required",
            fires: false,
            openGrant,
            "Art. 16",
            dr {
                $0.unmetSecurityDuties = SecurityDuty.allCases
            }
        )
        off.policy.parameters.securityDutiesBeforeGrant = []
        rows.append(off)
        var some = deny(
            "dr.operator-security",
            "the one duty required unmet",
            "87号 §7",
            dr {
                $0.unmetSecurityDuties = [.gradedProtectionEvaluation, .riskAssessment]
            }
        )
        some.policy.parameters.securityDutiesBeforeGrant = [.riskAssessment]
        rows.append(some)
        var other = permit(
            "dr.operator-security",
            "only another duty unmet",
            fires: false,
            openGrant,
            "Art. 16",
            dr {
                $0.unmetSecurityDuties = [.securityOfficer]
            }
        )
        other.policy.parameters.securityDutiesBeforeGrant = [.riskAssessment]
        rows.append(other)
        return rows
    }()

    static let downstream: [RuleCase] = [
        deny(
            "ds.operator-redevelops",
            "the operator re-develops its own product",
            "Art. 6",
            ds {
                $0.requester = PolicyFixtures.operatorParty
                $0.requesterRole = .operator
            }
        ),
        permit(
            "ds.operator-redevelops",
            "a business entity re-develops",
            fires: false,
            scenarioGrant,
            "Art. 25",
            ds { _ in }
        ),
        deny("ds.requester-role", "a department asks", "Art. 25", ds { $0.requesterRole = .industryDepartment }),
        permit("ds.requester-role", "a business entity asks", fires: false, scenarioGrant, "Art. 25", ds { _ in }),
        deny("ds.product-not-delivered", "product not delivered", "Art. 25", ds { $0.deliveredProducts = [] }),
        permit("ds.product-not-delivered", "product delivered", fires: false, scenarioGrant, "Art. 25", ds { _ in }),
        deny("ds.conditions-not-met", "conditions not met", "Art. 25", ds { $0.meetsOperatorConditions = false }),
        permit("ds.conditions-not-met", "conditions met", fires: false, scenarioGrant, "Art. 25", ds { _ in }),
        deny("ds.not-assessed", "scenario not assessed", "Art. 20", ds { $0.complianceAssessed = false }),
        permit("ds.not-assessed", "scenario assessed", fires: false, scenarioGrant, "Art. 20", ds { _ in }),
        deny(
            "ds.personal-information",
            "personal information raw",
            "Art. 26",
            ds { $0.involvesPersonalInformation = true }
        ),
        permit(
            "ds.personal-information",
            "personal information with consent",
            fires: false,
            scenarioGrant.union([.useWithinConsent]),
            "Art. 26",
            ds {
                $0.involvesPersonalInformation = true
                $0.dataSubjectConsent = true
            }
        ),
        permit(
            "ds.anonymize",
            "personal information anonymized",
            fires: true,
            scenarioGrant.union([.anonymizePersonalInformation]),
            "Art. 26",
            ds {
                $0.involvesPersonalInformation = true
                $0.anonymized = true
            }
        ),
        denied(
            "ds.anonymize",
            "anonymized but unassessed",
            "Art. 20",
            ds {
                $0.involvesPersonalInformation = true
                $0.anonymized = true
                $0.complianceAssessed = false
            }
        ),
        permit(
            "ds.consent-scope",
            "personal information with consent",
            fires: true,
            scenarioGrant.union([.useWithinConsent]),
            "Art. 26",
            ds {
                $0.involvesPersonalInformation = true
                $0.dataSubjectConsent = true
            }
        ),
        denied(
            "ds.consent-scope",
            "consent but product not delivered",
            "Art. 25",
            ds {
                $0.involvesPersonalInformation = true
                $0.dataSubjectConsent = true
                $0.deliveredProducts = []
            }
        ),
        deny("ds.agreement-not-active", "agreement suspended", "Art. 13", ds { $0.agreementStatus = .suspended }),
        permit("ds.agreement-not-active", "agreement active", fires: false, scenarioGrant, "Art. 20", ds { _ in }),
        deny("ds.outside-term", "after the term", "Art. 6", ds { $0.day = day("2031-02-01") }),
        permit(
            "ds.outside-term",
            "first day of the term",
            fires: false,
            scenarioGrant,
            "Art. 20",
            ds { $0.day = day("2026-01-01") }
        ),
        deny(
            "ds.product-outside-agreement",
            "product not in the agreement",
            "Art. 20",
            ds { $0.agreement.products = ["prd-other"] }
        ),
        permit(
            "ds.product-outside-agreement",
            "agreement lists no products",
            fires: false,
            scenarioGrant,
            "Art. 20",
            ds { $0.agreement.products = [] }
        ),
        deny("ds.operator-mismatch", "another operator", "Art. 20", ds { $0.operatorParty = "op-other" }),
        permit("ds.operator-mismatch", "the agreement's operator", fires: false, scenarioGrant, "Art. 20", ds { _ in }),
        permit("ds.grant", "business entity", fires: true, scenarioGrant, "Art. 20", ds { _ in }),
        denied("ds.grant", "a department asks", "Art. 25", ds { $0.requesterRole = .industryDepartment }),
    ]

    static let release: [RuleCase] = [
        deny("pr.raw-non-open", "raw records of non-open data", "Art. 6", pr { $0.containsRawData = true }),
        permit(
            "pr.raw-non-open",
            "raw records of open data",
            fires: false,
            [.fileProduct],
            "Art. 27",
            pr {
                $0.containsRawData = true
                $0.sources = [PolicyFixtures.entry(openness: .open)]
            }
        ),
        deny("pr.core-grade", "core source", "Art. 5", pr { $0.sources = [PolicyFixtures.entry(grade: .core)] }),
        permit(
            "pr.core-grade",
            "important source",
            fires: false,
            [.fileProduct, .enhancedSecurity],
            "Art. 28",
            pr { $0.sources = [PolicyFixtures.entry(grade: .important)] }
        ),
        deny("pr.operator-redevelops", "operator re-develops", "Art. 6", pr { $0.redevelopsDeliveredProduct = true }),
        permit(
            "pr.operator-redevelops",
            "business entity re-develops",
            fires: false,
            [.fileProduct],
            "Art. 25",
            pr {
                $0.redevelopsDeliveredProduct = true
                $0.publisher = "biz-credit-co"
                $0.publisherRole = .businessEntity
            }
        ),
        deny(
            "pr.personal-information",
            "personal source raw",
            "Art. 26",
            pr { $0.sources = [PolicyFixtures.entry(personalInformation: true)] }
        ),
        permit(
            "pr.personal-information",
            "personal source with consent",
            fires: false,
            [.fileProduct, .useWithinConsent],
            "Art. 26",
            pr {
                $0.sources = [PolicyFixtures.entry(personalInformation: true)]
                $0.dataSubjectConsent = true
            }
        ),
        permit(
            "pr.anonymize",
            "personal source anonymized",
            fires: true,
            [.fileProduct, .anonymizePersonalInformation],
            "Art. 26",
            pr {
                $0.sources = [PolicyFixtures.entry(personalInformation: true)]
                $0.anonymized = true
            }
        ),
        denied(
            "pr.anonymize",
            "anonymized but revoked",
            "Art. 13",
            pr {
                $0.sources = [PolicyFixtures.entry(personalInformation: true)]
                $0.anonymized = true
                $0.agreementStatus = .revoked
            }
        ),
        permit(
            "pr.consent-scope",
            "personal source with consent",
            fires: true,
            [.fileProduct, .useWithinConsent],
            "Art. 26",
            pr {
                $0.sources = [PolicyFixtures.entry(personalInformation: true)]
                $0.dataSubjectConsent = true
            }
        ),
        denied(
            "pr.consent-scope",
            "consent but raw non-open",
            "Art. 6",
            pr {
                $0.sources = [PolicyFixtures.entry(personalInformation: true)]
                $0.dataSubjectConsent = true
                $0.containsRawData = true
            }
        ),
        deny(
            "pr.sources-out-of-scope",
            "source outside the scope",
            "Art. 20",
            pr { $0.sources = [PolicyFixtures.entry(id: "ent-other")] }
        ),
        permit("pr.sources-out-of-scope", "source in scope", fires: false, [.fileProduct], "Art. 27", pr { _ in }),
        deny("pr.agreement-not-active", "agreement revoked", "Art. 13", pr { $0.agreementStatus = .revoked }),
        permit("pr.agreement-not-active", "agreement active", fires: false, [.fileProduct], "Art. 27", pr { _ in }),
        deny("pr.outside-term", "before the term", "Art. 6", pr { $0.day = day("2025-12-31") }),
        permit("pr.outside-term", "inside the term", fires: false, [.fileProduct], "Art. 27", pr { _ in }),
        deny("pr.not-in-product-list", "product not listed", "Art. 13", pr { $0.agreement.products = ["prd-other"] }),
        permit(
            "pr.not-in-product-list",
            "business entity's own product",
            fires: false,
            [.fileProduct],
            "Art. 27",
            pr {
                $0.agreement.products = ["prd-other"]
                $0.publisher = "biz-credit-co"
                $0.publisherRole = .businessEntity
            }
        ),
        deny(
            "pr.publisher-role",
            "a department publishes",
            "Art. 6",
            pr {
                $0.publisher = "dept-market"
                $0.publisherRole = .industryDepartment
            }
        ),
        permit("pr.publisher-role", "the operator publishes", fires: false, [.fileProduct], "Art. 27", pr { _ in }),
        deny("pr.foreign-operator", "another operator publishes", "Art. 20", pr { $0.publisher = "op-other" }),
        permit(
            "pr.foreign-operator",
            "its own operator publishes",
            fires: false,
            [.fileProduct],
            "Art. 27",
            pr { _ in }
        ),
        deny(
            "pr.operator-mismatch",
            "agreement of another operator",
            "Art. 20",
            pr {
                $0.publisher = "op-other"
                $0.operatorParty = "op-other"
            }
        ),
        permit("pr.operator-mismatch", "its own agreement", fires: false, [.fileProduct], "Art. 27", pr { _ in }),
        permit("pr.operator-release", "operator release", fires: true, [.fileProduct], "Art. 27", pr { _ in }),
        denied("pr.operator-release", "operator release outside the term", "Art. 6", pr { $0.day = day("2031-01-01") }),
        permit(
            "pr.business-entity-release",
            "business entity release",
            fires: true,
            [.fileProduct],
            "Art. 25",
            pr {
                $0.publisher = "biz-credit-co"
                $0.publisherRole = .businessEntity
            }
        ),
        denied(
            "pr.business-entity-release",
            "business entity release of core data",
            "Art. 5",
            pr {
                $0.publisher = "biz-credit-co"
                $0.publisherRole = .businessEntity
                $0.sources = [PolicyFixtures.entry(grade: .core)]
            }
        ),
        permit(
            "pr.important-grade",
            "important source",
            fires: true,
            [.fileProduct, .enhancedSecurity],
            "Art. 28",
            pr { $0.sources = [PolicyFixtures.entry(grade: .important)] }
        ),
        denied(
            "pr.important-grade",
            "important and core sources",
            "Art. 5",
            pr {
                $0.sources = [
                    PolicyFixtures.entry(grade: .important), PolicyFixtures.entry(id: "ent-licenses", grade: .core),
                ]
            }
        ),
    ]

    static let eligibility: [RuleCase] = [
        deny("oe.selection-method", "direct award", "Art. 12", oe { $0.method = .directAward }),
        permit("oe.selection-method", "negotiation", fires: false, [], "Art. 12", oe { $0.method = .negotiation }),
        deny("oe.plan-not-approved", "plan not approved", "Art. 11", oe { $0.planApproved = false }),
        permit("oe.plan-not-approved", "plan approved", fires: false, [], "Art. 12", oe { _ in }),
        deny("oe.not-legal-entity", "not a legal entity", "Art. 12", oe { $0.isLegalEntity = false }),
        permit("oe.not-legal-entity", "a legal entity", fires: false, [], "Art. 12", oe { _ in }),
        deny("oe.no-capability", "no capability", "Art. 12", oe { $0.hasOperatingCapability = false }),
        permit("oe.no-capability", "capable", fires: false, [], "Art. 12", oe { _ in }),
        deny("oe.bad-record", "bad record", "Art. 12", oe { $0.hasBadBusinessRecord = true }),
        permit("oe.bad-record", "clean record", fires: false, [], "Art. 12", oe { _ in }),
        deny("oe.poor-credit", "poor credit", "Art. 12", oe { $0.hasGoodCredit = false }),
        permit("oe.poor-credit", "good credit", fires: false, [], "Art. 12", oe { _ in }),
        deny("oe.data-security", "insecure", "Art. 12", oe { $0.meetsDataSecurityRequirements = false }),
        permit("oe.data-security", "secure", fires: false, [], "Art. 12", oe { _ in }),
        permit("oe.eligible", "eligible", fires: true, [], "Art. 12", oe { _ in }),
        denied("oe.eligible", "ineligible", "Art. 12", oe { $0.hasGoodCredit = false }),
    ]

    static let plans: [RuleCase] = {
        var modes = PolicyParameters.beijing
        modes.authorizationModes = [.whole, .byScenario]
        let restricted = Policy(id: "modes", version: "1", parameters: modes, rules: Policy.beijingDefault.rules)
        var notAllowed = deny(
            "pl.mode-not-allowed",
            "by-domain not in use",
            "Art. 10",
            pl {
                $0.plan.authorizationMode = .byDomain
                $0.zoneKind = .domain
            }
        )
        notAllowed.policy = restricted
        var allowed = permit(
            "pl.mode-not-allowed",
            "by-scenario in use",
            fires: false,
            [.municipalApproval],
            "Art. 11",
            pl {
                $0.plan.authorizationMode = .byScenario
                $0.scenarios = ["scn-credit"]
            }
        )
        allowed.policy = restricted
        return [
            deny("pl.incomplete", "no name", "Art. 11", pl { $0.plan.name = nil }),
            permit("pl.incomplete", "complete", fires: false, [.municipalApproval], "Art. 11", pl { _ in }),
            deny("pl.term-cap", "61 months", "27号", pl { $0.plan.termMonths = 61 }),
            permit(
                "pl.term-cap",
                "60 months",
                fires: false,
                [.municipalApproval],
                "Art. 11",
                pl { $0.plan.termMonths = 60 }
            ),
            notAllowed, allowed,
            deny(
                "pl.domain-mode-zone",
                "by domain without a zone",
                "Art. 10",
                pl { $0.plan.authorizationMode = .byDomain }
            ),
            permit(
                "pl.domain-mode-zone",
                "by domain in a domain zone",
                fires: false,
                [.municipalApproval],
                "Art. 11",
                pl {
                    $0.plan.authorizationMode = .byDomain
                    $0.zoneKind = .domain
                }
            ),
            deny(
                "pl.scenario-mode-scenarios",
                "by scenario without scenarios",
                "Art. 10",
                pl { $0.plan.authorizationMode = .byScenario }
            ),
            permit(
                "pl.scenario-mode-scenarios",
                "by scenario with one",
                fires: false,
                [.municipalApproval],
                "Art. 11",
                pl {
                    $0.plan.authorizationMode = .byScenario
                    $0.scenarios = ["scn-credit"]
                }
            ),
            permit("pl.submittable", "complete plan", fires: true, [.municipalApproval], "Art. 11", pl { _ in }),
            denied("pl.submittable", "incomplete plan", "Art. 11", pl { $0.plan.revenueDistribution = " " }),
        ]
    }()

    static let agreements: [RuleCase] = [
        deny("ag.invalid-terms", "ends before it starts", "Art. 13", ag { $0.agreement.end = day("2025-12-01") }),
        permit("ag.invalid-terms", "valid terms", fires: false, [.fileAgreement], "Art. 13", ag { _ in }),
        deny(
            "ag.term-cap",
            "61 months",
            "27号",
            ag {
                $0.agreement.end = day("2031-01-31")
                $0.plan.termMonths = 72
            }
        ),
        permit("ag.term-cap", "60 months", fires: false, [.fileAgreement], "Art. 13", ag { _ in }),
        deny("ag.term-beyond-plan", "longer than the plan", "Art. 11", ag { $0.plan.termMonths = 48 }),
        permit("ag.term-beyond-plan", "as long as the plan", fires: false, [.fileAgreement], "Art. 13", ag { _ in }),
        deny(
            "ag.scope-beyond-plan",
            "entry not in the plan",
            "Art. 11",
            ag { $0.agreement.scope.append(ScopeItem(entry: "ent-other")) }
        ),
        permit("ag.scope-beyond-plan", "scope within the plan", fires: false, [.fileAgreement], "Art. 13", ag { _ in }),
        deny("ag.plan-mismatch", "another plan", "Art. 13", ag { $0.agreement.plan = "plan-other" }),
        permit("ag.plan-mismatch", "this plan", fires: false, [.fileAgreement], "Art. 13", ag { _ in }),
        deny("ag.plan-not-approved", "plan not approved", "Art. 11", ag { $0.planApproved = false }),
        permit("ag.plan-not-approved", "plan approved", fires: false, [.fileAgreement], "Art. 13", ag { _ in }),
        deny(
            "ag.no-collective-decision",
            "no 三重一大 decision",
            "Art. 13",
            ag { $0.collectiveDecisionRecorded = false }
        ),
        permit(
            "ag.no-collective-decision",
            "decision recorded",
            fires: false,
            [.fileAgreement],
            "Art. 13",
            ag { _ in }
        ),
        deny(
            "ag.operator-not-selected",
            "not the selected operator",
            "Art. 12",
            ag { $0.selectedOperator = "op-other" }
        ),
        permit(
            "ag.operator-not-selected",
            "the selected operator",
            fires: false,
            [.fileAgreement],
            "Art. 13",
            ag { _ in }
        ),
        permit("ag.sign", "valid agreement", fires: true, [.fileAgreement], "Art. 13", ag { _ in }),
        denied("ag.sign", "no selection", "Art. 12", ag { $0.selectedOperator = nil }),
    ]

    static let pricing: [RuleCase] = [
        deny(
            "pe.charge-free-purpose",
            "charge for public welfare",
            "Art. 22",
            pe(.publicWelfare, charge: true, cap: true)
        ),
        permit(
            "pe.charge-free-purpose",
            "free for public welfare",
            fires: false,
            [.freeOfCharge],
            "Art. 22",
            pe(.publicWelfare, charge: false, cap: false)
        ),
        deny("pe.no-price-cap", "charge without a cap", "65号", pe(.industryDevelopment, charge: true, cap: false)),
        permit(
            "pe.no-price-cap",
            "charge with a cap",
            fires: false,
            [.guidedPrice, .publishFees],
            "65号",
            pe(.industryDevelopment, charge: true, cap: true)
        ),
        permit(
            "pe.free-public",
            "public governance free",
            fires: true,
            [.freeOfCharge],
            "Art. 22",
            pe(.publicGovernance, charge: false, cap: false)
        ),
        denied(
            "pe.free-public",
            "public governance charged",
            "Art. 22",
            pe(.publicGovernance, charge: true, cap: false)
        ),
        permit(
            "pe.no-charge",
            "sector use free",
            fires: true,
            [],
            "Art. 22",
            pe(.sectorDevelopment, charge: false, cap: false)
        ),
        denied(
            "pe.no-charge",
            "sector use charged without cap",
            "65号",
            pe(.sectorDevelopment, charge: true, cap: false)
        ),
        permit(
            "pe.guided-price",
            "industry use charged",
            fires: true,
            [.guidedPrice, .publishFees],
            "65号",
            pe(.industryDevelopment, charge: true, cap: true)
        ),
        denied("pe.guided-price", "welfare use charged", "Art. 22", pe(.publicWelfare, charge: true, cap: true)),
    ]

    static let conduct: [RuleCase] = [
        deny(
            "cd.third-party-paid-product",
            "paid product via a third party",
            "Art. 6",
            cd {
                $0.actorRole = .industryDepartment
                $0.paidProductThroughThirdParty = true
            }
        ),
        permit(
            "cd.third-party-paid-product",
            "paid product via authorized operation",
            fires: false,
            [],
            "Art. 6",
            cd {
                $0.actorRole = .industryDepartment
                $0.paidProductThroughThirdParty = true
                $0.throughAuthorizedOperation = true
            }
        ),
        deny("cd.restricts-competition", "restricts competition", "Art. 6", cd { $0.restrictsCompetition = true }),
        permit("cd.restricts-competition", "fair competition", fires: false, [], "Art. 6", cd { _ in }),
        deny("cd.monopoly", "monopolistic conduct", "Art. 6", cd { $0.monopolisticConduct = true }),
        permit("cd.monopoly", "no monopoly", fires: false, [], "Art. 6", cd { _ in }),
        deny("cd.raw-non-open", "raw data to market", "Art. 6", cd { $0.rawNonOpenDataToMarket = true }),
        permit("cd.raw-non-open", "products only", fires: false, [], "Art. 6", cd { _ in }),
        deny(
            "cd.redevelops-delivered",
            "re-develops delivered products",
            "Art. 6",
            cd { $0.redevelopsDeliveredProduct = true }
        ),
        permit("cd.redevelops-delivered", "new products", fires: false, [], "Art. 6", cd { _ in }),
        deny("cd.beyond-scope", "beyond scope", "Art. 20", cd { $0.beyondAuthorizedScope = true }),
        permit("cd.beyond-scope", "within scope", fires: false, [], "Art. 6", cd { _ in }),
        deny("cd.after-agreement-ended", "after the agreement", "Art. 6", cd { $0.afterAgreementEnded = true }),
        permit("cd.after-agreement-ended", "during the agreement", fires: false, [], "Art. 6", cd { _ in }),
        permit("cd.lawful", "lawful conduct", fires: true, [], "Art. 6", cd { _ in }),
        denied("cd.lawful", "monopoly", "Art. 6", cd { $0.monopolisticConduct = true }),
    ]

    static let all: [RuleCase] =
        dataRequest + aggregation + security + downstream + release + eligibility + plans + agreements + pricing
        + conduct
}

struct RuleMatrixTests {
    @Test(arguments: RuleMatrix.all)
    func ruleCase(_ row: RuleCase) throws {
        let decision = row.policy.evaluate(row.request, at: PolicyFixtures.time)
        #expect(decision.effect == row.effect, "\(decision)")
        #expect(decision.firedRules.contains(row.rule) == row.fires, "\(decision.firedRules)")
        if row.effect == .deny && row.fires {
            #expect(decision.firedRules == [row.rule], "the mutation should trip only \(row.rule)")
        }
        #expect(Set(decision.obligationKinds) == row.obligations, "\(decision.obligations)")
        #expect(decision.citedArticles.contains(row.article), "\(decision.citedArticles)")
        #expect(decision.evaluatedAt == PolicyFixtures.time)
        #expect(decision.policyID == row.policy.id)
    }

    @Test func everyDefaultRuleHasAPermitAndADenyRow() {
        let rows = RuleMatrix.all
        for rule in Policy.beijingDefault.rules {
            let mine = rows.filter { $0.rule == rule.id }
            #expect(mine.contains { $0.effect == .permit }, "\(rule.id) has no permit row")
            #expect(mine.contains { $0.effect == .deny }, "\(rule.id) has no deny row")
        }
        let known = Set(Policy.beijingDefault.rules.map(\.id))
        for row in rows { #expect(known.contains(row.rule), "row for unknown rule \(row.rule)") }
    }
}
