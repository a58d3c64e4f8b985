import Foundation

extension Policy {
    /// The id of the Beijing default policy.
    public static let beijingDefaultID = "beijing-default"

    /// The Beijing default policy: the Beijing Measures (cited "Art. N"), 87号 §6 (minimal authorization),
    /// 27号 (term cap) and 65号 (pricing), with ``PolicyParameters/beijing``.
    ///
    /// This Swift value is the one source of truth. The bundled resource `beijing-default.policy.json`
    /// (see ``bundledBeijingDefault()``) is generated from it (run the tests with
    /// `PUBLICDATA_REGENERATE_POLICY=1`), and a test fails when the file's bytes differ from what this value
    /// writes.
    public static var beijingDefault: Policy { BeijingDefault.policy }

    /// Loads the bundled JSON copy of the Beijing default policy.
    /// - Returns: The policy, equal to ``beijingDefault``.
    /// - Throws: ``PolicyLoadError`` if the resource is missing or invalid.
    public static func bundledBeijingDefault() throws(PolicyLoadError) -> Policy {
        guard let url = Bundle.module.url(forResource: "beijing-default.policy", withExtension: "json") else {
            throw PolicyLoadError(
                code: .unreadable,
                issues: [ValidationIssue(path: "$", message: "the bundled beijing-default.policy.json is missing")]
            )
        }
        return try load(contentsOf: url)
    }
}

private func ob(_ kind: ObligationKind, _ article: String, _ detail: String? = nil) -> Obligation {
    Obligation(kind: kind, detail: detail, article: article)
}

private let minimalFields = ob(
    .minimalFields,
    "87号 §6",
    "use only the authorized fields, for the stated scenario and purpose"
)
private let anonymize = ob(.anonymizePersonalInformation, "Art. 26", "anonymize personal information before use")
private let aggregationReview = ob(
    .enhancedSecurity,
    "Art. 30",
    "assess and control the risk of the combined holdings (关联汇聚) before use"
)
private let withinConsent = ob(.useWithinConsent, "Art. 26", "use personal information only within the consent given")

enum BeijingDefault {
    static let policy = Policy(
        id: Policy.beijingDefaultID,
        version: "2026.1",
        title: "Beijing Measures for the Authorized Operation of Public Data Resources — default policy",
        parameters: .beijing
    ) {
        dataRequestRules
        downstreamScenarioRules
        productReleaseRules
        operatorEligibilityRules
        planRules
        agreementRules
        pricingRules
        conductRules
    }

    static let activeStatus: Operand = ["active"]
    static let notYetInForce: Operand = ["drafted", "decided", "signed", "filed"]
    static let ended: Operand = ["terminated", "expired", "revoked"]

    static func personalInformationRules(_ prefix: String, at point: DecisionPoint) -> [Rule] {
        [
            Rule(
                deny: "\(prefix).personal-information",
                at: point,
                articles: ["Art. 26"],
                message: "personal information must be anonymized or used with the data subjects' consent"
            ) {
                Condition.equals("request.touchesPersonalInformation", true)
                Condition.equals("request.anonymized", false)
                Condition.equals("request.dataSubjectConsent", false)
            },
            Rule(
                obligation: "\(prefix).anonymize",
                at: point,
                articles: ["Art. 26"],
                message: "personal information is used anonymized",
                obligations: [anonymize]
            ) {
                Condition.equals("request.touchesPersonalInformation", true)
                Condition.equals("request.anonymized", true)
            },
            Rule(
                obligation: "\(prefix).consent-scope",
                at: point,
                articles: ["Art. 26"],
                message: "personal information is used on the data subjects' consent",
                obligations: [withinConsent]
            ) {
                Condition.equals("request.touchesPersonalInformation", true)
                Condition.equals("request.anonymized", false)
                Condition.equals("request.dataSubjectConsent", true)
            },
        ]
    }

    @RuleBuilder static var dataRequestRules: [Rule] {
        Rule(
            deny: "dr.core-grade",
            at: .dataRequest,
            articles: ["Art. 5", "Art. 16"],
            message: "data of this grade (core data) is never authorized"
        ) {
            Condition.in("entry.grade", .parameter("neverAuthorizableGrades"))
        }
        Rule(
            deny: "dr.not-shared",
            at: .dataRequest,
            articles: ["Art. 16"],
            message: "the entry is not shared (不予共享) and not open, so it is not supplied"
        ) {
            Condition.equals("entry.sharing", "not_shared")
            Condition.notEquals("entry.openness", "open")
        }
        Rule(
            deny: "dr.conditional-delivery",
            at: .dataRequest,
            articles: ["Art. 16"],
            message: "conditional-share data is supplied only by privacy computing"
        ) {
            Condition.in("entry.sharing", .parameter("coReviewSharing"))
            Condition.notEquals("entry.openness", "open")
            Condition.notIn("request.delivery", .parameter("conditionalDelivery"))
        }
        Rule(
            deny: "dr.raw-download-not-open",
            at: .dataRequest,
            articles: ["Art. 6", "Art. 28"],
            message: "raw data that is not lawfully open may not be downloaded"
        ) {
            Condition.equals("request.delivery", "open_data_download")
            Condition.notEquals("entry.openness", "open")
        }
        personalInformationRules("dr", at: .dataRequest)
        Rule(
            deny: "dr.provider-consent",
            at: .dataRequest,
            articles: ["Art. 19"],
            message: "data from a national ministry or another region needs its provider's consent"
        ) {
            Condition.in("entry.source", .parameter("consentRequiredSources"))
            Condition.equals("request.providerConsent", false)
        }
        Rule(
            deny: "dr.fields-beyond-need",
            at: .dataRequest,
            articles: ["87号 §6"],
            message: "minimal authorization: a requested field is not needed by the scenario"
        ) {
            Condition.equals("request.fieldsBeyondNeed", true)
        }
        Rule(
            deny: "dr.unknown-fields",
            at: .dataRequest,
            articles: ["Art. 16"],
            message: "a requested field is not in the catalog entry"
        ) {
            Condition.equals("request.unknownFields", true)
        }
        Rule(
            deny: "dr.entry-out-of-scope",
            at: .dataRequest,
            articles: ["Art. 6", "Art. 20"],
            message: "the entry is outside the agreement's data scope"
        ) {
            Condition.equals("agreement.entryInScope", false)
        }
        Rule(
            deny: "dr.fields-out-of-scope",
            at: .dataRequest,
            articles: ["Art. 20"],
            message: "a requested field is outside the agreement's scope for the entry"
        ) {
            Condition.equals("agreement.entryInScope", true)
            Condition.equals("agreement.fieldsInScope", false)
        }
        Rule(
            deny: "dr.outside-term",
            at: .dataRequest,
            articles: ["Art. 6", "Art. 13", "Art. 20"],
            message: "the day is outside the agreement's term"
        ) {
            Condition.equals("agreement.coversDay", false)
        }
        Rule(
            deny: "dr.operator-mismatch",
            at: .dataRequest,
            articles: ["Art. 13", "Art. 20"],
            message: "the requesting operator is not the agreement's operator"
        ) {
            Condition.equals("agreement.operatorMatches", false)
        }
        Rule(
            deny: "dr.agreement-not-in-force",
            at: .dataRequest,
            articles: ["Art. 13"],
            message: "the agreement is not yet in force"
        ) {
            Condition.in("agreement.status", notYetInForce)
        }
        Rule(
            deny: "dr.agreement-suspended",
            at: .dataRequest,
            articles: ["Art. 30"],
            message: "the agreement is suspended"
        ) {
            Condition.equals("agreement.status", "suspended")
        }
        Rule(
            deny: "dr.agreement-ended",
            at: .dataRequest,
            articles: ["Art. 6", "Art. 33"],
            message: "the agreement has ended (terminated, expired or revoked)"
        ) {
            Condition.in("agreement.status", ended)
        }
        Rule(
            deny: "dr.agreement-abandoned",
            at: .dataRequest,
            articles: ["Art. 13"],
            message: "the agreement was abandoned before it came into force"
        ) {
            Condition.equals("agreement.status", "abandoned")
        }
        Rule(
            permit: "dr.grant-open",
            at: .dataRequest,
            articles: ["Art. 16"],
            message: "unconditional-share or open data: the implementing agency evaluates and may grant",
            obligations: [minimalFields]
        ) {
            Condition.any {
                Condition.equals("entry.sharing", "unconditional")
                Condition.equals("entry.openness", "open")
            }
        }
        Rule(
            permit: "dr.grant-conditional",
            at: .dataRequest,
            articles: ["Art. 16"],
            message:
                "conditional-share data: granted after co-review with the industry department, by privacy computing",
            obligations: [
                ob(
                    .industryCoReview,
                    "Art. 16",
                    "the implementing agency and the industry department review the scenario"
                ),
                ob(.privacyComputingOnly, "Art. 16", "deliver by privacy computing"),
                minimalFields,
            ]
        ) {
            Condition.in("entry.sharing", .parameter("coReviewSharing"))
            Condition.notEquals("entry.openness", "open")
        }
        Rule(
            obligation: "dr.important-grade",
            at: .dataRequest,
            articles: ["Art. 28"],
            message: "important data: raw data does not leave the domain",
            obligations: [
                ob(.privacyComputingOnly, "Art. 28", "important data is usable but invisible"),
                ob(.enhancedSecurity, "Art. 28", "apply the protection required for important data"),
            ]
        ) {
            Condition.in("entry.grade", .parameter("stricterObligationGrades"))
        }
        Rule(
            deny: "dr.aggregate-personal-information",
            at: .dataRequest,
            articles: ["Art. 30"],
            message: "this request's personal information would take the operator's holdings beyond the total the "
                + "policy allows (关联汇聚)"
        ) {
            Condition.equals("request.touchesPersonalInformation", true)
            Condition.greaterThan(
                "holdings.personalInformationFields",
                .parameter("aggregationMaxPersonalInformationFields")
            )
        }
        Rule(
            deny: "dr.aggregate-important",
            at: .dataRequest,
            articles: ["Art. 30", "Art. 28"],
            message: "this important entry would take the operator's holdings beyond the total the policy allows "
                + "(关联汇聚)"
        ) {
            Condition.notEquals("entry.grade", "general")
            Condition.greaterThan("holdings.importantEntries", .parameter("aggregationMaxImportantEntries"))
        }
        Rule(
            obligation: "dr.aggregate-entries",
            at: .dataRequest,
            articles: ["Art. 30"],
            message: "the operator's holdings reach the aggregation-review size",
            obligations: [aggregationReview]
        ) {
            Condition.atLeast("holdings.entries", .parameter("aggregationReviewEntries"))
        }
        Rule(
            obligation: "dr.aggregate-departments",
            at: .dataRequest,
            articles: ["Art. 30"],
            message: "the operator's holdings combine data of many departments",
            obligations: [aggregationReview]
        ) {
            Condition.atLeast("holdings.departments", .parameter("aggregationReviewDepartments"))
        }
        Rule(
            deny: "dr.operator-security",
            at: .dataRequest,
            articles: ["Art. 31", "87号 §7"],
            message: "the operator lacks a valid security record (等保 filing, graded-protection evaluation, data "
                + "security risk assessment) or a named security officer that new grants require"
        ) {
            Condition.intersects("operator.unmetSecurityDuties", .parameter("securityDutiesBeforeGrant"))
        }
    }

    @RuleBuilder static var downstreamScenarioRules: [Rule] {
        Rule(
            deny: "ds.operator-redevelops",
            at: .downstreamScenario,
            articles: ["Art. 6"],
            message: "an operator may not re-develop products it already delivered"
        ) {
            Condition.equals("requester.isOperator", true)
        }
        Rule(
            deny: "ds.requester-role",
            at: .downstreamScenario,
            articles: ["Art. 25"],
            message: "only a business entity re-develops operator-delivered products"
        ) {
            Condition.notIn("requester.role", ["business_entity", "operator"])
        }
        Rule(
            deny: "ds.product-not-delivered",
            at: .downstreamScenario,
            articles: ["Art. 25"],
            message: "the product was not delivered by the operator"
        ) {
            Condition.equals("product.delivered", false)
        }
        Rule(
            deny: "ds.conditions-not-met",
            at: .downstreamScenario,
            articles: ["Art. 25"],
            message: "the business entity does not meet the operator's conditions"
        ) {
            Condition.equals("request.meetsOperatorConditions", false)
        }
        Rule(
            deny: "ds.not-assessed",
            at: .downstreamScenario,
            articles: ["Art. 20"],
            message: "the operator has not assessed the scenario's compliance"
        ) {
            Condition.equals("request.complianceAssessed", false)
        }
        personalInformationRules("ds", at: .downstreamScenario)
        Rule(
            deny: "ds.agreement-not-active",
            at: .downstreamScenario,
            articles: ["Art. 6", "Art. 13"],
            message: "the operator's agreement is not active"
        ) {
            Condition.notIn("agreement.status", activeStatus)
        }
        Rule(
            deny: "ds.outside-term",
            at: .downstreamScenario,
            articles: ["Art. 6"],
            message: "the day is outside the operator's agreement term"
        ) {
            Condition.equals("agreement.coversDay", false)
        }
        Rule(
            deny: "ds.product-outside-agreement",
            at: .downstreamScenario,
            articles: ["Art. 20"],
            message: "the product is not in the agreement's product list"
        ) {
            Condition.equals("product.inAgreement", false)
        }
        Rule(
            deny: "ds.operator-mismatch",
            at: .downstreamScenario,
            articles: ["Art. 20"],
            message: "the delivering operator is not the agreement's operator"
        ) {
            Condition.equals("agreement.operatorMatches", false)
        }
        Rule(
            permit: "ds.grant",
            at: .downstreamScenario,
            articles: ["Art. 20", "Art. 25"],
            message: "a business entity may re-develop a delivered product for an assessed scenario",
            obligations: [
                ob(.fileScenario, "Art. 20", "the operator files the scenario with the implementing agency"),
                ob(.fileProduct, "Art. 27", "the business entity files what it publishes with the operator"),
            ]
        ) {
            Condition.equals("requester.role", "business_entity")
        }
    }

    @RuleBuilder static var productReleaseRules: [Rule] {
        Rule(
            deny: "pr.raw-non-open",
            at: .productRelease,
            articles: ["Art. 6", "Art. 20"],
            message: "raw public data that is not lawfully open is never a product"
        ) {
            Condition.equals("product.rawNonOpenData", true)
        }
        Rule(
            deny: "pr.core-grade",
            at: .productRelease,
            articles: ["Art. 5", "Art. 20"],
            message: "a product may not be derived from data of a never-authorizable grade (core data)"
        ) {
            Condition.intersects("sources.grades", .parameter("neverAuthorizableGrades"))
        }
        Rule(
            deny: "pr.operator-redevelops",
            at: .productRelease,
            articles: ["Art. 6"],
            message: "an operator may not re-develop products already delivered in its scope"
        ) {
            Condition.equals("publisher.role", "operator")
            Condition.equals("product.redevelopsDeliveredProduct", true)
        }
        personalInformationRules("pr", at: .productRelease)
        Rule(
            deny: "pr.sources-out-of-scope",
            at: .productRelease,
            articles: ["Art. 20"],
            message: "a source entry is outside the agreement's data scope"
        ) {
            Condition.equals("sources.outsideScope", true)
        }
        Rule(
            deny: "pr.agreement-not-active",
            at: .productRelease,
            articles: ["Art. 6", "Art. 13"],
            message: "the operator's agreement is not active"
        ) {
            Condition.notIn("agreement.status", activeStatus)
        }
        Rule(
            deny: "pr.outside-term",
            at: .productRelease,
            articles: ["Art. 6"],
            message: "the day is outside the agreement's term"
        ) {
            Condition.equals("agreement.coversDay", false)
        }
        Rule(
            deny: "pr.not-in-product-list",
            at: .productRelease,
            articles: ["Art. 13"],
            message: "the operator's agreement does not list this product"
        ) {
            Condition.equals("publisher.isOperator", true)
            Condition.equals("agreement.listsProduct", false)
        }
        Rule(
            deny: "pr.publisher-role",
            at: .productRelease,
            articles: ["Art. 6"],
            message: "only operators and business entities release products; departments may not offer paid products "
                + "outside authorized operation"
        ) {
            Condition.notIn("publisher.role", ["operator", "business_entity"])
        }
        Rule(
            deny: "pr.foreign-operator",
            at: .productRelease,
            articles: ["Art. 20"],
            message: "an operator releases products only under its own agreement"
        ) {
            Condition.equals("publisher.role", "operator")
            Condition.equals("publisher.isOperator", false)
        }
        Rule(
            deny: "pr.operator-mismatch",
            at: .productRelease,
            articles: ["Art. 20"],
            message: "the request's operator is not the agreement's operator"
        ) {
            Condition.equals("agreement.operatorMatches", false)
        }
        Rule(
            permit: "pr.operator-release",
            at: .productRelease,
            articles: ["Art. 20", "Art. 27"],
            message: "the operator releases a product developed within its scope",
            obligations: [ob(.fileProduct, "Art. 27", "file the product with the implementing agency")]
        ) {
            Condition.equals("publisher.isOperator", true)
        }
        Rule(
            permit: "pr.business-entity-release",
            at: .productRelease,
            articles: ["Art. 25", "Art. 27"],
            message: "a business entity releases a product re-developed from delivered products",
            obligations: [ob(.fileProduct, "Art. 27", "file the released product with the operator")]
        ) {
            Condition.equals("publisher.role", "business_entity")
        }
        Rule(
            obligation: "pr.important-grade",
            at: .productRelease,
            articles: ["Art. 28"],
            message: "the product derives from important data",
            obligations: [ob(.enhancedSecurity, "Art. 28", "apply the protection required for important data")]
        ) {
            Condition.intersects("sources.grades", .parameter("stricterObligationGrades"))
        }
    }

    @RuleBuilder static var operatorEligibilityRules: [Rule] {
        Rule(
            deny: "oe.selection-method",
            at: .operatorEligibility,
            articles: ["Art. 12"],
            message: "operators are chosen by open tender, invited tender or negotiation"
        ) {
            Condition.notIn("selection.method", .parameter("selectionMethods"))
        }
        Rule(
            deny: "oe.plan-not-approved",
            at: .operatorEligibility,
            articles: ["Art. 11", "Art. 12"],
            message: "selection follows an implementation plan approved by the municipal government"
        ) {
            Condition.equals("plan.approved", false)
        }
        Rule(
            deny: "oe.not-legal-entity",
            at: .operatorEligibility,
            articles: ["Art. 3", "Art. 12"],
            message: "an operator is a legal entity (法人组织)"
        ) {
            Condition.equals("candidate.isLegalEntity", false)
        }
        Rule(
            deny: "oe.no-capability",
            at: .operatorEligibility,
            articles: ["Art. 12"],
            message: "the candidate lacks data governance, processing and operation capability"
        ) {
            Condition.equals("candidate.hasOperatingCapability", false)
        }
        Rule(
            deny: "oe.bad-record",
            at: .operatorEligibility,
            articles: ["Art. 12"],
            message: "the candidate has a bad business record"
        ) {
            Condition.equals("candidate.hasBadBusinessRecord", true)
        }
        Rule(
            deny: "oe.poor-credit",
            at: .operatorEligibility,
            articles: ["Art. 12"],
            message: "the candidate's credit is not good"
        ) {
            Condition.equals("candidate.hasGoodCredit", false)
        }
        Rule(
            deny: "oe.data-security",
            at: .operatorEligibility,
            articles: ["Art. 12"],
            message: "the candidate does not meet the national data-security requirements"
        ) {
            Condition.equals("candidate.meetsDataSecurityRequirements", false)
        }
        Rule(
            permit: "oe.eligible",
            at: .operatorEligibility,
            articles: ["Art. 12"],
            message: "the candidate meets the Art. 12 conditions"
        )
    }

    @RuleBuilder static var planRules: [Rule] {
        Rule(
            deny: "pl.incomplete",
            at: .plan,
            articles: ["Art. 11"],
            message: "the plan misses or has invalid Art. 11 elements"
        ) {
            Condition.greaterThan("plan.issueCount", 0)
        }
        Rule(
            deny: "pl.term-cap",
            at: .plan,
            articles: ["Art. 11", "实施规范", "27号"],
            message: "the plan's term exceeds the authorization term cap"
        ) {
            Condition.greaterThan("plan.termMonths", .parameter("termCapYears", times: 12))
        }
        Rule(
            deny: "pl.mode-not-allowed",
            at: .plan,
            articles: ["Art. 10"],
            message: "the authorization mode is not one in use"
        ) {
            Condition.notIn("plan.mode", .parameter("authorizationModes"))
        }
        Rule(
            deny: "pl.domain-mode-zone",
            at: .plan,
            articles: ["Art. 10"],
            message: "authorization by domain needs a domain zone"
        ) {
            Condition.equals("plan.mode", "by_domain")
            Condition.not(.equals("plan.zoneKind", "domain"))
        }
        Rule(
            deny: "pl.scenario-mode-scenarios",
            at: .plan,
            articles: ["Art. 10"],
            message: "authorization by scenario names at least one scenario"
        ) {
            Condition.equals("plan.mode", "by_scenario")
            Condition.equals("plan.scenarioCount", 0)
        }
        Rule(
            permit: "pl.submittable",
            at: .plan,
            articles: ["Art. 11"],
            message: "the plan is complete and may be submitted",
            obligations: [ob(.municipalApproval, "Art. 11", "the municipal government approves the plan")]
        )
    }

    @RuleBuilder static var agreementRules: [Rule] {
        Rule(
            deny: "ag.invalid-terms",
            at: .agreement,
            articles: ["Art. 13"],
            message: "the agreement's terms are incomplete or inconsistent"
        ) {
            Condition.greaterThan("agreement.issueCount", 0)
        }
        Rule(
            deny: "ag.term-cap",
            at: .agreement,
            articles: ["Art. 13", "实施规范", "27号"],
            message: "the agreement's term exceeds the authorization term cap"
        ) {
            Condition.greaterThan("agreement.termMonths", .parameter("termCapYears", times: 12))
        }
        Rule(
            deny: "ag.term-beyond-plan",
            at: .agreement,
            articles: ["Art. 11", "Art. 13"],
            message: "the agreement's term exceeds the plan's term"
        ) {
            Condition.equals("agreement.termWithinPlan", false)
        }
        Rule(
            deny: "ag.scope-beyond-plan",
            at: .agreement,
            articles: ["Art. 11", "Art. 13"],
            message: "the agreement's scope goes beyond the plan's data scope"
        ) {
            Condition.equals("agreement.scopeWithinPlan", false)
        }
        Rule(
            deny: "ag.plan-mismatch",
            at: .agreement,
            articles: ["Art. 13"],
            message: "the agreement does not execute this plan"
        ) {
            Condition.equals("agreement.planMatches", false)
        }
        Rule(
            deny: "ag.plan-not-approved",
            at: .agreement,
            articles: ["Art. 11"],
            message: "the plan is not approved by the municipal government"
        ) {
            Condition.equals("plan.approved", false)
        }
        Rule(
            deny: "ag.no-collective-decision",
            at: .agreement,
            articles: ["Art. 13"],
            message: "the collective decision (三重一大) is not recorded"
        ) {
            Condition.equals("agreement.collectiveDecisionRecorded", false)
        }
        Rule(
            deny: "ag.operator-not-selected",
            at: .agreement,
            articles: ["Art. 12"],
            message: "the agreement's operator was not chosen by the competitive selection"
        ) {
            Condition.equals("agreement.operatorSelected", false)
        }
        Rule(
            permit: "ag.sign",
            at: .agreement,
            articles: ["Art. 13"],
            message: "the agreement may be signed",
            obligations: [
                ob(
                    .fileAgreement,
                    "Art. 13",
                    "file with the data administration within agreementFilingWorkingDays working days of signing"
                )
            ]
        )
    }

    @RuleBuilder static var pricingRules: [Rule] {
        Rule(
            deny: "pe.charge-free-purpose",
            at: .pricing,
            articles: ["Art. 22", "65号"],
            message: "use for public governance or public welfare is free with conditions"
        ) {
            Condition.in("request.purpose", .parameter("freePurposes"))
            Condition.equals("request.chargeRequested", true)
        }
        Rule(
            deny: "pe.no-price-cap",
            at: .pricing,
            articles: ["Art. 22", "65号"],
            message: "a charge needs an approved government-guided price cap"
        ) {
            Condition.notIn("request.purpose", .parameter("freePurposes"))
            Condition.equals("request.chargeRequested", true)
            Condition.equals("request.priceCapApproved", false)
        }
        Rule(
            permit: "pe.free-public",
            at: .pricing,
            articles: ["Art. 22"],
            message: "public governance or welfare use: free with conditions",
            obligations: [ob(.freeOfCharge, "Art. 22", "有条件无偿使用: free use under the stated conditions")]
        ) {
            Condition.in("request.purpose", .parameter("freePurposes"))
            Condition.equals("request.chargeRequested", false)
        }
        Rule(
            permit: "pe.no-charge",
            at: .pricing,
            articles: ["Art. 22"],
            message: "industry or sector use without a charge"
        ) {
            Condition.notIn("request.purpose", .parameter("freePurposes"))
            Condition.equals("request.chargeRequested", false)
        }
        Rule(
            permit: "pe.guided-price",
            at: .pricing,
            articles: ["Art. 22", "65号"],
            message: "industry or sector use: charged at a government-guided price",
            obligations: [
                ob(.guidedPrice, "65号", "charge at or below the approved cap; a trial fee before a full year"),
                ob(.publishFees, "65号", "publish the fees"),
            ]
        ) {
            Condition.notIn("request.purpose", .parameter("freePurposes"))
            Condition.equals("request.chargeRequested", true)
        }
    }

    @RuleBuilder static var conductRules: [Rule] {
        Rule(
            deny: "cd.third-party-paid-product",
            at: .conduct,
            articles: ["Art. 6"],
            message: "departments may not have third parties develop paid products outside authorized operation"
        ) {
            Condition.equals("conduct.paidProductThroughThirdParty", true)
            Condition.equals("conduct.throughAuthorizedOperation", false)
        }
        Rule(
            deny: "cd.restricts-competition",
            at: .conduct,
            articles: ["Art. 6"],
            message: "abuse of administrative power or market dominance to restrict competition"
        ) {
            Condition.equals("conduct.restrictsCompetition", true)
        }
        Rule(
            deny: "cd.monopoly",
            at: .conduct,
            articles: ["Art. 6"],
            message: "monopolistic conduct using data, algorithm, technical or capital advantages"
        ) {
            Condition.equals("conduct.monopolisticConduct", true)
        }
        Rule(
            deny: "cd.raw-non-open",
            at: .conduct,
            articles: ["Art. 6"],
            message: "raw public data that is not lawfully open may not enter the market"
        ) {
            Condition.equals("conduct.rawNonOpenDataToMarket", true)
        }
        Rule(
            deny: "cd.redevelops-delivered",
            at: .conduct,
            articles: ["Art. 6"],
            message: "an operator may not re-develop products already delivered in its scope"
        ) {
            Condition.equals("conduct.redevelopsDeliveredProduct", true)
        }
        Rule(
            deny: "cd.beyond-scope",
            at: .conduct,
            articles: ["Art. 6", "Art. 20"],
            message: "an operator may not act beyond its authorized scope"
        ) {
            Condition.equals("conduct.beyondAuthorizedScope", true)
        }
        Rule(
            deny: "cd.after-agreement-ended",
            at: .conduct,
            articles: ["Art. 6"],
            message: "an operator may not act after its agreement ended"
        ) {
            Condition.equals("conduct.afterAgreementEnded", true)
        }
        Rule(
            permit: "cd.lawful",
            at: .conduct,
            articles: ["Art. 6"],
            message: "no Art. 6 prohibition applies"
        )
    }
}
