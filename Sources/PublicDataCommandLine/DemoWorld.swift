import Foundation
import PublicDataKit

/// The parties, catalog and documents of the Beijing finance-zone demo (fictional organisations).
enum DemoWorld {
    // MARK: - Parties

    static let government: PartyID = "bj-municipal-government"
    static let administration: PartyID = "bj-data-administration"
    static let center: PartyID = "bj-big-data-center"
    static let priceDepartment: PartyID = "bj-development-reform"
    static let financeDepartment: PartyID = "bj-finance"
    static let agency: PartyID = "bj-finance-zone-agency"
    static let operatorParty: PartyID = "op-jingrong-data"
    static let rejectedCandidate: PartyID = "op-shadow-data"
    static let marketRegulation: PartyID = "bj-market-regulation"
    static let tax: PartyID = "bj-tax"
    static let localFinance: PartyID = "bj-local-finance"
    static let housingFund: PartyID = "bj-housing-fund"
    static let bank: PartyID = "biz-jingbei-bank"
    static let welfare: PartyID = "biz-rural-aid-foundation"

    /// Display names, for the narrative only (the events carry identifiers).
    static let names: [PartyID: String] = [
        government: "北京市人民政府 (municipal government)",
        administration: "市政务服务和数据管理局 (data administration)",
        center: "市大数据中心 (big data center)",
        priceDepartment: "市发展改革委 (price department)",
        financeDepartment: "市财政局 (finance department)",
        agency: "金融专区实施机构 (implementing agency)",
        operatorParty: "京融数据运营有限公司 (operator)",
        rejectedCandidate: "影子数据有限公司 (candidate)",
        marketRegulation: "市市场监管局 (market regulation)",
        tax: "市税务局 (tax bureau)",
        localFinance: "市地方金融管理局 (local finance bureau)",
        housingFund: "住房公积金管理中心 (housing fund)",
        bank: "京北农商银行 (bank)",
        welfare: "乡村普惠助农基金会 (public-welfare foundation)",
    ]

    static let authorities = AuthorityDirectory([
        .municipalGovernment: government, .dataAdministration: administration, .bigDataCenter: center,
        .priceDepartment: priceDepartment, .financeDepartment: financeDepartment,
    ])

    static func actor(_ party: PartyID, _ role: Role, _ person: String) -> Principal {
        Principal(party: party, role: role, person: person)
    }

    static let governmentClerk = actor(government, .municipalGovernment, "gov.office")
    static let administrationClerk = actor(administration, .dataAdministration, "zhao.min")
    static let centerClerk = actor(center, .bigDataCenter, "sun.hao")
    static let financeClerk = actor(financeDepartment, .financeDepartment, "qian.yu")
    static let agencyClerk = actor(agency, .implementingAgency, "wang.li")
    static let operatorClerk = actor(operatorParty, .operator, "li.na")
    static let candidateClerk = actor(rejectedCandidate, .operator, "zhou.x")
    static let marketRegulationClerk = actor(marketRegulation, .industryDepartment, "chen.jie")
    static let marketRegulationProvider = actor(marketRegulation, .dataProvider, "chen.jie")
    static let taxClerk = actor(tax, .industryDepartment, "liu.yang")
    static let taxProvider = actor(tax, .dataProvider, "liu.yang")
    static let localFinanceClerk = actor(localFinance, .industryDepartment, "he.ping")
    static let housingFundClerk = actor(housingFund, .industryDepartment, "gao.lan")
    static let bankClerk = actor(bank, .businessEntity, "ma.rui")
    static let welfareClerk = actor(welfare, .businessEntity, "tang.yi")

    // MARK: - Calendar and clock

    /// A working-day calendar with the 2026 public holidays and make-up working days (调休) the demo crosses.
    static let calendar = StandardWorkingDayCalendar(
        holidays: Set(
            [
                "2026-01-01", "2026-01-02", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20",
                "2026-02-23", "2026-04-06", "2026-05-01", "2026-05-04", "2026-05-05", "2026-06-19",
                "2026-09-25", "2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07",
                "2027-01-01",
            ].compactMap(CivilDate.init)
        ),
        makeUpWorkingDays: Set(
            ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"].compactMap(
                CivilDate.init
            )
        )
    )

    /// The demo starts on Monday 5 January 2026, 09:00 Beijing time.
    static let start = day(2026, 1, 5)

    static func day(_ year: Int, _ month: Int, _ dayOfMonth: Int) -> CivilDate {
        CivilDate(year: year, month: month, day: dayOfMonth) ?? CivilDate(daysSinceEpoch: 0)
    }

    // MARK: - Catalog

    static let enterpriseRegistrations = CatalogEntry(
        id: "ent-enterprise-registrations",
        name: "企业登记信息 (enterprise registrations)",
        owningDepartment: marketRegulation,
        sharing: .unconditional,
        openness: .open,
        grade: .general,
        fields: [CatalogField(name: "name"), CatalogField(name: "credit_code"), CatalogField(name: "status")]
    )
    static let taxPayments = CatalogEntry(
        id: "ent-tax-payments",
        name: "企业纳税信息 (enterprise tax payments)",
        owningDepartment: tax,
        sharing: .conditional,
        openness: .notOpen,
        grade: .general,
        fields: [CatalogField(name: "credit_code"), CatalogField(name: "tax_paid"), CatalogField(name: "arrears")]
    )
    static let paymentSystem = CatalogEntry(
        id: "ent-payment-system-operations",
        name: "支付清算系统运行数据 (payment system operations)",
        owningDepartment: localFinance,
        sharing: .conditional,
        openness: .notOpen,
        grade: .core,
        fields: [CatalogField(name: "node"), CatalogField(name: "volume")]
    )
    static let housingContributions = CatalogEntry(
        id: "ent-housing-fund-contributions",
        name: "个人公积金缴存信息 (housing fund contributions)",
        owningDepartment: housingFund,
        sharing: .conditional,
        openness: .notOpen,
        grade: .general,
        containsPersonalInformation: true,
        fields: [
            CatalogField(name: "person_id", personalInformation: true),
            CatalogField(name: "employer"),
            CatalogField(name: "monthly_contribution", personalInformation: true),
        ]
    )

    static let catalog: [(CatalogEntry, Principal)] = [
        (enterpriseRegistrations, marketRegulationClerk),
        (taxPayments, taxClerk),
        (paymentSystem, localFinanceClerk),
        (housingContributions, housingFundClerk),
    ]

    // MARK: - Plan, selection, agreement

    static let planID: PlanID = "plan-bj-finance-zone"
    static let selectionID: SelectionID = "sel-bj-finance-zone-2026"
    static let agreementID: AgreementID = "agr-bj-finance-zone-001"

    static let plan = ImplementationPlan(
        id: planID,
        implementingAgency: agency,
        name: "北京金融公共数据专区 (Beijing finance zone)",
        necessityAndFeasibility: "inclusive credit for small firms needs registration and tax data (Art. 11)",
        operatorSelectionCriteria: "capability, credit, data security; open tender (Art. 12)",
        authorizationMode: .whole,
        dataScope: catalog.map(\.0.id),
        termMonths: 36,
        plannedProducts: [PlannedProduct(name: "小微企业信用评分模型 (SME credit model)", kind: .model)],
        costAndRevenueAccounting: "cost accounted per product, revenue per period",
        revenueDistribution: "by contribution: provider 3, agency 2, operator 5",
        securityAndEmergencyMeasures: "privacy computing platform of the big data center; incident drill yearly",
        rightsAndObligations: "as in the agreement",
        supervisionAndEvaluation: "yearly evaluation by the data administration (Art. 33)"
    )

    static let announcement = SelectionAnnouncement(
        id: selectionID,
        plan: planID,
        method: .openTender,
        criteria: "legal entity, operating capability, good credit, no bad business record, data security (Art. 12)"
    )

    /// The operator's graded-protection filing (level 3), evaluation and data security risk assessment (87号 §7).
    static let securityRecords: [SecurityRecord] = [
        SecurityRecord(
            operatorParty: operatorParty,
            kind: .gradedProtectionFiling,
            reference: "11010843001-26001",
            date: day(2025, 11, 20),
            level: 3
        ),
        SecurityRecord(
            operatorParty: operatorParty,
            kind: .gradedProtectionEvaluation,
            reference: "DJCP-2025-1107",
            date: day(2025, 12, 15)
        ),
        SecurityRecord(
            operatorParty: operatorParty,
            kind: .riskAssessment,
            reference: "SJAQ-FXPG-2026-003",
            date: day(2026, 1, 9)
        ),
    ]
    /// The operator's security officer (数据安全责任人).
    static let securityOfficer = SecurityOfficer(operatorParty: operatorParty, name: "王静", contact: "security@jingrong")
    static let application = OperatorApplication(candidate: operatorParty, name: "京融数据运营有限公司")
    static let shadyApplication = OperatorApplication(
        candidate: rejectedCandidate,
        name: "影子数据有限公司",
        hasBadBusinessRecord: true
    )

    static let terms = AgreementTerms(
        id: agreementID,
        plan: planID,
        implementingAgency: agency,
        operatorParty: operatorParty,
        scope: catalog.map { ScopeItem(entry: $0.0.id) },
        start: day(2026, 1, 12),
        end: day(2029, 1, 11),
        products: [productID],
        coSigningDepartment: localFinance
    )

    static let registration = RegistrationApplication(
        id: "reg-bj-fin-2026-01",
        kind: .first,
        catalogEntries: [enterpriseRegistrations.id, taxPayments.id],
        description: "企业登记与纳税数据资源 (enterprise registration and tax data resources)"
    )

    // MARK: - Data requests

    static func request(
        _ id: DataRequestID,
        _ entry: CatalogEntry,
        scenario: String,
        delivery: DeliveryMethod,
        fields: [String] = []
    ) -> DataRequestSpec {
        DataRequestSpec(
            id: id,
            agreement: agreementID,
            scenario: scenario,
            purpose: .industryDevelopment,
            items: [DataRequestItem(entry: entry.id, requestedFields: fields)],
            delivery: delivery
        )
    }

    static let grantedRequest = request(
        "req-enterprise",
        enterpriseRegistrations,
        scenario: "SME credit scoring: identify the firm",
        delivery: .sandbox
    )
    static let conditionalRequest = request(
        "req-tax",
        taxPayments,
        scenario: "SME credit scoring: repayment capacity",
        delivery: .privacyComputing
    )
    static let coreRequest = request(
        "req-payment-system",
        paymentSystem,
        scenario: "liquidity stress indicator",
        delivery: .privacyComputing
    )
    static let personalRequest = request(
        "req-housing-fund",
        housingContributions,
        scenario: "personal income verification",
        delivery: .privacyComputing
    )

    // MARK: - Product, price, scenarios

    static let productID: ProductID = "prod-sme-credit-model"

    static let product = ProductSpec(
        id: productID,
        agreement: agreementID,
        name: "小微企业信用评分模型 (SME credit model)",
        kind: .model,
        sourceEntries: [enterpriseRegistrations.id, taxPayments.id],
        delivery: .model
    )

    static let feeCap = PublicDataPricing.FeeCap(
        product: productID,
        limit: .perUnit(.call, UnitPrice(fen: 50)),
        setBy: agency,
        source: "京金专〔2026〕1号 (demo)"
    )

    static let pricePlan = PricePlan(
        id: "pp-sme-credit-2026",
        product: productID,
        operatorParty: operatorParty,
        effectiveFrom: day(2026, 3, 1),
        effectiveThrough: day(2027, 1, 11),
        charge: .usage(UsageCharge(unit: .call, scheme: .flat(UnitPrice(fen: 20)))),
        feeStage: .trial
    )

    static let loanScenario = ScenarioSpec(
        id: "scn-loan-prescreening",
        product: productID,
        purpose: .industryDevelopment,
        description: "小微企业贷款预审 (SME loan pre-screening)"
    )
    static let welfareScenario = ScenarioSpec(
        id: "scn-rural-aid",
        product: productID,
        purpose: .publicWelfare,
        description: "乡村助农小额帮扶 (rural micro-aid screening, public welfare)"
    )

    static func usage(
        _ key: String,
        _ quantity: Int64,
        consumer: PartyID = bank,
        subscription: SubscriptionID = "sub-bank",
        scenario: ScenarioID = "scn-loan-prescreening"
    ) -> UsageSpec {
        UsageSpec(
            product: productID,
            subscription: subscription,
            consumer: consumer,
            scenario: scenario,
            unit: .call,
            quantity: quantity,
            idempotencyKey: key
        )
    }

    static func billingPeriod() throws -> BillingPeriod {
        try BillingPeriod(start: day(2026, 3, 1), end: day(2026, 3, 31))
    }

    static let shares = [
        RevenueShare(party: tax, role: .dataProvider, weight: 3),
        RevenueShare(party: agency, role: .implementingAgency, weight: 2),
        RevenueShare(party: operatorParty, role: .operator, weight: 5),
    ]

    // MARK: - Objections

    static let answeredObjection = ObjectionSpec(
        id: "obj-stale-status",
        entry: enterpriseRegistrations.id,
        provider: marketRegulation,
        description: "注销企业状态未更新 (deregistered firms still shown active)"
    )
    static let overdueObjection = ObjectionSpec(
        id: "obj-tax-arrears",
        entry: taxPayments.id,
        provider: tax,
        description: "欠税字段口径不一致 (arrears field inconsistent across districts)"
    )
}
