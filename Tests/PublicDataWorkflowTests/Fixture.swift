import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// The parties of the test world, one per role (the "right" party for every process instance).
enum Parties {
    static let government: PartyID = "bj-government"
    static let administration: PartyID = "bj-data-administration"
    static let center: PartyID = "bj-big-data-center"
    static let department: PartyID = "dept-finance"
    static let priceDepartment: PartyID = "bj-price"
    static let financeDepartment: PartyID = "bj-finance"
    static let agency: PartyID = "agency-finance"
    static let operatorParty: PartyID = "op-1"
    static let otherOperator: PartyID = "op-2"
    static let business: PartyID = "biz-1"
    static let provider: PartyID = "provider-1"
    static let subject: PartyID = "subject-1"
    static let auditor: PartyID = "auditor-1"

    static func party(for role: Role) -> PartyID {
        switch role {
        case .municipalGovernment: government
        case .dataAdministration: administration
        case .bigDataCenter: center
        case .industryDepartment: department
        case .priceDepartment: priceDepartment
        case .financeDepartment: financeDepartment
        case .implementingAgency: agency
        case .operator: operatorParty
        case .businessEntity: business
        case .dataProvider: provider
        case .dataSubject: subject
        case .auditor: auditor
        }
    }

    static func actor(_ role: Role) -> Principal {
        Principal(party: party(for: role), role: role, person: "\(role.rawValue).clerk")
    }

    static let directory = AuthorityDirectory([
        .municipalGovernment: government, .dataAdministration: administration, .bigDataCenter: center,
        .priceDepartment: priceDepartment, .financeDepartment: financeDepartment,
    ])
}

/// The objects of the test world.
enum Samples {
    static let openEntry = CatalogEntry(
        id: "ent-open",
        name: "Enterprise registrations",
        owningDepartment: Parties.department,
        sharing: .unconditional,
        openness: .open,
        grade: .general,
        fields: [CatalogField(name: "name"), CatalogField(name: "licence")]
    )
    /// `ent-open` with a corrected name (a change that keeps every grant holding).
    static var renamedOpenEntry: CatalogEntry {
        var entry = openEntry
        entry.name = "Enterprise registrations (corrected)"
        return entry
    }

    static let conditionalEntry = CatalogEntry(
        id: "ent-cond",
        name: "Tax payment records",
        owningDepartment: Parties.department,
        sharing: .conditional,
        openness: .notOpen,
        grade: .general,
        fields: [CatalogField(name: "taxpayer"), CatalogField(name: "amount")]
    )
    static let closedEntry = CatalogEntry(
        id: "ent-closed",
        name: "Sealed records",
        owningDepartment: Parties.department,
        sharing: .notShared,
        openness: .notOpen,
        grade: .general,
        fields: [CatalogField(name: "secret")]
    )

    /// The finance zone: a domain zone (领域类) supervised by the finance department (87号 §2–3).
    static let zone = Zone(
        id: "zone-finance",
        name: "金融公共数据专区",
        kind: .domain,
        supervisoryDepartment: Parties.department
    )

    static let plan = ImplementationPlan(
        id: "plan-fin",
        implementingAgency: Parties.agency,
        zone: "zone-finance",
        name: "Finance zone",
        necessityAndFeasibility: "needed",
        operatorSelectionCriteria: "capability, credit, security",
        authorizationMode: .byDomain,
        dataScope: ["ent-open", "ent-cond", "ent-closed"],
        termMonths: 36,
        plannedProducts: [PlannedProduct(name: "Credit model", kind: .model)],
        costAndRevenueAccounting: "per product",
        revenueDistribution: "by contribution",
        securityAndEmergencyMeasures: "privacy computing",
        rightsAndObligations: "per agreement",
        supervisionAndEvaluation: "yearly"
    )

    static let terms = AgreementTerms(
        id: "agr-1",
        plan: "plan-fin",
        implementingAgency: Parties.agency,
        operatorParty: Parties.operatorParty,
        scope: [ScopeItem(entry: "ent-open"), ScopeItem(entry: "ent-cond"), ScopeItem(entry: "ent-closed")],
        start: CivilDate(year: 2026, month: 3, day: 1)!,
        end: CivilDate(year: 2029, month: 2, day: 28)!,
        products: ["prod-1", "prod-2"],
        coSigningDepartment: Parties.department
    )

    static func request(
        _ id: DataRequestID,
        _ entry: CatalogEntryID,
        delivery: DeliveryMethod = .privacyComputing
    )
        -> DataRequestSpec
    {
        DataRequestSpec(
            id: id,
            agreement: "agr-1",
            scenario: "credit scoring",
            purpose: .industryDevelopment,
            items: [DataRequestItem(entry: entry)],
            delivery: delivery
        )
    }

    static let product = ProductSpec(
        id: "prod-1",
        agreement: "agr-1",
        name: "Credit model",
        kind: .model,
        sourceEntries: ["ent-open"],
        delivery: .model
    )

    static let cap = FeeCap(
        product: "prod-1",
        limit: .perUnit(.call, UnitPrice(fen: 50)),
        setBy: Parties.agency,
        source: "京数据〔2026〕1号"
    )

    static func pricePlan(fen: Int64 = 20) -> PricePlan {
        PricePlan(
            id: "pp-1",
            product: "prod-1",
            operatorParty: Parties.operatorParty,
            effectiveFrom: CivilDate(year: 2026, month: 3, day: 1)!,
            effectiveThrough: CivilDate(year: 2027, month: 2, day: 28)!,
            charge: .usage(UsageCharge(unit: .call, scheme: .flat(UnitPrice(fen: fen)))),
            feeStage: .trial
        )
    }

    static let scenario = ScenarioSpec(
        id: "scn-1",
        product: "prod-1",
        purpose: .industryDevelopment,
        description: "loan pre-screening"
    )

    /// A product the business entity publishes from its scenario (Art. 27), published on the day the scripts
    /// reach it (after the registration's notice: Tuesday 10 March 2026).
    static let derivedProduct = ScenarioProcess.DerivedProduct(
        name: "Loan pre-screening score",
        description: "a score offered to partner banks",
        publishedOn: CivilDate("2026-03-10")!
    )

    static func usage(_ key: String, quantity: Int64 = 10) -> UsageSpec {
        UsageSpec(
            product: "prod-1",
            subscription: "sub-1",
            consumer: Parties.business,
            scenario: "scn-1",
            unit: .call,
            quantity: quantity,
            idempotencyKey: key
        )
    }

    /// The approval of `year`'s maximum allowed revenue: ¥100 + ¥20 + ¥5 = ¥125 unless told otherwise.
    static func approveAllowance(
        _ year: Int,
        cost: Int64 = 10_000,
        profit: Int64 = 2_000,
        tax: Int64 = 500
    ) -> WorkflowCommand {
        .settlement(
            .approveAllowance(
                agreement: "agr-1",
                year: year,
                operatingCost: SourcedAmount(Money(fen: cost), source: "成本监审 \(year)"),
                allowedProfit: SourcedAmount(Money(fen: profit), source: "准许收益率 \(year)"),
                tax: SourcedAmount(Money(fen: tax), source: "税务核定 \(year)")
            )
        )
    }

    static let march = try! BillingPeriod(start: CivilDate("2026-03-01")!, end: CivilDate("2026-03-31")!)

    static let objection = ObjectionSpec(
        id: "obj-1",
        entry: "ent-open",
        provider: Parties.provider,
        description: "licence numbers are stale"
    )

    static let registration = RegistrationApplication(
        id: "reg-1",
        kind: .first,
        catalogEntries: ["ent-open", "ent-cond"],
        description: "enterprise registrations and tax payment records"
    )

    static let feedbackEntry = CatalogEntry(
        id: "ent-feedback",
        name: "Operator-derived risk labels",
        owningDepartment: Parties.department,
        sharing: .conditional,
        openness: .notOpen,
        grade: .general,
        fields: [CatalogField(name: "label")]
    )

    static let feedback = FeedbackSpec(
        id: "fb-1",
        agreement: "agr-1",
        entry: feedbackEntry,
        description: "risk labels derived in the zone"
    )

    /// A security record of `kind` of the operator, dated the first day of the test world.
    static func security(
        _ kind: SecurityDuty,
        of operatorParty: PartyID = Parties.operatorParty,
        date: CivilDate = CivilDate("2026-03-02")!,
        validUntil: CivilDate? = nil
    ) -> SecurityRecord {
        SecurityRecord(
            operatorParty: operatorParty,
            kind: kind,
            reference: "\(kind.rawValue)-2026-001",
            date: date,
            validUntil: validUntil,
            level: kind == .gradedProtectionFiling ? 3 : nil
        )
    }
    static let officer = SecurityOfficer(operatorParty: Parties.operatorParty, name: "Li Wei", contact: "security@op-1")
    static let inspection = InspectionSpec(
        id: "ins-1",
        agreement: "agr-1",
        operatorParty: Parties.operatorParty,
        departments: [Parties.department],
        subject: "data security risk assessment"
    )

    static let findings = [
        InspectionFinding(id: "F1", severity: .high, description: "sandbox exports are not logged"),
        InspectionFinding(id: "F2", severity: .low, description: "the classification register is out of date"),
    ]

    /// The business entity as the operator's partner: `ent-open` (the source of `prod-1`), `prod-1`, industry
    /// development, and products of its own (87号 §6).
    static let partnerTier = PartnerTier(
        operatorParty: Parties.operatorParty,
        partner: Parties.business,
        level: "核心合作方",
        data: [DataRequestItem(entry: "ent-open")],
        products: ["prod-1"],
        purposes: [.industryDevelopment],
        derivedProducts: true
    )

    /// The operator's filing of its use of `ent-open` with the finance zone's supervisory department (87号 §6(2)).
    static let useFiling = UseFilingSpec(
        id: "uf-1",
        agreement: "agr-1",
        scenario: "loan pre-screening for partner banks",
        dataScope: ["ent-open"],
        manner: "privacy computing in the zone's sandbox"
    )

    static let shares = [
        RevenueShare(party: Parties.department, role: .dataProvider, weight: 3),
        RevenueShare(party: Parties.agency, role: .implementingAgency, weight: 2),
        RevenueShare(party: Parties.operatorParty, role: .operator, weight: 5),
    ]
}

/// One step of a script: a command by an actor, or time passing (then deadlines are advanced).
enum Step: Sendable {
    case run(WorkflowCommand, Principal)
    case advanceDays(Int)

    static func by(_ role: Role, _ command: WorkflowCommand) -> Step { .run(command, Parties.actor(role)) }
}

/// The scripts that together issue every command at least once.
enum Scripts {
    static let setup: [Step] = [
        .by(.industryDepartment, .catalog(.publishCatalogEntry(entry: Samples.openEntry))),
        .by(.industryDepartment, .catalog(.publishCatalogEntry(entry: Samples.conditionalEntry))),
        .by(.industryDepartment, .catalog(.publishCatalogEntry(entry: Samples.closedEntry))),
        .by(.dataAdministration, .zone(.establishZone(zone: Samples.zone))),
        .by(.implementingAgency, .plan(.draftPlan(plan: Samples.plan))),
        .by(.implementingAgency, .plan(.submitPlan(plan: "plan-fin"))),
    ]

    static let toActiveAgreement: [Step] =
        setup + [
            .by(.municipalGovernment, .plan(.approvePlan(plan: "plan-fin"))),
            .by(.implementingAgency, .plan(.publishPlan(plan: "plan-fin"))),
            .by(
                .implementingAgency,
                .selection(
                    .announceSelection(
                        announcement: SelectionAnnouncement(
                            id: "sel-1",
                            plan: "plan-fin",
                            method: .openTender,
                            criteria: "Art. 12"
                        )
                    )
                )
            ),
            .by(
                .operator,
                .selection(
                    .applyForSelection(
                        selection: "sel-1",
                        application: OperatorApplication(candidate: Parties.operatorParty, name: "Op 1")
                    )
                )
            ),
            .by(.implementingAgency, .selection(.closeApplications(selection: "sel-1"))),
            .by(.implementingAgency, .selection(.reviewQualifications(selection: "sel-1"))),
            .by(.implementingAgency, .selection(.selectOperator(selection: "sel-1", candidate: Parties.operatorParty))),
            .by(.implementingAgency, .agreement(.draftAgreement(terms: Samples.terms, selection: "sel-1"))),
            .by(
                .implementingAgency,
                .agreement(.recordCollectiveDecision(agreement: "agr-1", minutes: "2026-02 meeting"))
            ),
            .by(.operator, .agreement(.signAgreement(agreement: "agr-1"))),
            .by(.implementingAgency, .agreement(.countersignAgreement(agreement: "agr-1"))),
            .by(.industryDepartment, .agreement(.countersignAgreement(agreement: "agr-1"))),
            .by(.dataAdministration, .agreement(.fileAgreement(agreement: "agr-1", filingNumber: "BA-2026-001"))),
            .by(.implementingAgency, .agreement(.activateAgreement(agreement: "agr-1"))),
        ] + security + registration

    /// The operator files its graded protection, has it evaluated, assesses its data security risks and names its
    /// security officer (Art. 31; 87号 §7). New grants need them (`securityDutiesBeforeGrant`).
    static let security: [Step] =
        SecurityDuty.records.map {
            .by(.operator, .securityRecord(.recordSecurityRecord(record: Samples.security($0))))
        }
        + [.by(.operator, .securityRecord(.nameSecurityOfficer(officer: Samples.officer)))]

    /// The owning department registers the entries it supplies (Art. 9, 17; 26号): apply → accept → formal
    /// review → public notice (five working days) → code. Grants need it (`registrationBeforeGrant`).
    static let registration: [Step] = [
        .by(.industryDepartment, .registration(.applyRegistration(application: Samples.registration))),
        .by(.dataAdministration, .registration(.acceptRegistration(registration: "reg-1"))),
        .by(
            .dataAdministration,
            .registration(.completeFormalReview(registration: "reg-1", passed: true, note: "complete"))
        ),
        .advanceDays(8),
        .by(
            .dataAdministration,
            .registration(.issueRegistrationCode(registration: "reg-1", code: "BJ-DR-2026-0001"))
        ),
    ]

    static let toPublishedProduct: [Step] =
        toActiveAgreement + [
            .by(.operator, .dataRequest(.submitDataRequest(request: Samples.request("req-1", "ent-open")))),
            .by(.implementingAgency, .dataRequest(.evaluateDataRequest(request: "req-1"))),
            .by(.bigDataCenter, .dataRequest(.provisionData(request: "req-1", note: "sandbox s-1"))),
            .by(.operator, .dataRequest(.submitDataRequest(request: Samples.request("req-2", "ent-cond")))),
            .by(.implementingAgency, .dataRequest(.evaluateDataRequest(request: "req-2"))),
            .by(
                .industryDepartment,
                .dataRequest(.coReviewDataRequest(request: "req-2", approve: true, note: "scenario reviewed"))
            ),
            .by(.operator, .product(.draftProduct(product: Samples.product))),
            .by(.implementingAgency, .product(.assessProductCompliance(product: "prod-1"))),
            .by(.operator, .product(.fileProduct(product: "prod-1"))),
            .by(.dataAdministration, .product(.registerProduct(product: "prod-1", registration: nil))),
            .by(.implementingAgency, .product(.setFeeCap(product: "prod-1", cap: Samples.cap))),
            .by(.operator, .product(.publishProduct(product: "prod-1", plan: Samples.pricePlan()))),
        ]

    static let lifecycle: [Step] =
        toPublishedProduct + [
            .by(.businessEntity, .scenario(.applyScenario(scenario: Samples.scenario))),
            .by(.operator, .scenario(.assessScenario(scenario: "scn-1"))),
            .by(.operator, .scenario(.fileScenario(scenario: "scn-1"))),
            .by(.implementingAgency, .scenario(.activateScenario(scenario: "scn-1"))),
            .by(
                .businessEntity,
                .scenario(.publishDerivedProduct(scenario: "scn-1", product: Samples.derivedProduct))
            ),
            .by(.businessEntity, .scenario(.fileDerivedProduct(scenario: "scn-1"))),
            .by(.operator, .settlement(.recordUsage(agreement: "agr-1", usage: Samples.usage("u-1")))),
            .by(.operator, .settlement(.recordUsage(agreement: "agr-1", usage: Samples.usage("u-2", quantity: 5)))),
            .by(.implementingAgency, .settlement(.closeSettlementPeriod(agreement: "agr-1", period: Samples.march))),
            .by(.financeDepartment, .settlement(.distributeRevenue(agreement: "agr-1", shares: Samples.shares))),
            .by(.operator, .objection(.raiseObjection(objection: Samples.objection))),
            .by(.dataAdministration, .objection(.acceptObjection(objection: "obj-1"))),
            .by(.dataProvider, .objection(.startVerification(objection: "obj-1"))),
            .by(.dataProvider, .objection(.feedBackObjection(objection: "obj-1", finding: "stale since 2025"))),
            .by(.dataProvider, .objection(.correctObjection(objection: "obj-1", note: "reloaded"))),
            .by(.dataAdministration, .objection(.closeObjection(objection: "obj-1"))),
            .by(.industryDepartment, .registration(.renewRegistration(registration: "reg-1"))),
            .by(.operator, .feedback(.offerFeedback(offer: Samples.feedback))),
            .by(.dataAdministration, .feedback(.startFeedbackReview(feedback: "fb-1"))),
            .by(.dataAdministration, .feedback(.acceptFeedback(feedback: "fb-1"))),
            .by(.dataAdministration, .evaluation(.openEvaluation(agreement: "agr-1", period: "ev-2026"))),
            .by(.operator, .evaluation(.submitOperatorReport(agreement: "agr-1", report: "annual report"))),
            .by(.dataAdministration, .evaluation(.rateOperator(agreement: "agr-1", rating: .poor))),
            .by(.dataAdministration, .evaluation(.openEvaluation(agreement: "agr-1", period: "ev-2027"))),
            .by(.operator, .evaluation(.submitOperatorReport(agreement: "agr-1", report: "annual report"))),
            .by(.dataAdministration, .evaluation(.rateOperator(agreement: "agr-1", rating: .poor))),
        ]

    /// Branches for the commands the main lifecycle does not take.
    static let branches: [[Step]] = [
        // Art. 16: the agency refuses a request on its own evaluation; the operator withdraws another.
        toActiveAgreement + [
            .by(.operator, .dataRequest(.submitDataRequest(request: Samples.request("req-x", "ent-open")))),
            .by(.implementingAgency, .dataRequest(.refuseDataRequest(request: "req-x", reason: "scenario unclear"))),
            .by(.operator, .dataRequest(.submitDataRequest(request: Samples.request("req-w", "ent-open")))),
            .by(.operator, .dataRequest(.withdrawDataRequest(request: "req-w", reason: "no longer needed"))),
        ],
        // Art. 13: an agreement the collective decision went against is abandoned before it comes into force.
        toActiveAgreement.prefix(while: {
            if case .run(let command, _) = $0, command.name == .agreement(.recordCollectiveDecision) { return false }
            return true
        }) + [
            .by(
                .implementingAgency,
                .agreement(.abandonAgreement(agreement: "agr-1", reason: "the collective decision went against it"))
            )
        ],
        setup + [
            .by(.municipalGovernment, .plan(.returnPlan(plan: "plan-fin", reason: "term unclear"))),
            .by(.implementingAgency, .plan(.amendPlan(plan: Samples.plan))),
        ],
        setup + [
            .by(.municipalGovernment, .plan(.approvePlan(plan: "plan-fin"))),
            .by(.implementingAgency, .plan(.publishPlan(plan: "plan-fin"))),
            .by(
                .implementingAgency,
                .selection(
                    .announceSelection(
                        announcement: SelectionAnnouncement(
                            id: "sel-1",
                            plan: "plan-fin",
                            method: .negotiation,
                            criteria: "Art. 12"
                        )
                    )
                )
            ),
            .by(.implementingAgency, .selection(.failSelection(selection: "sel-1", reason: "no candidate"))),
        ],
        toActiveAgreement + [
            .by(.implementingAgency, .agreement(.suspendAgreement(agreement: "agr-1", reason: "security incident"))),
            .by(.implementingAgency, .agreement(.resumeAgreement(agreement: "agr-1"))),
            .by(.implementingAgency, .agreement(.terminateAgreement(agreement: "agr-1", reason: "by agreement"))),
        ],
        toActiveAgreement + [
            .by(.dataAdministration, .agreement(.revokeAgreement(agreement: "agr-1", reason: "violation")))
        ],
        toPublishedProduct + [
            .by(.implementingAgency, .dataRequest(.revokeGrant(request: "req-1", reason: "scope changed"))),
            .by(.operator, .product(.withdrawProduct(product: "prod-1", reason: "retired"))),
            .by(.implementingAgency, .settlement(.settleAccounts(agreement: "agr-1"))),
        ],
        Array(lifecycle.prefix(toPublishedProduct.count + 4)) + [
            .by(.implementingAgency, .scenario(.suspendScenario(scenario: "scn-1", reason: "linkage risk"))),
            .by(.implementingAgency, .scenario(.resumeScenario(scenario: "scn-1"))),
            .by(.implementingAgency, .scenario(.revokeScenario(scenario: "scn-1", reason: "violation confirmed"))),
        ],
        toPublishedProduct + [
            .by(
                .industryDepartment,
                .catalog(.changeCatalogEntry(entry: Samples.renamedOpenEntry, reason: "name of record corrected"))
            ),
            // The agency reviews the terms on a day (it may; adopting a policy is the data administration's).
            .by(.implementingAgency, .monitor(.reassess(trigger: .termReview(day: CivilDate("2026-03-02")!)))),
            .by(
                .dataAdministration,
                .monitor(
                    .reassess(
                        trigger: .policyAdopted(
                            policy: Policy.beijingDefault.id,
                            version: Policy.beijingDefault.digest
                        )
                    )
                )
            ),
            .by(.implementingAgency, .agreement(.suspendAgreement(agreement: "agr-1", reason: "security incident"))),
            .by(.implementingAgency, .agreement(.resumeAgreement(agreement: "agr-1"))),
            .by(.implementingAgency, .dataRequest(.resumeGrant(request: "req-1"))),
            .by(.industryDepartment, .catalog(.retireCatalogEntry(entry: "ent-closed", reason: "superseded"))),
        ],
        toActiveAgreement + [
            .by(.dataAdministration, .inspection(.openInspection(inspection: Samples.inspection))),
            .by(
                .dataAdministration,
                .inspection(
                    .issueFindings(inspection: "ins-1", findings: Samples.findings, rectificationWorkingDays: 5)
                )
            ),
            .by(.operator, .inspection(.reportRectification(inspection: "ins-1", report: "patched"))),
            .by(
                .dataAdministration,
                .inspection(.reviewRectification(inspection: "ins-1", accepted: false, note: "incomplete"))
            ),
            .by(.implementingAgency, .inspection(.reportRectification(inspection: "ins-1", report: "completed"))),
            .by(
                .dataAdministration,
                .inspection(.reviewRectification(inspection: "ins-1", accepted: true, note: "ok"))
            ),
        ],
        lifecycle.prefix(while: {
            if case .run(let command, _) = $0, command.name == .objection(.correctObjection) { return false }
            return true
        }) + [.by(.dataProvider, .objection(.rejectObjection(objection: "obj-1", reason: "data is correct")))],
        lifecycle.prefix(while: {
            if case .run(let command, _) = $0, command.name == .feedback(.acceptFeedback) { return false }
            return true
        }) + [.by(.dataAdministration, .feedback(.rejectFeedback(feedback: "fb-1", reason: "duplicate")))],
        money,
        // Art. 17 ¶2, 26: a consent record, a request relying on it, its withdrawal (the monitor suspends the grant).
        toActiveAgreement + [
            .by(.bigDataCenter, .consent(.recordConsent(consent: ConsentRecordTests.consent()))),
            .by(.operator, .dataRequest(.submitDataRequest(request: ConsentRecordTests.consentedRequest))),
            .by(.implementingAgency, .dataRequest(.evaluateDataRequest(request: "req-c"))),
            .by(
                .industryDepartment,
                .dataRequest(.coReviewDataRequest(request: "req-c", approve: true, note: "supplied on consent"))
            ),
            .by(.dataSubject, .consent(.withdrawConsent(consent: "con-1", reason: "changed my mind"))),
        ],
        // Seed 001 §6(2): a partner's tier, amended, revoked.
        toPublishedProduct + [
            .by(.operator, .partner(.registerPartner(tier: Samples.partnerTier))),
            .by(.operator, .partner(.amendPartnerTier(tier: Samples.partnerTier))),
            .by(
                .operator,
                .partner(
                    .revokePartner(operatorParty: Parties.operatorParty, partner: Parties.business, reason: "ended")
                )
            ),
        ],
        // Seed 001 §6(2), §4(3): a filed use, its feedback, a department's request approved by both, the end.
        toActiveAgreement + [
            .by(.operator, .useFiling(.fileUse(filing: Samples.useFiling))),
            .by(
                .operator,
                .useFiling(.reportUseFeedback(filing: "uf-1", period: 1, use: "1,200 checks", effect: "+8%"))
            ),
            .by(.industryDepartment, .useFiling(.acceptUseFeedback(filing: "uf-1", period: 1, note: "aggregated"))),
            .by(
                .industryDepartment,
                .useFiling(
                    .requestFeedbackData(
                        filing: "uf-1",
                        request: FeedbackDataRequest(id: "r-1", purpose: "supervision")
                    )
                )
            ),
            .by(
                .industryDepartment,
                .useFiling(.approveFeedbackData(filing: "uf-1", request: "r-1", approve: true, note: "ok"))
            ),
            .by(.operator, .useFiling(.approveFeedbackData(filing: "uf-1", request: "r-1", approve: true, note: "ok"))),
            .by(.operator, .useFiling(.endUseFiling(filing: "uf-1", reason: "service ended"))),
        ],
    ]

    /// 65号 end to end: classes on the filing, a voided record, a credit note, the allowance, the year close and
    /// the annual report.
    static let money: [Step] =
        Array(lifecycle.prefix(toPublishedProduct.count + 4)) + [
            .by(
                .implementingAgency,
                .scenario(
                    .recordScenarioClasses(scenario: "scn-1", classes: ["supported_scenario"], basis: "扶持 2026-1")
                )
            ),
            .by(.operator, .settlement(.recordUsage(agreement: "agr-1", usage: Samples.usage("u-1")))),
            .by(.operator, .settlement(.recordUsage(agreement: "agr-1", usage: Samples.usage("u-2", quantity: 5)))),
            .by(.operator, .settlement(.voidUsage(agreement: "agr-1", idempotencyKey: "u-2", reason: "test call"))),
            .by(
                .operator,
                .settlement(
                    .recordUsageBatch(
                        agreement: "agr-1",
                        usages: [Samples.usage("u-1"), Samples.usage("u-3", quantity: 7)]
                    )
                )
            ),
            .by(.implementingAgency, .settlement(.closeSettlementPeriod(agreement: "agr-1", period: Samples.march))),
            .by(
                .operator,
                .settlement(
                    .issueCreditNote(
                        agreement: "agr-1",
                        invoice: "inv:settlement-agr-1:5:sub-1",
                        lines: [CreditQuantity(line: 0, quantity: 2)],
                        reason: "two calls failed"
                    )
                )
            ),
            .by(.priceDepartment, Samples.approveAllowance(2026)),
            .by(.dataAdministration, Samples.approveAllowance(2026)),
            .advanceDays(305),
            .by(.priceDepartment, .settlement(.closeAllowanceYear(agreement: "agr-1", year: 2026))),
            .by(.operator, .settlement(.fileAnnualReport(agreement: "agr-1", year: 2026, report: "2026 经营情况报告"))),
        ]

    /// The yearly disclosure (Art. 32): opened by the data administration, published by the agency.
    static let disclosure: [Step] = [
        .by(
            .dataAdministration,
            .disclosure(
                .openDisclosure(
                    duty: DisclosureProcess.DisclosureDuty(party: Parties.agency, role: .implementingAgency, year: 2026)
                )
            )
        ),
        .by(
            .implementingAgency,
            .disclosure(.publishDisclosure(disclosure: "2026-agency-finance", digest: "sm3:ab12"))
        ),
    ]

    static var all: [[Step]] { [lifecycle] + branches + [disclosure] }

    /// The first script issuing `name`, cut just before that step, and the step itself.
    static func prefix(before name: CommandName) -> (steps: [Step], command: WorkflowCommand, actor: Principal)? {
        for script in all {
            for (index, step) in script.enumerated() {
                if case .run(let command, let actor) = step, command.name == name {
                    return (Array(script[..<index]), command, actor)
                }
            }
        }
        return nil
    }
}

/// A store, a clock and an engine in Beijing on Monday 2 March 2026, 09:00.
struct World: Sendable {
    let store: any EventStore
    let clock: TestClock
    let calendar: FixedWorkingDayCalendar
    let engine: WorkflowEngine

    init(store: any EventStore = InMemoryEventStore(), clock: TestClock? = nil, policy: Policy = .beijingDefault) {
        let calendar = FixedWorkingDayCalendar()
        let clock = clock ?? TestClock(now: testInstant("2026-03-02T01:00:00Z"))
        self.store = store
        self.clock = clock
        self.calendar = calendar
        self.engine = Self.engine(on: store, clock: clock, policy: policy)
    }

    /// A world whose policy is Beijing's default with `change` applied to its parameters.
    init(parameters change: (inout PolicyParameters) -> Void) {
        var policy = Policy.beijingDefault
        change(&policy.parameters)
        self.init(policy: policy)
    }

    static func engine(
        on store: any EventStore,
        clock: TestClock,
        policy: Policy = .beijingDefault
    ) -> WorkflowEngine {
        WorkflowEngine(
            store: store,
            clock: clock,
            calendar: FixedWorkingDayCalendar(),
            policy: policy,
            directory: Parties.directory
        )
    }

    @discardableResult
    func run(_ role: Role, _ command: WorkflowCommand) async throws -> CommandOutcome {
        try await engine.execute(command, by: Parties.actor(role))
    }

    func run(_ steps: [Step]) async throws {
        for step in steps {
            switch step {
            case .run(let command, let actor):
                try await engine.execute(command, by: actor)
            case .advanceDays(let days):
                clock.advance(byDays: days)
                try await engine.advance()
            }
        }
    }

    func log() async throws -> [RecordedEvent] { try await store.readAll(after: 0, pageSize: 1000) }

    func state<P: WorkflowProcess>(_ process: P.Type, _ id: String) async throws -> P.State? {
        try await engine.instance(P.self, id).state
    }
}

/// Expects `body` to throw a ``WorkflowError`` with `code`; returns the error, so that a test can check what it
/// cites.
@discardableResult
func expectRefusal(
    _ code: WorkflowError.Code,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async -> WorkflowError? {
    do {
        try await body()
        Issue.record("expected \(code), but the command succeeded", sourceLocation: sourceLocation)
    } catch let error as WorkflowError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected WorkflowError \(code), got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
