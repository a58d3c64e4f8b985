import Foundation

/// The tunable numbers and sets of a policy. Rules refer to them by name, so a deployment changes a
/// parameter without touching rules. Every default below is Beijing's (or the national rule Beijing sits
/// under); the comment on each names its source.
public struct PolicyParameters: Codable, Sendable, Hashable {
    /// Purposes whose products are free with conditions. Default: public governance, public welfare (Art. 22; 65号).
    public var freePurposes: Set<Purpose>
    /// The longest authorization term, in years. Default 5 (实施规范, 发改数据规〔2025〕27号).
    public var termCapYears: Int
    /// Grades that are never authorized. Default: core (Art. 5, classification and grading protection).
    public var neverAuthorizableGrades: Set<DataGrade>
    /// Grades that get stricter obligations. Default: important (Art. 28, "usable but invisible").
    public var stricterObligationGrades: Set<DataGrade>
    /// Sharing attributes that need industry-department co-review. Default: conditional (Art. 16).
    public var coReviewSharing: Set<SharingAttribute>
    /// Delivery methods allowed for co-reviewed data. Default: privacy computing (Art. 16).
    public var conditionalDelivery: Set<DeliveryMethod>
    /// Data sources that need their provider's consent. Default: national ministry, other region (Art. 19).
    public var consentRequiredSources: Set<DataSource>
    /// Fair competitive selection methods. Default: open tender, invited tender, negotiation (Art. 12).
    public var selectionMethods: Set<SelectionMethod>
    /// Authorization modes in use. Default: whole, by domain, by scenario (Art. 10).
    public var authorizationModes: Set<AuthorizationMode>
    /// Working days the data provider has to answer a quality objection. Default 5 (Art. 18 is silent; DOMAIN).
    public var objectionResponseWorkingDays: Int
    /// How many times an overdue objection escalates to the data administration. Default 1 (DOMAIN).
    public var objectionEscalationLimit: Int
    /// Working days of public notice before a registration code is issued. Default 5 (26号, per summaries).
    public var registrationNoticeWorkingDays: Int
    /// Years a registration stays valid before renewal. Default 3 (26号, per summaries).
    public var registrationValidityYears: Int
    /// Days before an agreement's end at which the parties are reminded. Default 90 (a deployment choice).
    public var agreementExpiryNoticeDays: Int
    /// Consecutive poor evaluations that terminate an operator. Default 2 (87号 §8; Art. 33). 0 means no
    /// automatic exit: poor ratings only give notice or an interview, and the implementing agency terminates by
    /// an explicit decision (DOMAIN's alternative).
    public var consecutivePoorRatingsForExit: Int
    /// Month of the yearly disclosure deadline. Default 3 (national notice 2026: by the end of March).
    public var disclosureDeadlineMonth: Int
    /// Day of the yearly disclosure deadline. Default 31.
    public var disclosureDeadlineDay: Int
    /// Working days after signing to file an agreement with the data administration. Default 10 (Art. 13 is
    /// silent on the time; a deployment choice).
    public var agreementFilingWorkingDays: Int
    /// Working days after its assessment to file a downstream scenario with the implementing agency.
    /// Default 10 (Art. 20 is silent on the time).
    public var scenarioFilingWorkingDays: Int
    /// Working days after release to file a product (Art. 27 says "及时", promptly). Default 10.
    public var productFilingWorkingDays: Int
    /// Months of operation during which a trial fee applies before a full year. Default 12 (65号).
    public var trialFeeMonths: Int
    /// Working days after an evaluation period opens for the operator to submit its report; when they pass,
    /// the period may be rated with the report recorded as not provided. Default 20 (Art. 33 and 87号 §8 are
    /// silent on the time; about one calendar month, a deployment choice).
    public var operatorReportWorkingDays: Int
    /// Whether a catalog entry needs a valid registration (a registration code within its validity) before a data
    /// request for it is granted: 1 (on) or 0 (off). Default 1 (Art. 9 "应当进行登记"; 26号: registration is
    /// mandatory for data in an authorized scope).
    public var registrationBeforeGrant: Int
    /// Days before the yearly disclosure deadline at which the implementing agency and the operator are reminded.
    /// Default 30 (the national notice sets the deadline, not the reminder; a deployment choice).
    public var disclosureReminderDays: Int
    /// The most personal-information fields an operator may hold in total across its grants; a request that would
    /// take it beyond is denied (Art. 30 关联汇聚). Default 50 (the Measures set no figure; a deployment choice).
    public var aggregationMaxPersonalInformationFields: Int
    /// The most entries graded important or core an operator may hold in total; a request beyond is denied
    /// (Art. 30, Art. 28). Default 10 (a deployment choice).
    public var aggregationMaxImportantEntries: Int
    /// From this many entries held in total, a grant carries an aggregation-risk obligation (Art. 30). Default 20
    /// (a deployment choice).
    public var aggregationReviewEntries: Int
    /// From this many owning departments supplying the operator's holdings, a grant carries an aggregation-risk
    /// obligation (Art. 30). Default 4 (a deployment choice).
    public var aggregationReviewDepartments: Int
    /// Days in one period of a filed use's feedback: the operator reports its use and effect by the end of each
    /// (87号 §6(2) "按相关约定定期反馈数据应用情况和支撑应用场景效果" sets no period). Default 90, quarterly (a
    /// deployment choice).
    public var useFeedbackPeriodDays: Int = 90
    /// Days before the end of a feedback period at which the operator is reminded; 0: no reminder (87号 §6(2)
    /// is silent). Default 10 (a deployment choice).
    public var useFeedbackReminderDays: Int = 10
    /// The security duties an operator must meet before a new data request is granted: a valid graded-protection
    /// filing, graded-protection evaluation and data security risk assessment, and a named security officer
    /// (Art. 31; 87号 §7). Default: all four. Empty turns the block off.
    public var securityDutiesBeforeGrant: Set<SecurityDuty>
    /// Months a graded-protection filing (等保定级备案) is taken as valid from its filing day before it is confirmed
    /// again. Default 36 (公通字〔2007〕43号 sets no term for a filing, only re-filing on change; a deployment choice).
    public var securityFilingValidityMonths: Int
    /// Months a graded-protection evaluation (等级测评) stays valid. Default 12 (公通字〔2007〕43号 Art. 14: a level-3
    /// system is evaluated at least once a year).
    public var securityEvaluationValidityMonths: Int
    /// Months a data security risk assessment (数据安全风险评估) stays valid. Default 12 (网络数据安全管理条例 2024
    /// Art. 33: important-data handlers assess every year; 数据安全法 Art. 30 "定期").
    public var securityRiskAssessmentValidityMonths: Int
    /// Days before a security record expires at which the operator is reminded. Default 30 (a deployment choice).
    public var securityReminderDays: Int

    /// Creates parameters; every argument defaults to the Beijing value.
    public init(
        freePurposes: Set<Purpose> = [.publicGovernance, .publicWelfare],
        termCapYears: Int = 5,
        neverAuthorizableGrades: Set<DataGrade> = [.core],
        stricterObligationGrades: Set<DataGrade> = [.important],
        coReviewSharing: Set<SharingAttribute> = [.conditional],
        conditionalDelivery: Set<DeliveryMethod> = [.privacyComputing],
        consentRequiredSources: Set<DataSource> = [.nationalMinistry, .otherRegion],
        selectionMethods: Set<SelectionMethod> = [.openTender, .invitedTender, .negotiation],
        authorizationModes: Set<AuthorizationMode> = [.whole, .byDomain, .byScenario],
        objectionResponseWorkingDays: Int = 5,
        objectionEscalationLimit: Int = 1,
        registrationNoticeWorkingDays: Int = 5,
        registrationValidityYears: Int = 3,
        agreementExpiryNoticeDays: Int = 90,
        consecutivePoorRatingsForExit: Int = 2,
        disclosureDeadlineMonth: Int = 3,
        disclosureDeadlineDay: Int = 31,
        agreementFilingWorkingDays: Int = 10,
        scenarioFilingWorkingDays: Int = 10,
        productFilingWorkingDays: Int = 10,
        trialFeeMonths: Int = 12,
        operatorReportWorkingDays: Int = 20,
        registrationBeforeGrant: Int = 1,
        disclosureReminderDays: Int = 30,
        aggregationMaxPersonalInformationFields: Int = 50,
        aggregationMaxImportantEntries: Int = 10,
        aggregationReviewEntries: Int = 20,
        aggregationReviewDepartments: Int = 4,
        securityDutiesBeforeGrant: Set<SecurityDuty> = Set(SecurityDuty.allCases),
        securityFilingValidityMonths: Int = 36,
        securityEvaluationValidityMonths: Int = 12,
        securityRiskAssessmentValidityMonths: Int = 12,
        securityReminderDays: Int = 30
    ) {
        self.securityDutiesBeforeGrant = securityDutiesBeforeGrant
        self.securityFilingValidityMonths = securityFilingValidityMonths
        self.securityEvaluationValidityMonths = securityEvaluationValidityMonths
        self.securityRiskAssessmentValidityMonths = securityRiskAssessmentValidityMonths
        self.securityReminderDays = securityReminderDays
        self.aggregationMaxPersonalInformationFields = aggregationMaxPersonalInformationFields
        self.aggregationMaxImportantEntries = aggregationMaxImportantEntries
        self.aggregationReviewEntries = aggregationReviewEntries
        self.aggregationReviewDepartments = aggregationReviewDepartments
        self.freePurposes = freePurposes
        self.termCapYears = termCapYears
        self.neverAuthorizableGrades = neverAuthorizableGrades
        self.stricterObligationGrades = stricterObligationGrades
        self.coReviewSharing = coReviewSharing
        self.conditionalDelivery = conditionalDelivery
        self.consentRequiredSources = consentRequiredSources
        self.selectionMethods = selectionMethods
        self.authorizationModes = authorizationModes
        self.objectionResponseWorkingDays = objectionResponseWorkingDays
        self.objectionEscalationLimit = objectionEscalationLimit
        self.registrationNoticeWorkingDays = registrationNoticeWorkingDays
        self.registrationValidityYears = registrationValidityYears
        self.agreementExpiryNoticeDays = agreementExpiryNoticeDays
        self.consecutivePoorRatingsForExit = consecutivePoorRatingsForExit
        self.disclosureDeadlineMonth = disclosureDeadlineMonth
        self.disclosureDeadlineDay = disclosureDeadlineDay
        self.agreementFilingWorkingDays = agreementFilingWorkingDays
        self.scenarioFilingWorkingDays = scenarioFilingWorkingDays
        self.productFilingWorkingDays = productFilingWorkingDays
        self.trialFeeMonths = trialFeeMonths
        self.operatorReportWorkingDays = operatorReportWorkingDays
        self.registrationBeforeGrant = registrationBeforeGrant
        self.disclosureReminderDays = disclosureReminderDays
    }

    /// Beijing's defaults.
    public static let beijing = PolicyParameters()

    /// Decodes the parameters object of the policy format (strictly: see ``Policy/load(from:limits:)``).
    /// - Throws: `DecodingError` listing every problem.
    public init(from decoder: any Decoder) throws {
        let value = try JSONValue(from: decoder)
        var issues: [ValidationIssue] = []
        let parsed = PolicyParameters.parse(value, path: "$", issues: &issues)
        guard issues.isEmpty else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: decoder.codingPath,
                    debugDescription: issues.map(\.description).joined(separator: "; ")
                )
            )
        }
        self = parsed
    }

    /// Encodes the parameters object of the policy format (sets as sorted arrays of values).
    /// - Throws: `EncodingError`.
    public func encode(to encoder: any Encoder) throws {
        try jsonValue.encode(to: encoder)
    }
}

/// The value of a parameter as rules see it.
enum ParameterValue: Sendable, Hashable {
    case int(Int)
    case symbols(UInt64)
}

/// Describes one parameter: its name, type, meaning and source.
public struct ParameterDescriptor: Sendable {
    /// The parameter's name in the policy format.
    public var name: String
    /// Its type: ``AttributeType/int`` or a ``AttributeType/symbolSet(_:)``.
    public var type: AttributeType
    /// What it means and where the default comes from.
    public var summary: String
    /// The smallest allowed value of an integer parameter.
    public var minimum: Int
    /// The largest allowed value of an integer parameter.
    public var maximum: Int
    /// Whether a policy file may leave it out (it then takes the Beijing default): parameters added after files
    /// were written, so that those files still load.
    public var mayBeOmitted: Bool = false
    let get: @Sendable (PolicyParameters) -> ParameterValue
    let set: @Sendable (inout PolicyParameters, ParameterValue) -> Void
}

private func intParameter(
    _ name: String,
    _ summary: String,
    _ range: ClosedRange<Int>,
    mayBeOmitted: Bool = false,
    get: @escaping @Sendable (PolicyParameters) -> Int,
    set: @escaping @Sendable (inout PolicyParameters, Int) -> Void
) -> ParameterDescriptor {
    ParameterDescriptor(
        name: name,
        type: .int,
        summary: summary,
        minimum: range.lowerBound,
        maximum: range.upperBound,
        mayBeOmitted: mayBeOmitted,
        get: { .int(get($0)) },
        set: { parameters, value in if case .int(let number) = value { set(&parameters, number) } }
    )
}

private func setParameter<T: Symbolic>(
    _ name: String,
    _ domain: SymbolDomain,
    _ summary: String,
    _: T.Type,
    mayBeOmitted: Bool = false,
    get: @escaping @Sendable (PolicyParameters) -> Set<T>,
    set: @escaping @Sendable (inout PolicyParameters, Set<T>) -> Void
) -> ParameterDescriptor {
    ParameterDescriptor(
        name: name,
        type: .symbolSet(domain),
        summary: summary,
        minimum: 0,
        maximum: 0,
        mayBeOmitted: mayBeOmitted,
        get: { .symbols(T.mask(get($0))) },
        set: { parameters, value in if case .symbols(let mask) = value { set(&parameters, T.set(from: mask)) } }
    )
}

extension PolicyParameters {
    /// Every parameter of the policy format, in the order the format documents them.
    public static let descriptors: [ParameterDescriptor] = [
        setParameter(
            "freePurposes",
            .purpose,
            "Purposes that are free with conditions (Art. 22; 65号).",
            Purpose.self,
            get: { $0.freePurposes },
            set: { $0.freePurposes = $1 }
        ),
        intParameter(
            "termCapYears",
            "Longest authorization term in years (27号).",
            1...100,
            get: { $0.termCapYears },
            set: { $0.termCapYears = $1 }
        ),
        setParameter(
            "neverAuthorizableGrades",
            .grade,
            "Grades never authorized (Art. 5).",
            DataGrade.self,
            get: { $0.neverAuthorizableGrades },
            set: { $0.neverAuthorizableGrades = $1 }
        ),
        setParameter(
            "stricterObligationGrades",
            .grade,
            "Grades with stricter obligations (Art. 28).",
            DataGrade.self,
            get: { $0.stricterObligationGrades },
            set: { $0.stricterObligationGrades = $1 }
        ),
        setParameter(
            "coReviewSharing",
            .sharing,
            "Sharing attributes needing co-review (Art. 16).",
            SharingAttribute.self,
            get: { $0.coReviewSharing },
            set: { $0.coReviewSharing = $1 }
        ),
        setParameter(
            "conditionalDelivery",
            .delivery,
            "Delivery methods for co-reviewed data (Art. 16).",
            DeliveryMethod.self,
            get: { $0.conditionalDelivery },
            set: { $0.conditionalDelivery = $1 }
        ),
        setParameter(
            "consentRequiredSources",
            .source,
            "Sources needing the provider's consent (Art. 19).",
            DataSource.self,
            get: { $0.consentRequiredSources },
            set: { $0.consentRequiredSources = $1 }
        ),
        setParameter(
            "selectionMethods",
            .selectionMethod,
            "Fair competitive selection methods (Art. 12).",
            SelectionMethod.self,
            get: { $0.selectionMethods },
            set: { $0.selectionMethods = $1 }
        ),
        setParameter(
            "authorizationModes",
            .authorizationMode,
            "Authorization modes in use (Art. 10).",
            AuthorizationMode.self,
            get: { $0.authorizationModes },
            set: { $0.authorizationModes = $1 }
        ),
        intParameter(
            "objectionResponseWorkingDays",
            "Working days to answer a quality objection (Art. 18; DOMAIN).",
            1...365,
            get: { $0.objectionResponseWorkingDays },
            set: { $0.objectionResponseWorkingDays = $1 }
        ),
        intParameter(
            "objectionEscalationLimit",
            "Escalations of an overdue objection (DOMAIN).",
            0...10,
            get: { $0.objectionEscalationLimit },
            set: { $0.objectionEscalationLimit = $1 }
        ),
        intParameter(
            "registrationNoticeWorkingDays",
            "Public notice before a registration code (26号).",
            0...365,
            get: { $0.registrationNoticeWorkingDays },
            set: { $0.registrationNoticeWorkingDays = $1 }
        ),
        intParameter(
            "registrationValidityYears",
            "Years a registration is valid (26号).",
            1...100,
            get: { $0.registrationValidityYears },
            set: { $0.registrationValidityYears = $1 }
        ),
        intParameter(
            "agreementExpiryNoticeDays",
            "Days of notice before an agreement ends.",
            0...3650,
            get: { $0.agreementExpiryNoticeDays },
            set: { $0.agreementExpiryNoticeDays = $1 }
        ),
        intParameter(
            "consecutivePoorRatingsForExit",
            "Consecutive poor ratings that terminate (87号 §8); 0: no automatic exit.",
            0...10,
            get: { $0.consecutivePoorRatingsForExit },
            set: { $0.consecutivePoorRatingsForExit = $1 }
        ),
        intParameter(
            "disclosureDeadlineMonth",
            "Month of the yearly disclosure deadline.",
            1...12,
            get: { $0.disclosureDeadlineMonth },
            set: { $0.disclosureDeadlineMonth = $1 }
        ),
        intParameter(
            "disclosureDeadlineDay",
            "Day of the yearly disclosure deadline.",
            1...31,
            get: { $0.disclosureDeadlineDay },
            set: { $0.disclosureDeadlineDay = $1 }
        ),
        intParameter(
            "agreementFilingWorkingDays",
            "Working days to file a signed agreement (Art. 13).",
            1...365,
            get: { $0.agreementFilingWorkingDays },
            set: { $0.agreementFilingWorkingDays = $1 }
        ),
        intParameter(
            "scenarioFilingWorkingDays",
            "Working days to file a downstream scenario (Art. 20).",
            1...365,
            get: { $0.scenarioFilingWorkingDays },
            set: { $0.scenarioFilingWorkingDays = $1 }
        ),
        intParameter(
            "productFilingWorkingDays",
            "Working days to file a released product (Art. 27).",
            1...365,
            get: { $0.productFilingWorkingDays },
            set: { $0.productFilingWorkingDays = $1 }
        ),
        intParameter(
            "trialFeeMonths",
            "Months under a trial fee before a full year (65号).",
            0...120,
            get: { $0.trialFeeMonths },
            set: { $0.trialFeeMonths = $1 }
        ),
        intParameter(
            "operatorReportWorkingDays",
            "Working days for the operator's evaluation report (Art. 33); a deployment choice.",
            1...365,
            get: { $0.operatorReportWorkingDays },
            set: { $0.operatorReportWorkingDays = $1 }
        ),
        intParameter(
            "registrationBeforeGrant",
            "1: an entry needs a valid registration before a grant (Art. 9; 26号); 0: not required.",
            0...1,
            get: { $0.registrationBeforeGrant },
            set: { $0.registrationBeforeGrant = $1 }
        ),
        intParameter(
            "disclosureReminderDays",
            "Days before the disclosure deadline at which the disclosers are reminded (Art. 32).",
            0...365,
            get: { $0.disclosureReminderDays },
            set: { $0.disclosureReminderDays = $1 }
        ),
        intParameter(
            "aggregationMaxPersonalInformationFields",
            "Most personal-information fields an operator holds in total (Art. 30); a deployment choice.",
            0...1_000_000,
            mayBeOmitted: true,
            get: { $0.aggregationMaxPersonalInformationFields },
            set: { $0.aggregationMaxPersonalInformationFields = $1 }
        ),
        intParameter(
            "aggregationMaxImportantEntries",
            "Most important or core entries an operator holds in total (Art. 30); a deployment choice.",
            0...1_000_000,
            mayBeOmitted: true,
            get: { $0.aggregationMaxImportantEntries },
            set: { $0.aggregationMaxImportantEntries = $1 }
        ),
        intParameter(
            "aggregationReviewEntries",
            "Entries held in total from which a grant carries an aggregation-risk obligation (Art. 30).",
            1...1_000_000,
            mayBeOmitted: true,
            get: { $0.aggregationReviewEntries },
            set: { $0.aggregationReviewEntries = $1 }
        ),
        intParameter(
            "aggregationReviewDepartments",
            "Owning departments in the holdings from which a grant carries an aggregation-risk obligation (Art. 30).",
            1...1_000_000,
            mayBeOmitted: true,
            get: { $0.aggregationReviewDepartments },
            set: { $0.aggregationReviewDepartments = $1 }
        ),
        intParameter(
            "useFeedbackPeriodDays",
            "Days in one feedback period of a filed use (87号 §6(2) 定期反馈); a deployment choice.",
            1...366,
            mayBeOmitted: true,
            get: { $0.useFeedbackPeriodDays },
            set: { $0.useFeedbackPeriodDays = $1 }
        ),
        intParameter(
            "useFeedbackReminderDays",
            "Days before a feedback period ends at which the operator is reminded; 0: none (87号 §6(2)).",
            0...365,
            mayBeOmitted: true,
            get: { $0.useFeedbackReminderDays },
            set: { $0.useFeedbackReminderDays = $1 }
        ),
        setParameter(
            "securityDutiesBeforeGrant",
            .securityDuty,
            "Security duties met before a new grant (Art. 31; 87号 §7); empty: no block.",
            SecurityDuty.self,
            mayBeOmitted: true,
            get: { $0.securityDutiesBeforeGrant },
            set: { $0.securityDutiesBeforeGrant = $1 }
        ),
        intParameter(
            "securityFilingValidityMonths",
            "Months a graded-protection filing is valid (87号 §7); a deployment choice.",
            1...120,
            mayBeOmitted: true,
            get: { $0.securityFilingValidityMonths },
            set: { $0.securityFilingValidityMonths = $1 }
        ),
        intParameter(
            "securityEvaluationValidityMonths",
            "Months a graded-protection evaluation is valid (87号 §7; 43号 Art. 14).",
            1...120,
            mayBeOmitted: true,
            get: { $0.securityEvaluationValidityMonths },
            set: { $0.securityEvaluationValidityMonths = $1 }
        ),
        intParameter(
            "securityRiskAssessmentValidityMonths",
            "Months a data security risk assessment is valid (Art. 31; 87号 §7).",
            1...120,
            mayBeOmitted: true,
            get: { $0.securityRiskAssessmentValidityMonths },
            set: { $0.securityRiskAssessmentValidityMonths = $1 }
        ),
        intParameter(
            "securityReminderDays",
            "Days before a security record expires at which the operator is reminded (87号 §7).",
            0...365,
            mayBeOmitted: true,
            get: { $0.securityReminderDays },
            set: { $0.securityReminderDays = $1 }
        ),
    ]

    static let descriptorsByName: [String: ParameterDescriptor] = Dictionary(
        uniqueKeysWithValues: descriptors.map { ($0.name, $0) }
    )

    /// The value of the named parameter, or `nil` when no such parameter exists.
    func value(named name: String) -> ParameterValue? {
        PolicyParameters.descriptorsByName[name]?.get(self)
    }

    /// Every value that is out of its documented range.
    public func validationIssues() -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        for descriptor in Self.descriptors {
            if case .int(let number) = descriptor.get(self), number < descriptor.minimum || number > descriptor.maximum
            {
                issues.append(
                    ValidationIssue(
                        path: "$.parameters.\(descriptor.name)",
                        message: "must be between \(descriptor.minimum) and \(descriptor.maximum), got \(number)"
                    )
                )
            }
        }
        if let date = CivilDate(year: 2024, month: max(1, min(12, disclosureDeadlineMonth)), day: 1),
            disclosureDeadlineDay > CivilDate.daysInMonth(year: date.year, month: date.month)
        {
            issues.append(
                ValidationIssue(
                    path: "$.parameters.disclosureDeadlineDay",
                    message: "month \(disclosureDeadlineMonth) has no day \(disclosureDeadlineDay)"
                )
            )
        }
        return issues
    }

    var jsonValue: JSONValue {
        .object(
            Self.descriptors.map { descriptor in
                switch descriptor.get(self) {
                case .int(let number): (descriptor.name, .int(number))
                case .symbols(let mask):
                    (descriptor.name, .array(symbolNames(mask, descriptor.type).map { .string($0) }))
                }
            }
        )
    }

    static func parse(_ value: JSONValue, path: String, issues: inout [ValidationIssue]) -> PolicyParameters {
        var result = PolicyParameters()
        guard case .object(let members) = value else {
            issues.append(
                ValidationIssue(path: path, message: "expected an object of parameters, got \(value.kindName)")
            )
            return result
        }
        var seen: Set<String> = []
        for (name, member) in members {
            let memberPath = "\(path).\(name)"
            guard let descriptor = descriptorsByName[name] else {
                issues.append(ValidationIssue(path: memberPath, message: "unknown parameter \"\(name)\""))
                continue
            }
            seen.insert(name)
            switch descriptor.type {
            case .int:
                guard case .int(let number) = member else {
                    issues.append(
                        ValidationIssue(path: memberPath, message: "expected an integer, got \(member.kindName)")
                    )
                    continue
                }
                if number < descriptor.minimum || number > descriptor.maximum {
                    issues.append(
                        ValidationIssue(
                            path: memberPath,
                            message: "must be between \(descriptor.minimum) and \(descriptor.maximum), got \(number)"
                        )
                    )
                    continue
                }
                descriptor.set(&result, .int(number))
            case .symbolSet(let domain):
                if let mask = parseSymbols(member, domain: domain, path: memberPath, issues: &issues) {
                    descriptor.set(&result, .symbols(mask))
                }
            default:
                break
            }
        }
        for descriptor in descriptors where !seen.contains(descriptor.name) && !descriptor.mayBeOmitted {
            issues.append(ValidationIssue(path: "\(path).\(descriptor.name)", message: "missing parameter"))
        }
        if issues.isEmpty {
            issues += result.validationIssues().map { ValidationIssue(path: $0.path, message: $0.message) }
        }
        return result
    }
}

func symbolNames(_ mask: UInt64, _ type: AttributeType) -> [String] {
    let domain: SymbolDomain
    switch type {
    case .symbol(let d), .symbolSet(let d): domain = d
    default: return []
    }
    return domain.values.enumerated().filter { mask & (1 << UInt64($0.offset)) != 0 }.map(\.element).sorted()
}

/// Parses an array of vocabulary values into a bit mask, reporting unknown values and wrong types.
func parseSymbols(_ value: JSONValue, domain: SymbolDomain, path: String, issues: inout [ValidationIssue]) -> UInt64? {
    guard case .array(let items) = value else {
        issues.append(
            ValidationIssue(
                path: path,
                message: "expected an array of \(domain.rawValue) values, got \(value.kindName)"
            )
        )
        return nil
    }
    let names = domain.values
    var mask: UInt64 = 0
    var ok = true
    for (index, item) in items.enumerated() {
        guard case .string(let text) = item else {
            issues.append(
                ValidationIssue(path: "\(path)[\(index)]", message: "expected a string, got \(item.kindName)")
            )
            ok = false
            continue
        }
        guard let position = names.firstIndex(of: text) else {
            issues.append(
                ValidationIssue(
                    path: "\(path)[\(index)]",
                    message: "unknown \(domain.rawValue) \"\(text)\"; expected one of \(names.joined(separator: ", "))"
                )
            )
            ok = false
            continue
        }
        mask |= 1 << UInt64(position)
    }
    return ok ? mask : nil
}
