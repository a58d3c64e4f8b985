import PublicDataModel
import PublicDataPricing

/// A command a party issues to the workflow engine; each case is one ``CommandName``.
///
/// ```swift
/// let outcome = try await engine.execute(.submitPlan("plan-fin"), by: agencyClerk)
/// ```
public enum WorkflowCommand: Sendable, Hashable {
    /// See ``CommandName/publishCatalogEntry``.
    case publishCatalogEntry(CatalogEntry)
    /// See ``CommandName/draftPlan``.
    case draftPlan(ImplementationPlan)
    /// See ``CommandName/submitPlan``.
    case submitPlan(PlanID)
    /// See ``CommandName/approvePlan``.
    case approvePlan(PlanID)
    /// See ``CommandName/returnPlan``.
    case returnPlan(PlanID, reason: String)
    /// See ``CommandName/publishPlan``.
    case publishPlan(PlanID)
    /// See ``CommandName/amendPlan``.
    case amendPlan(ImplementationPlan)
    /// See ``CommandName/announceSelection``.
    case announceSelection(SelectionAnnouncement)
    /// See ``CommandName/applyForSelection``.
    case applyForSelection(SelectionID, OperatorApplication)
    /// See ``CommandName/closeApplications``.
    case closeApplications(SelectionID)
    /// See ``CommandName/reviewQualifications``.
    case reviewQualifications(SelectionID)
    /// See ``CommandName/selectOperator``.
    case selectOperator(SelectionID, candidate: PartyID)
    /// See ``CommandName/failSelection``.
    case failSelection(SelectionID, reason: String)
    /// See ``CommandName/draftAgreement``.
    case draftAgreement(AgreementTerms, selection: SelectionID)
    /// See ``CommandName/recordCollectiveDecision``.
    case recordCollectiveDecision(AgreementID, minutes: String)
    /// See ``CommandName/signAgreement``.
    case signAgreement(AgreementID)
    /// See ``CommandName/fileAgreement``.
    case fileAgreement(AgreementID, filingNumber: String)
    /// See ``CommandName/activateAgreement``.
    case activateAgreement(AgreementID)
    /// See ``CommandName/suspendAgreement``.
    case suspendAgreement(AgreementID, reason: String)
    /// See ``CommandName/resumeAgreement``.
    case resumeAgreement(AgreementID)
    /// See ``CommandName/terminateAgreement``.
    case terminateAgreement(AgreementID, reason: String)
    /// See ``CommandName/revokeAgreement``.
    case revokeAgreement(AgreementID, reason: String)
    /// See ``CommandName/applyRegistration``.
    case applyRegistration(RegistrationApplication)
    /// See ``CommandName/acceptRegistration``.
    case acceptRegistration(RegistrationID)
    /// See ``CommandName/completeFormalReview``.
    case completeFormalReview(RegistrationID, passed: Bool, note: String)
    /// See ``CommandName/issueRegistrationCode``.
    case issueRegistrationCode(RegistrationID, code: String)
    /// See ``CommandName/renewRegistration``.
    case renewRegistration(RegistrationID)
    /// See ``CommandName/submitDataRequest``.
    case submitDataRequest(DataRequestSpec)
    /// See ``CommandName/evaluateDataRequest``.
    case evaluateDataRequest(DataRequestID)
    /// See ``CommandName/coReviewDataRequest``.
    case coReviewDataRequest(DataRequestID, approve: Bool, note: String)
    /// See ``CommandName/provisionData``.
    case provisionData(DataRequestID, note: String)
    /// See ``CommandName/revokeGrant``.
    case revokeGrant(DataRequestID, reason: String)
    /// See ``CommandName/draftProduct``.
    case draftProduct(ProductSpec)
    /// See ``CommandName/assessProductCompliance``.
    case assessProductCompliance(ProductID)
    /// See ``CommandName/fileProduct``.
    case fileProduct(ProductID)
    /// See ``CommandName/registerProduct``.
    case registerProduct(ProductID, registration: RegistrationID?)
    /// See ``CommandName/publishProduct``.
    case publishProduct(ProductID, plan: PricePlan)
    /// See ``CommandName/setFeeCap``.
    case setFeeCap(ProductID, FeeCap)
    /// See ``CommandName/withdrawProduct``.
    case withdrawProduct(ProductID, reason: String)
    /// See ``CommandName/applyScenario``.
    case applyScenario(ScenarioSpec)
    /// See ``CommandName/assessScenario``.
    case assessScenario(ScenarioID)
    /// See ``CommandName/fileScenario``.
    case fileScenario(ScenarioID)
    /// See ``CommandName/activateScenario``.
    case activateScenario(ScenarioID)
    /// See ``CommandName/raiseObjection``.
    case raiseObjection(ObjectionSpec)
    /// See ``CommandName/acceptObjection``.
    case acceptObjection(ObjectionID)
    /// See ``CommandName/startVerification``.
    case startVerification(ObjectionID)
    /// See ``CommandName/feedBackObjection``.
    case feedBackObjection(ObjectionID, finding: String)
    /// See ``CommandName/correctObjection``.
    case correctObjection(ObjectionID, note: String)
    /// See ``CommandName/rejectObjection``.
    case rejectObjection(ObjectionID, reason: String)
    /// See ``CommandName/closeObjection``.
    case closeObjection(ObjectionID)
    /// See ``CommandName/openEvaluation``.
    case openEvaluation(AgreementID, period: EvaluationID)
    /// See ``CommandName/submitOperatorReport``.
    case submitOperatorReport(AgreementID, report: String)
    /// See ``CommandName/rateOperator``.
    case rateOperator(AgreementID, rating: EvaluationRating)
    /// See ``CommandName/recordUsage``.
    case recordUsage(AgreementID, UsageSpec)
    /// See ``CommandName/closeSettlementPeriod``.
    case closeSettlementPeriod(AgreementID, period: BillingPeriod)
    /// See ``CommandName/distributeRevenue``.
    case distributeRevenue(AgreementID, shares: [RevenueShare])
    /// See ``CommandName/settleAccounts``.
    case settleAccounts(AgreementID)
    /// See ``CommandName/offerFeedback``.
    case offerFeedback(FeedbackSpec)
    /// See ``CommandName/startFeedbackReview``.
    case startFeedbackReview(FeedbackID)
    /// See ``CommandName/acceptFeedback``.
    case acceptFeedback(FeedbackID)
    /// See ``CommandName/rejectFeedback``.
    case rejectFeedback(FeedbackID, reason: String)

    /// The command's name.
    public var name: CommandName {
        switch self {
        case .publishCatalogEntry: .publishCatalogEntry
        case .draftPlan: .draftPlan
        case .submitPlan: .submitPlan
        case .approvePlan: .approvePlan
        case .returnPlan: .returnPlan
        case .publishPlan: .publishPlan
        case .amendPlan: .amendPlan
        case .announceSelection: .announceSelection
        case .applyForSelection: .applyForSelection
        case .closeApplications: .closeApplications
        case .reviewQualifications: .reviewQualifications
        case .selectOperator: .selectOperator
        case .failSelection: .failSelection
        case .draftAgreement: .draftAgreement
        case .recordCollectiveDecision: .recordCollectiveDecision
        case .signAgreement: .signAgreement
        case .fileAgreement: .fileAgreement
        case .activateAgreement: .activateAgreement
        case .suspendAgreement: .suspendAgreement
        case .resumeAgreement: .resumeAgreement
        case .terminateAgreement: .terminateAgreement
        case .revokeAgreement: .revokeAgreement
        case .applyRegistration: .applyRegistration
        case .acceptRegistration: .acceptRegistration
        case .completeFormalReview: .completeFormalReview
        case .issueRegistrationCode: .issueRegistrationCode
        case .renewRegistration: .renewRegistration
        case .submitDataRequest: .submitDataRequest
        case .evaluateDataRequest: .evaluateDataRequest
        case .coReviewDataRequest: .coReviewDataRequest
        case .provisionData: .provisionData
        case .revokeGrant: .revokeGrant
        case .draftProduct: .draftProduct
        case .assessProductCompliance: .assessProductCompliance
        case .fileProduct: .fileProduct
        case .registerProduct: .registerProduct
        case .publishProduct: .publishProduct
        case .setFeeCap: .setFeeCap
        case .withdrawProduct: .withdrawProduct
        case .applyScenario: .applyScenario
        case .assessScenario: .assessScenario
        case .fileScenario: .fileScenario
        case .activateScenario: .activateScenario
        case .raiseObjection: .raiseObjection
        case .acceptObjection: .acceptObjection
        case .startVerification: .startVerification
        case .feedBackObjection: .feedBackObjection
        case .correctObjection: .correctObjection
        case .rejectObjection: .rejectObjection
        case .closeObjection: .closeObjection
        case .openEvaluation: .openEvaluation
        case .submitOperatorReport: .submitOperatorReport
        case .rateOperator: .rateOperator
        case .recordUsage: .recordUsage
        case .closeSettlementPeriod: .closeSettlementPeriod
        case .distributeRevenue: .distributeRevenue
        case .settleAccounts: .settleAccounts
        case .offerFeedback: .offerFeedback
        case .startFeedbackReview: .startFeedbackReview
        case .acceptFeedback: .acceptFeedback
        case .rejectFeedback: .rejectFeedback
        }
    }

    /// The stream the command changes.
    public var stream: StreamID {
        switch self {
        case .publishCatalogEntry(let entry): ProcessKind.catalog.stream(entry.id.rawValue)
        case .draftPlan(let plan), .amendPlan(let plan): ProcessKind.implementationPlan.stream(plan.id.rawValue)
        case .submitPlan(let id), .approvePlan(let id), .returnPlan(let id, _), .publishPlan(let id):
            ProcessKind.implementationPlan.stream(id.rawValue)
        case .announceSelection(let announcement): ProcessKind.operatorSelection.stream(announcement.id.rawValue)
        case .applyForSelection(let id, _), .closeApplications(let id), .reviewQualifications(let id),
            .selectOperator(let id, _), .failSelection(let id, _):
            ProcessKind.operatorSelection.stream(id.rawValue)
        case .draftAgreement(let terms, _): ProcessKind.agreement.stream(terms.id.rawValue)
        case .recordCollectiveDecision(let id, _), .signAgreement(let id), .fileAgreement(let id, _),
            .activateAgreement(let id), .suspendAgreement(let id, _), .resumeAgreement(let id),
            .terminateAgreement(let id, _), .revokeAgreement(let id, _):
            ProcessKind.agreement.stream(id.rawValue)
        case .applyRegistration(let application): ProcessKind.registration.stream(application.id.rawValue)
        case .acceptRegistration(let id), .completeFormalReview(let id, _, _), .issueRegistrationCode(let id, _),
            .renewRegistration(let id):
            ProcessKind.registration.stream(id.rawValue)
        case .submitDataRequest(let request): ProcessKind.dataRequest.stream(request.id.rawValue)
        case .evaluateDataRequest(let id), .coReviewDataRequest(let id, _, _), .provisionData(let id, _),
            .revokeGrant(let id, _):
            ProcessKind.dataRequest.stream(id.rawValue)
        case .draftProduct(let product): ProcessKind.product.stream(product.id.rawValue)
        case .assessProductCompliance(let id), .fileProduct(let id), .registerProduct(let id, _),
            .publishProduct(let id, _), .withdrawProduct(let id, _), .setFeeCap(let id, _):
            ProcessKind.product.stream(id.rawValue)
        case .applyScenario(let scenario): ProcessKind.scenario.stream(scenario.id.rawValue)
        case .assessScenario(let id), .fileScenario(let id), .activateScenario(let id):
            ProcessKind.scenario.stream(id.rawValue)
        case .raiseObjection(let objection): ProcessKind.objection.stream(objection.id.rawValue)
        case .acceptObjection(let id), .startVerification(let id), .feedBackObjection(let id, _),
            .correctObjection(let id, _), .rejectObjection(let id, _), .closeObjection(let id):
            ProcessKind.objection.stream(id.rawValue)
        case .openEvaluation(let id, _), .submitOperatorReport(let id, _), .rateOperator(let id, _):
            ProcessKind.evaluation.stream(id.rawValue)
        case .recordUsage(let id, _), .closeSettlementPeriod(let id, _), .distributeRevenue(let id, _),
            .settleAccounts(let id):
            ProcessKind.settlement.stream(id.rawValue)
        case .offerFeedback(let offer): ProcessKind.feedback.stream(offer.id.rawValue)
        case .startFeedbackReview(let id), .acceptFeedback(let id), .rejectFeedback(let id, _):
            ProcessKind.feedback.stream(id.rawValue)
        }
    }
}
