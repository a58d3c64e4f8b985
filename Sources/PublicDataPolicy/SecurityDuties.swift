/// An operator's standing security duties (Art. 31; 87号 §7): the records it keeps valid and the officer it names.
///
/// 87号 §7(二) asks the operator to grade and file its systems under the national graded-protection scheme
/// (等级保护定级备案) and to run graded-protection evaluations (等级测评) and data security risk assessments
/// (数据安全风险评估) periodically; §7(一) asks it to name the person responsible for data security (数据安全责任人).
/// Art. 31 puts risk assessment inside the city's security-inspection regime. The data-request decision point sees
/// the duties an operator does not meet as the attribute `operator.unmetSecurityDuties`; the Beijing default policy
/// denies a new grant while one of the duties in the parameter `securityDutiesBeforeGrant` is unmet
/// (`dr.operator-security`).
public enum SecurityDuty: String, Codable, Sendable, CaseIterable, Hashable, Comparable {
    /// 等级保护定级备案: the graded-protection filing of the operator's systems, with its protection level.
    case gradedProtectionFiling = "graded_protection_filing"
    /// 等级测评: the periodic graded-protection evaluation.
    case gradedProtectionEvaluation = "graded_protection_evaluation"
    /// 数据安全风险评估: the periodic data security risk assessment.
    case riskAssessment = "risk_assessment"
    /// 数据安全责任人: a named security officer.
    case securityOfficer = "security_officer"

    /// The duties met by a record that expires (every duty but the security officer).
    public static let records: [SecurityDuty] = [.gradedProtectionFiling, .gradedProtectionEvaluation, .riskAssessment]

    /// Orders the duties as they are declared.
    public static func < (lhs: SecurityDuty, rhs: SecurityDuty) -> Bool { lhs.ordinal < rhs.ordinal }
}

extension SecurityDuty: Symbolic {
    var ordinal: Int {
        switch self {
        case .gradedProtectionFiling: 0
        case .gradedProtectionEvaluation: 1
        case .riskAssessment: 2
        case .securityOfficer: 3
        }
    }
}
