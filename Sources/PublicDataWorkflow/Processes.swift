import PublicDataModel

private let start = ProcessDefinition.initialState

private func cmd(
    _ name: CommandName,
    _ roles: Set<Role>,
    _ articles: [String],
    _ guards: [String] = []
) -> CommandDefinition {
    CommandDefinition(name: name, roles: roles, guards: guards, articles: articles)
}

private func on(
    _ name: CommandName,
    _ from: [String],
    _ to: String?,
    _ event: String,
    notify: [Role] = [],
    opens: [String] = [],
    closes: [String] = []
) -> TransitionDefinition {
    TransitionDefinition(
        trigger: .command(name),
        from: from,
        to: to,
        event: event,
        notifies: notify,
        opensDeadlines: opens,
        closesDeadlines: closes
    )
}

private func when(
    _ key: String,
    _ from: [String],
    _ to: String?,
    _ event: String,
    notify: [Role] = [],
    closes: [String] = []
) -> TransitionDefinition {
    TransitionDefinition(
        trigger: .deadline(key),
        from: from,
        to: to,
        event: event,
        notifies: notify,
        closesDeadlines: [key] + closes
    )
}

/// The process definitions of the Beijing measures, as data.
///
/// Every definition is validated by the tests (``ProcessDefinition/validationIssues()`` is empty) and rendered
/// into `Documentation/Workflows.md` by ``ProcessDefinition/mermaid()``.
public enum Processes {
    /// Every process, in lifecycle order.
    public static let all: [ProcessDefinition] = [
        catalog, implementationPlan, operatorSelection, agreement, registration, dataRequest, product, scenario,
        objection, evaluation, settlement, feedback,
    ]

    /// The definition of `kind`.
    public static func definition(_ kind: ProcessKind) -> ProcessDefinition {
        byKind[kind] ?? catalog
    }

    /// The process a command belongs to.
    public static func process(of name: CommandName) -> ProcessKind {
        commandProcess[name] ?? .catalog
    }

    /// The definition of a command (roles, guards, articles).
    public static func command(_ name: CommandName) -> CommandDefinition {
        commandDefinitions[name] ?? CommandDefinition(name: name, roles: [])
    }

    /// The roles allowed to issue `name`.
    public static func roles(for name: CommandName) -> Set<Role> { command(name).roles }

    private static let byKind: [ProcessKind: ProcessDefinition] = Dictionary(
        uniqueKeysWithValues: all.map { ($0.kind, $0) }
    )
    private static let commandProcess: [CommandName: ProcessKind] = Dictionary(
        all.flatMap { definition in definition.commands.map { ($0.name, definition.kind) } },
        uniquingKeysWith: { first, _ in first }
    )
    private static let commandDefinitions: [CommandName: CommandDefinition] = Dictionary(
        all.flatMap { $0.commands.map { ($0.name, $0) } },
        uniquingKeysWith: { first, _ in first }
    )

    /// The catalog: one stream per entry.
    public static let catalog = ProcessDefinition(
        kind: .catalog,
        title: "Catalog entry (Art. 8–9)",
        states: ["published"],
        finalStates: [],
        commands: [
            cmd(
                .publishCatalogEntry,
                [.industryDepartment, .bigDataCenter],
                ["Art. 8"],
                ["an industry department publishes only entries it owns", "the entry is well-formed"]
            )
        ],
        transitions: [
            on(.publishCatalogEntry, [start], "published", "catalog.entryPublished"),
            TransitionDefinition(
                trigger: .effect(of: .acceptFeedback),
                from: [start],
                to: "published",
                event: "catalog.feedbackEntryPublished"
            ),
        ]
    )

    /// 实施方案 (Art. 11).
    public static let implementationPlan = ProcessDefinition(
        kind: .implementationPlan,
        title: "Implementation plan (Art. 11)",
        states: ["draft", "submitted", "returned", "approved", "published"],
        finalStates: [],
        commands: [
            cmd(.draftPlan, [.implementingAgency], ["Art. 11"], ["the agency drafts its own plan"]),
            cmd(
                .submitPlan,
                [.implementingAgency],
                ["Art. 11"],
                ["all twelve Art. 11 elements are present", "the term is within the policy's term cap"]
            ),
            cmd(.approvePlan, [.municipalGovernment], ["Art. 11"]),
            cmd(.returnPlan, [.municipalGovernment], ["Art. 11"], ["a reason is given"]),
            cmd(.publishPlan, [.implementingAgency], ["Art. 11"]),
            cmd(.amendPlan, [.implementingAgency], ["Art. 11"], ["the amendment is a new version"]),
        ],
        transitions: [
            on(.draftPlan, [start], "draft", "plan.drafted"),
            on(.submitPlan, ["draft"], "submitted", "plan.submitted", notify: [.municipalGovernment]),
            on(.approvePlan, ["submitted"], "approved", "plan.approved", notify: [.implementingAgency]),
            on(.returnPlan, ["submitted"], "returned", "plan.returned", notify: [.implementingAgency]),
            on(.publishPlan, ["approved"], "published", "plan.published"),
            on(.amendPlan, ["draft", "returned", "published"], "draft", "plan.amended"),
        ]
    )

    /// 运营机构选择 (Art. 12).
    public static let operatorSelection = ProcessDefinition(
        kind: .operatorSelection,
        title: "Operator selection (Art. 12)",
        states: ["announced", "applying", "reviewing", "reviewed", "selected", "failed"],
        finalStates: ["selected", "failed"],
        commands: [
            cmd(.announceSelection, [.implementingAgency], ["Art. 12"], ["the plan is published"]),
            cmd(.applyForSelection, [.operator], ["Art. 12"], ["a candidate applies once, for itself"]),
            cmd(.closeApplications, [.implementingAgency], ["Art. 12"], ["at least one application"]),
            cmd(.reviewQualifications, [.implementingAgency], ["Art. 12"], ["eligibility policy per candidate"]),
            cmd(.selectOperator, [.implementingAgency], ["Art. 12"], ["the candidate was found eligible"]),
            cmd(.failSelection, [.implementingAgency], ["Art. 12"], ["a reason is given"]),
        ],
        transitions: [
            on(.announceSelection, [start], "announced", "selection.announced"),
            on(.applyForSelection, ["announced", "applying"], "applying", "selection.applied"),
            on(.closeApplications, ["applying"], "reviewing", "selection.applicationsClosed"),
            on(.reviewQualifications, ["reviewing"], "reviewed", "selection.qualificationsReviewed"),
            on(.reviewQualifications, ["reviewing"], "failed", "selection.noEligibleCandidate"),
            on(.selectOperator, ["reviewed"], "selected", "selection.operatorSelected", notify: [.operator]),
            on(.failSelection, ["announced", "applying", "reviewing", "reviewed"], "failed", "selection.failed"),
        ]
    )

    /// 授权运营协议 (Art. 13).
    public static let agreement = ProcessDefinition(
        kind: .agreement,
        title: "Authorization agreement (Art. 13)",
        states: ["drafted", "decided", "signed", "filed", "active", "suspended", "terminated", "revoked", "expired"],
        finalStates: ["terminated", "revoked", "expired"],
        commands: [
            cmd(
                .draftAgreement,
                [.implementingAgency],
                ["Art. 13"],
                [
                    "the plan is published and names this agency", "the operator was selected for the plan",
                    "the term is within the policy's term cap", "the scope lies within the plan's data scope",
                ]
            ),
            cmd(.recordCollectiveDecision, [.implementingAgency], ["Art. 13"], ["the agency's own agreement"]),
            cmd(.signAgreement, [.operator], ["Art. 13"], ["the operator of this agreement"]),
            cmd(.fileAgreement, [.dataAdministration], ["Art. 13"]),
            cmd(.activateAgreement, [.implementingAgency], ["Art. 13"], ["today lies within the term"]),
            cmd(.suspendAgreement, [.implementingAgency, .dataAdministration], ["Art. 30"], ["a reason"]),
            cmd(.resumeAgreement, [.implementingAgency, .dataAdministration], ["Art. 30"]),
            cmd(.terminateAgreement, [.implementingAgency], ["Art. 33"], ["a reason"]),
            cmd(.revokeAgreement, [.implementingAgency, .dataAdministration], ["Art. 30", "Art. 33"], ["a reason"]),
        ],
        transitions: [
            on(.draftAgreement, [start], "drafted", "agreement.drafted", notify: [.operator]),
            on(.recordCollectiveDecision, ["drafted"], "decided", "agreement.decided", notify: [.operator]),
            on(
                .signAgreement,
                ["decided"],
                "signed",
                "agreement.signed",
                notify: [.implementingAgency, .dataAdministration],
                opens: ["filing"]
            ),
            on(
                .fileAgreement,
                ["signed"],
                "filed",
                "agreement.filed",
                notify: [.implementingAgency, .operator],
                closes: ["filing"]
            ),
            when(
                "filing",
                ["signed"],
                nil,
                "agreement.filingOverdue",
                notify: [.dataAdministration, .implementingAgency]
            ),
            on(
                .activateAgreement,
                ["filed"],
                "active",
                "agreement.activated",
                notify: [.operator],
                opens: ["expiryNotice", "expiry"]
            ),
            on(.suspendAgreement, ["active"], "suspended", "agreement.suspended", notify: [.operator]),
            on(.resumeAgreement, ["suspended"], "active", "agreement.resumed", notify: [.operator]),
            on(
                .terminateAgreement,
                ["active", "suspended"],
                "terminated",
                "agreement.terminated",
                notify: [.operator, .dataAdministration],
                opens: ["exit"],
                closes: ["expiryNotice", "expiry"]
            ),
            on(
                .revokeAgreement,
                ["active", "suspended"],
                "revoked",
                "agreement.revoked",
                notify: [.operator, .implementingAgency],
                opens: ["exit"],
                closes: ["expiryNotice", "expiry"]
            ),
            TransitionDefinition(
                trigger: .effect(of: .rateOperator),
                from: ["active", "suspended"],
                to: "terminated",
                event: "agreement.terminatedByEvaluation",
                notifies: [.operator, .implementingAgency, .dataAdministration],
                opensDeadlines: ["exit"],
                closesDeadlines: ["expiryNotice", "expiry"]
            ),
            when(
                "expiryNotice",
                ["active", "suspended"],
                nil,
                "agreement.expiryApproaching",
                notify: [.operator, .implementingAgency]
            ),
            TransitionDefinition(
                trigger: .deadline("expiry"),
                from: ["active", "suspended"],
                to: "expired",
                event: "agreement.expired",
                notifies: [.operator, .implementingAgency],
                opensDeadlines: ["exit"],
                closesDeadlines: ["expiry", "expiryNotice"]
            ),
            when(
                "exit",
                ["terminated", "revoked", "expired"],
                nil,
                "agreement.exitCompleted",
                notify: [.operator, .dataAdministration]
            ),
        ],
        deadlines: [
            DeadlineDefinition(
                key: "filing",
                rule: "the end of `agreementFilingWorkingDays` working days after signing; overdue → notice, once",
                event: "agreement.filingOverdue"
            ),
            DeadlineDefinition(
                key: "expiryNotice",
                rule: "`agreementExpiryNoticeDays` calendar days before the last day of the term",
                event: "agreement.expiryApproaching"
            ),
            DeadlineDefinition(key: "expiry", rule: "the end of the term's last day", event: "agreement.expired"),
            DeadlineDefinition(
                key: "exit",
                rule: "immediately: revoke grants, withdraw products, close the period, settle the accounts",
                event: "agreement.exitCompleted"
            ),
        ]
    )

    /// 登记 (Art. 9).
    public static let registration = ProcessDefinition(
        kind: .registration,
        title: "Registration (Art. 9)",
        states: ["applied", "accepted", "publicNotice", "noticeCompleted", "rejected", "registered", "expired"],
        finalStates: ["rejected", "expired"],
        commands: [
            cmd(
                .applyRegistration,
                [.industryDepartment, .implementingAgency, .operator],
                ["Art. 9"],
                ["change, correction and cancellation name the registration they concern"]
            ),
            cmd(.acceptRegistration, [.dataAdministration], ["Art. 9"]),
            cmd(.completeFormalReview, [.dataAdministration], ["Art. 9"]),
            cmd(.issueRegistrationCode, [.dataAdministration], ["Art. 9"], ["the public notice has ended"]),
            cmd(
                .renewRegistration,
                [.industryDepartment, .implementingAgency, .operator],
                ["Art. 9"],
                ["the applicant renews", "before the validity ends"]
            ),
        ],
        transitions: [
            on(.applyRegistration, [start], "applied", "registration.applied", notify: [.dataAdministration]),
            on(.acceptRegistration, ["applied"], "accepted", "registration.accepted"),
            on(
                .completeFormalReview,
                ["accepted"],
                "publicNotice",
                "registration.noticePublished",
                opens: ["notice"]
            ),
            on(.completeFormalReview, ["accepted"], "rejected", "registration.rejected"),
            when(
                "notice",
                ["publicNotice"],
                "noticeCompleted",
                "registration.noticeEnded",
                notify: [.dataAdministration]
            ),
            on(
                .issueRegistrationCode,
                ["noticeCompleted"],
                "registered",
                "registration.codeIssued",
                opens: ["validity"]
            ),
            on(
                .renewRegistration,
                ["registered"],
                nil,
                "registration.renewed",
                opens: ["validity"],
                closes: ["validity"]
            ),
            when("validity", ["registered"], "expired", "registration.expired"),
        ],
        deadlines: [
            DeadlineDefinition(
                key: "notice",
                rule: "the end of `registrationNoticeWorkingDays` working days after the notice is published",
                event: "registration.noticeEnded"
            ),
            DeadlineDefinition(
                key: "validity",
                rule: "`registrationValidityYears` years after the code is issued or renewed",
                event: "registration.expired"
            ),
        ]
    )

    /// 数据申请 (Art. 16–19).
    public static let dataRequest = ProcessDefinition(
        kind: .dataRequest,
        title: "Data request (Art. 16–19)",
        states: ["submitted", "coReview", "granted", "refused", "provisioned", "revoked"],
        finalStates: ["refused", "revoked"],
        commands: [
            cmd(
                .submitDataRequest,
                [.operator],
                ["Art. 16"],
                ["the operator of the agreement", "the entries are in the catalog"]
            ),
            cmd(
                .evaluateDataRequest,
                [.implementingAgency],
                ["Art. 16", "Art. 17", "Art. 19", "Art. 26"],
                ["the agency of the agreement", "the policy decides; a denial is recorded with its reasons"]
            ),
            cmd(
                .coReviewDataRequest,
                [.industryDepartment],
                ["Art. 16"],
                [
                    "the department owns a requested conditional entry",
                    "granted once every owning department approved; refused by any one",
                ]
            ),
            cmd(.provisionData, [.bigDataCenter], ["Art. 28"], ["the agreement is active"]),
            cmd(.revokeGrant, [.implementingAgency, .dataAdministration], ["Art. 30"], ["a reason"]),
        ],
        transitions: [
            on(.submitDataRequest, [start], "submitted", "dataRequest.submitted", notify: [.implementingAgency]),
            on(
                .evaluateDataRequest,
                ["submitted"],
                "granted",
                "dataRequest.granted",
                notify: [.operator, .bigDataCenter]
            ),
            on(
                .evaluateDataRequest,
                ["submitted"],
                "coReview",
                "dataRequest.coReviewRequested",
                notify: [.industryDepartment]
            ),
            on(.evaluateDataRequest, ["submitted"], "refused", "dataRequest.refused", notify: [.operator]),
            on(
                .coReviewDataRequest,
                ["coReview"],
                "granted",
                "dataRequest.coReviewApproved",
                notify: [.operator, .bigDataCenter]
            ),
            on(.coReviewDataRequest, ["coReview"], nil, "dataRequest.coReviewPartlyApproved"),
            on(.coReviewDataRequest, ["coReview"], "refused", "dataRequest.coReviewRejected", notify: [.operator]),
            on(.provisionData, ["granted"], "provisioned", "dataRequest.provisioned", notify: [.operator]),
            on(.revokeGrant, ["granted", "provisioned"], "revoked", "dataRequest.revoked", notify: [.operator]),
            TransitionDefinition(
                trigger: .exit,
                from: ["submitted", "coReview", "granted", "provisioned"],
                to: "revoked",
                event: "dataRequest.revokedOnExit",
                notifies: [.operator, .bigDataCenter]
            ),
        ]
    )

    /// 产品和服务 (Art. 20, 26–27).
    public static let product = ProcessDefinition(
        kind: .product,
        title: "Product or service (Art. 20, 26–27)",
        states: ["draft", "compliant", "refused", "filed", "registered", "published", "withdrawn"],
        finalStates: ["refused", "withdrawn"],
        commands: [
            cmd(.draftProduct, [.operator], ["Art. 20"], ["the operator of the agreement"]),
            cmd(
                .assessProductCompliance,
                [.implementingAgency],
                ["Art. 6", "Art. 20", "Art. 26"],
                ["the agency of the agreement", "the policy decides; a denial is recorded with its reasons"]
            ),
            cmd(.fileProduct, [.operator], ["Art. 20"], ["the operator of the agreement"]),
            cmd(.registerProduct, [.dataAdministration], ["Art. 9"]),
            cmd(
                .setFeeCap,
                [.implementingAgency],
                ["Art. 22", "65号"],
                ["the agency of the agreement", "the cap names this product"]
            ),
            cmd(
                .publishProduct,
                [.operator],
                ["Art. 22"],
                [
                    "the operator of the agreement", "the agreement is active",
                    "the policy's pricing point decides; a denial is recorded with its reasons",
                    "every charged price is within its cap; a trial fee before a full year of operation",
                ]
            ),
            cmd(.withdrawProduct, [.operator, .implementingAgency, .dataAdministration], ["Art. 30"]),
        ],
        transitions: [
            on(.draftProduct, [start], "draft", "product.drafted"),
            on(
                .assessProductCompliance,
                ["draft"],
                "compliant",
                "product.complianceAssessed",
                notify: [.operator],
                opens: ["filing"]
            ),
            on(.assessProductCompliance, ["draft"], "refused", "product.releaseRefused", notify: [.operator]),
            on(
                .fileProduct,
                ["compliant"],
                "filed",
                "product.filed",
                notify: [.implementingAgency],
                closes: ["filing"]
            ),
            when("filing", ["compliant"], nil, "product.filingOverdue", notify: [.implementingAgency, .operator]),
            on(.registerProduct, ["filed"], "registered", "product.registered", notify: [.operator]),
            on(.setFeeCap, ["filed", "registered", "published"], nil, "product.feeCapSet", notify: [.operator]),
            on(.publishProduct, ["filed", "registered"], "published", "product.published"),
            on(.publishProduct, ["filed", "registered"], nil, "product.publicationRefused", notify: [.operator]),
            on(
                .withdrawProduct,
                ["draft", "compliant", "filed", "registered", "published"],
                "withdrawn",
                "product.withdrawn",
                notify: [.operator, .implementingAgency],
                closes: ["filing"]
            ),
            TransitionDefinition(
                trigger: .exit,
                from: ["draft", "compliant", "filed", "registered", "published"],
                to: "withdrawn",
                event: "product.withdrawnOnExit",
                notifies: [.operator],
                closesDeadlines: ["filing"]
            ),
        ],
        deadlines: [
            DeadlineDefinition(
                key: "filing",
                rule: "the end of `productFilingWorkingDays` working days after the compliance assessment; "
                    + "overdue → notice, once",
                event: "product.filingOverdue"
            )
        ]
    )

    /// 下游场景 (Art. 25, 27).
    public static let scenario = ProcessDefinition(
        kind: .scenario,
        title: "Downstream scenario (Art. 25, 27)",
        states: ["applied", "compliant", "refused", "filed", "active"],
        finalStates: ["refused"],
        commands: [
            cmd(.applyScenario, [.businessEntity], ["Art. 25"], ["the product is published"]),
            cmd(
                .assessScenario,
                [.operator],
                ["Art. 20", "Art. 25", "Art. 26"],
                ["the operator of the product", "the policy decides; a denial is recorded with its reasons"]
            ),
            cmd(.fileScenario, [.operator], ["Art. 27"], ["the operator of the product"]),
            cmd(.activateScenario, [.implementingAgency], ["Art. 27"], ["the agency of the agreement"]),
        ],
        transitions: [
            on(.applyScenario, [start], "applied", "scenario.applied", notify: [.operator]),
            on(
                .assessScenario,
                ["applied"],
                "compliant",
                "scenario.complianceAssessed",
                notify: [.businessEntity],
                opens: ["filing"]
            ),
            on(.assessScenario, ["applied"], "refused", "scenario.refused", notify: [.businessEntity]),
            on(
                .fileScenario,
                ["compliant"],
                "filed",
                "scenario.filed",
                notify: [.implementingAgency],
                closes: ["filing"]
            ),
            when("filing", ["compliant"], nil, "scenario.filingOverdue", notify: [.implementingAgency, .operator]),
            on(.activateScenario, ["filed"], "active", "scenario.activated", notify: [.businessEntity, .operator]),
        ],
        deadlines: [
            DeadlineDefinition(
                key: "filing",
                rule: "the end of `scenarioFilingWorkingDays` working days after the compliance assessment; "
                    + "overdue → notice, once",
                event: "scenario.filingOverdue"
            )
        ]
    )

    /// 数据异议 (Art. 18).
    public static let objection = ProcessDefinition(
        kind: .objection,
        title: "Quality objection (Art. 18)",
        states: ["raised", "accepted", "verifying", "fedBack", "corrected", "rejected", "closed"],
        finalStates: ["closed"],
        commands: [
            cmd(
                .raiseObjection,
                [.operator, .businessEntity, .dataSubject, .implementingAgency, .industryDepartment, .bigDataCenter],
                ["Art. 18"],
                ["the entry is in the catalog"]
            ),
            cmd(.acceptObjection, [.dataAdministration], ["Art. 18"]),
            cmd(.startVerification, [.dataProvider], ["Art. 18"], ["the provider named in the objection"]),
            cmd(.feedBackObjection, [.dataProvider], ["Art. 18"], ["the provider named in the objection"]),
            cmd(.correctObjection, [.dataProvider], ["Art. 18"], ["the provider named in the objection"]),
            cmd(
                .rejectObjection,
                [.dataProvider, .dataAdministration],
                ["Art. 18"],
                ["a provider only for its own objection"]
            ),
            cmd(.closeObjection, [.dataAdministration], ["Art. 18"]),
        ],
        transitions: [
            on(.raiseObjection, [start], "raised", "objection.raised", notify: [.dataAdministration]),
            on(
                .acceptObjection,
                ["raised"],
                "accepted",
                "objection.accepted",
                notify: [.dataProvider],
                opens: ["response"]
            ),
            on(.startVerification, ["accepted"], "verifying", "objection.verificationStarted"),
            on(
                .feedBackObjection,
                ["accepted", "verifying"],
                "fedBack",
                "objection.fedBack",
                notify: [.dataAdministration],
                closes: ["response"]
            ),
            on(.correctObjection, ["fedBack"], "corrected", "objection.corrected", notify: [.dataAdministration]),
            on(.rejectObjection, ["fedBack"], "rejected", "objection.rejected", notify: [.dataAdministration]),
            on(.closeObjection, ["corrected", "rejected"], "closed", "objection.closed"),
            TransitionDefinition(
                trigger: .deadline("response"),
                from: ["accepted", "verifying"],
                to: nil,
                event: "objection.escalated",
                notifies: [.dataAdministration],
                opensDeadlines: ["response"],
                closesDeadlines: ["response"]
            ),
        ],
        deadlines: [
            DeadlineDefinition(
                key: "response",
                rule: "the end of `objectionResponseWorkingDays` working days after acceptance; overdue → escalation, "
                    + "re-armed for as many working days after each escalation, at most `objectionEscalationLimit` times",
                event: "objection.escalated"
            )
        ]
    )

    /// 考核评价 (Art. 33, seed 001 §8): one stream per agreement, one period at a time.
    public static let evaluation = ProcessDefinition(
        kind: .evaluation,
        title: "Evaluation (Art. 33)",
        states: ["opened", "reported", "rated", "exiting", "exited"],
        finalStates: ["exited"],
        commands: [
            cmd(
                .openEvaluation,
                [.dataAdministration, .implementingAgency],
                ["Art. 33"],
                ["the agreement is active or suspended"]
            ),
            cmd(.submitOperatorReport, [.operator], ["Art. 21", "Art. 33"], ["the operator of the agreement"]),
            cmd(
                .rateOperator,
                [.dataAdministration, .implementingAgency],
                ["Art. 33"],
                [
                    "every rating is reported to the data administration",
                    "the N-th consecutive poor rating (policy; 0: never) orders the exit",
                ]
            ),
        ],
        transitions: [
            on(.openEvaluation, [start, "rated"], "opened", "evaluation.opened", notify: [.operator]),
            on(.submitOperatorReport, ["opened"], "reported", "evaluation.reported"),
            on(.rateOperator, ["reported"], "rated", "evaluation.rated", notify: [.operator, .dataAdministration]),
            on(
                .rateOperator,
                ["reported"],
                "exiting",
                "evaluation.exitOrdered",
                notify: [.operator, .implementingAgency, .dataAdministration],
                opens: ["exit"]
            ),
            when("exit", ["exiting"], "exited", "evaluation.exitCompleted", notify: [.dataAdministration]),
        ],
        deadlines: [
            DeadlineDefinition(
                key: "exit",
                rule: "immediately: terminate the agreement, then its exit procedure",
                event: "evaluation.exitCompleted"
            )
        ]
    )

    /// Usage and settlement (Art. 21–24): one stream per agreement.
    public static let settlement = ProcessDefinition(
        kind: .settlement,
        title: "Usage and settlement (Art. 21–24)",
        states: ["open", "closed", "distributed", "settled"],
        finalStates: ["settled"],
        commands: [
            cmd(
                .recordUsage,
                [.operator],
                ["Art. 22", "Art. 28"],
                [
                    "the operator of the product", "the product is published", "the unit is the plan's unit",
                    "a duplicate key is counted once", "the purpose comes from the active scenario",
                ]
            ),
            cmd(
                .closeSettlementPeriod,
                [.implementingAgency, .dataAdministration],
                ["Art. 21"],
                ["a period closes once", "every subscription is rated into an invoice"]
            ),
            cmd(.distributeRevenue, [.financeDepartment], ["Art. 23", "Art. 24"], ["weights are not all zero"]),
            cmd(.settleAccounts, [.implementingAgency, .financeDepartment], ["Art. 21"]),
        ],
        transitions: [
            on(.recordUsage, [start, "open", "closed", "distributed"], "open", "settlement.usageRecorded"),
            on(
                .closeSettlementPeriod,
                ["open"],
                "closed",
                "settlement.periodClosed",
                notify: [.operator, .financeDepartment]
            ),
            on(.distributeRevenue, ["closed"], "distributed", "settlement.revenueDistributed", notify: [.operator]),
            on(
                .settleAccounts,
                [start, "open", "closed", "distributed"],
                "settled",
                "settlement.accountsSettled",
                notify: [.operator]
            ),
            TransitionDefinition(
                trigger: .exit,
                from: [start, "open", "closed", "distributed"],
                to: "settled",
                event: "settlement.settledOnExit",
                notifies: [.operator, .financeDepartment]
            ),
        ]
    )

    /// 数据反哺 (seed 001).
    public static let feedback = ProcessDefinition(
        kind: .feedback,
        title: "Data feedback (seed 001)",
        states: ["offered", "reviewing", "accepted", "rejected"],
        finalStates: ["accepted", "rejected"],
        commands: [
            cmd(.offerFeedback, [.operator], ["seed 001"], ["the operator of the agreement"]),
            cmd(.startFeedbackReview, [.dataAdministration, .industryDepartment], ["seed 001"]),
            cmd(
                .acceptFeedback,
                [.dataAdministration, .industryDepartment],
                ["seed 001"],
                ["the proposed entry id is not in the catalog yet"]
            ),
            cmd(.rejectFeedback, [.dataAdministration, .industryDepartment], ["seed 001"], ["a reason"]),
        ],
        transitions: [
            on(.offerFeedback, [start], "offered", "feedback.offered", notify: [.dataAdministration]),
            on(.startFeedbackReview, ["offered"], "reviewing", "feedback.reviewStarted"),
            on(.acceptFeedback, ["reviewing"], "accepted", "feedback.accepted", notify: [.operator]),
            on(.rejectFeedback, ["reviewing"], "rejected", "feedback.rejected", notify: [.operator]),
        ]
    )
}
