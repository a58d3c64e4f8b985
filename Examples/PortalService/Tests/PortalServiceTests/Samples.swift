import PublicDataKit

/// The objects of the example's world (the library's own test world, shortened).
enum Samples {
    static func entry(_ id: CatalogEntryID, _ sharing: SharingAttribute, _ openness: OpenAttribute) -> CatalogEntry {
        CatalogEntry(
            id: id,
            name: "Entry \(id)",
            owningDepartment: "dept-finance",
            sharing: sharing,
            openness: openness,
            grade: .general,
            fields: [CatalogField(name: "name")]
        )
    }

    static let openEntry = entry("ent-open", .unconditional, .open)
    static let closedEntry = entry("ent-closed", .notShared, .notOpen)

    static let plan = ImplementationPlan(
        id: "plan-fin",
        implementingAgency: "agency-finance",
        name: "Finance zone",
        necessityAndFeasibility: "needed",
        operatorSelectionCriteria: "capability, credit, security",
        authorizationMode: .whole,
        dataScope: ["ent-open", "ent-closed"],
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
        implementingAgency: "agency-finance",
        operatorParty: "op-1",
        scope: [ScopeItem(entry: "ent-open"), ScopeItem(entry: "ent-closed")],
        start: CivilDate(year: 2026, month: 3, day: 1)!,
        end: CivilDate(year: 2029, month: 2, day: 28)!,
        products: ["prod-1"],
        coSigningDepartment: "dept-finance"
    )

    static func request(_ id: DataRequestID, _ entry: CatalogEntryID) -> DataRequestSpec {
        DataRequestSpec(
            id: id,
            agreement: "agr-1",
            scenario: "credit scoring",
            purpose: .industryDevelopment,
            items: [DataRequestItem(entry: entry)],
            delivery: .privacyComputing
        )
    }
}

/// The commands from an empty store to an active agreement, each with the token that sends it.
enum Scripts {
    static let toActiveAgreement: [(WorkflowCommand, String)] = [
        (.catalog(.publishCatalogEntry(entry: Samples.openEntry)), "department-token"),
        (.catalog(.publishCatalogEntry(entry: Samples.closedEntry)), "department-token"),
        (.plan(.draftPlan(plan: Samples.plan)), "agency-token"),
        (.plan(.submitPlan(plan: "plan-fin")), "agency-token"),
        (.plan(.approvePlan(plan: "plan-fin")), "government-token"),
        (.plan(.publishPlan(plan: "plan-fin")), "agency-token"),
        (
            .selection(
                .announceSelection(
                    announcement: SelectionAnnouncement(
                        id: "sel-1",
                        plan: "plan-fin",
                        method: .openTender,
                        criteria: "Art. 12"
                    )
                )
            ), "agency-token"
        ),
        (
            .selection(
                .applyForSelection(
                    selection: "sel-1",
                    application: OperatorApplication(candidate: "op-1", name: "Op 1")
                )
            ),
            "operator-token"
        ),
        (.selection(.closeApplications(selection: "sel-1")), "agency-token"),
        (.selection(.reviewQualifications(selection: "sel-1")), "agency-token"),
        (.selection(.selectOperator(selection: "sel-1", candidate: "op-1")), "agency-token"),
        (.agreement(.draftAgreement(terms: Samples.terms, selection: "sel-1")), "agency-token"),
        (.agreement(.recordCollectiveDecision(agreement: "agr-1", minutes: "2026-02 meeting")), "agency-token"),
        (.agreement(.signAgreement(agreement: "agr-1")), "operator-token"),
        (.agreement(.countersignAgreement(agreement: "agr-1")), "agency-token"),
        (.agreement(.countersignAgreement(agreement: "agr-1")), "department-token"),
        (.agreement(.fileAgreement(agreement: "agr-1", filingNumber: "BA-2026-001")), "administration-token"),
        (.agreement(.activateAgreement(agreement: "agr-1")), "agency-token"),
    ]
}
