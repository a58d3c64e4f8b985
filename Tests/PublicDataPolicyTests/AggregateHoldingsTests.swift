import Foundation
import PublicDataModel
import PublicDataPolicy
import PublicDataTesting
import Testing

/// Art. 30 关联汇聚: the totals of what an operator holds.
struct AggregateHoldingsTests {
    static let licenses = PolicyFixtures.entry(personalInformation: true)
    static var permits: CatalogEntry {
        var entry = PolicyFixtures.entry(id: "ent-permits", grade: .important, personalInformation: true)
        entry.owningDepartment = "dept-planning"
        return entry
    }
    static var flaggedOnly: CatalogEntry {
        var entry = PolicyFixtures.entry(id: "ent-flagged", personalInformation: true)
        entry.fields = []
        return entry
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var held: [AggregateHoldings.Held]
        var expected: AggregateHoldings
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(
            name: "nothing",
            held: [],
            expected: AggregateHoldings(
                entries: 0,
                personalInformationFields: 0,
                importantEntries: 0,
                grades: [],
                departments: 0
            )
        ),
        Row(
            name: "one personal field named",
            held: [.init(entry: licenses, fields: ["licenseNo", "legalRepresentative"])],
            expected: AggregateHoldings(
                entries: 1,
                personalInformationFields: 1,
                importantEntries: 0,
                grades: [.general],
                departments: 1
            )
        ),
        Row(
            name: "no personal field named",
            held: [.init(entry: licenses, fields: ["licenseNo"])],
            expected: AggregateHoldings(
                entries: 1,
                personalInformationFields: 0,
                importantEntries: 0,
                grades: [.general],
                departments: 1
            )
        ),
        Row(
            name: "one entry under two grants counts once",
            held: [
                .init(entry: licenses, fields: ["legalRepresentative"]),
                .init(entry: licenses, fields: ["legalRepresentative", "status"]),
            ],
            expected: AggregateHoldings(
                entries: 1,
                personalInformationFields: 1,
                importantEntries: 0,
                grades: [.general],
                departments: 1
            )
        ),
        Row(
            name: "every field of an entry",
            held: [.init(entry: licenses, fields: ["licenseNo"]), .init(entry: licenses, fields: [])],
            expected: AggregateHoldings(
                entries: 1,
                personalInformationFields: 1,
                importantEntries: 0,
                grades: [.general],
                departments: 1
            )
        ),
        Row(
            name: "an entry flagged without fields counts one",
            held: [.init(entry: flaggedOnly, fields: [])],
            expected: AggregateHoldings(
                entries: 1,
                personalInformationFields: 1,
                importantEntries: 0,
                grades: [.general],
                departments: 1
            )
        ),
        Row(
            name: "two entries, two departments, one important",
            held: [.init(entry: licenses, fields: []), .init(entry: permits, fields: [])],
            expected: AggregateHoldings(
                entries: 2,
                personalInformationFields: 2,
                importantEntries: 1,
                grades: [.general, .important],
                departments: 2
            )
        ),
    ]

    @Test(arguments: rows)
    func totals(_ row: Row) {
        #expect(AggregateHoldings(holding: row.held) == row.expected)
    }

    @Test func aRequestWithoutHoldingsIsJudgedAlone() {
        var request = PolicyFixtures.dataRequest(entry: Self.licenses)
        request.requestedFields = ["licenseNo", "legalRepresentative"]
        request.neededFields = request.requestedFields
        request.anonymized = true
        var policy = Policy.beijingDefault
        policy.parameters.aggregationMaxPersonalInformationFields = 0
        #expect(!policy.evaluate(.dataRequest(request), at: PolicyFixtures.time).isPermit)
        policy.parameters.aggregationMaxPersonalInformationFields = 1
        #expect(policy.evaluate(.dataRequest(request), at: PolicyFixtures.time).isPermit)
    }

    /// Obligation rules on each `holdings.*` attribute at several thresholds: the fired rules show every figure.
    static let thresholds = Policy(id: "thresholds", version: "1") {
        for bound in 0...3 {
            for attribute in [
                "holdings.entries", "holdings.personalInformationFields", "holdings.importantEntries",
                "holdings.departments",
            ] {
                Rule(
                    obligation: "\(attribute)-\(bound)",
                    at: .dataRequest,
                    articles: ["Art. 30"],
                    message: "m",
                    obligations: [Obligation(kind: .fileScenario, article: "Art. 30")]
                ) {
                    Condition.compare(attribute: attribute, op: .atLeast, operand: .int(bound))
                }
            }
        }
        for grade in DataGrade.allCases {
            Rule(
                obligation: "holdings.grades-\(grade.rawValue)",
                at: .dataRequest,
                articles: ["Art. 30"],
                message: "m",
                obligations: [Obligation(kind: .fileScenario, article: "Art. 30")]
            ) {
                Condition.compare(attribute: "holdings.grades", op: .intersects, operand: .strings([grade.rawValue]))
            }
        }
        Rule(permit: "any", at: .dataRequest, articles: ["Art. 16"], message: "m") {}
    }

    struct AloneCase: Sendable, CustomTestStringConvertible {
        var name: String
        var entry: CatalogEntry
        var fields: [String]
        var testDescription: String { name }
    }

    static let alone: [AloneCase] = [
        AloneCase(name: "one personal field named", entry: licenses, fields: ["licenseNo", "legalRepresentative"]),
        AloneCase(name: "no personal field named", entry: licenses, fields: ["licenseNo"]),
        AloneCase(name: "every field", entry: licenses, fields: []),
        AloneCase(
            name: "a field named twice",
            entry: licenses,
            fields: ["legalRepresentative", "legalRepresentative"]
        ),
        AloneCase(name: "flagged without fields", entry: flaggedOnly, fields: []),
        AloneCase(name: "important entry", entry: permits, fields: ["licenseNo"]),
        AloneCase(name: "no personal information", entry: PolicyFixtures.entry(grade: .core), fields: []),
    ]

    @Test("A request without holdings is judged on the figures AggregateHoldings(request:) gives", arguments: alone)
    func aloneEqualsExplicitTotals(_ testCase: AloneCase) {
        var request = PolicyFixtures.dataRequest(entry: testCase.entry)
        request.requestedFields = testCase.fields
        let implicit = Self.thresholds.evaluate(.dataRequest(request), at: PolicyFixtures.time)
        request.holdings = AggregateHoldings(request: request)
        let explicit = Self.thresholds.evaluate(.dataRequest(request), at: PolicyFixtures.time)
        #expect(implicit.firedRules == explicit.firedRules)
        #expect(implicit.firedRules.contains("holdings.entries-1"))
        #expect(!implicit.firedRules.contains("holdings.entries-2"))
    }

    @Test func aPolicyFileWrittenBeforeTheAggregationParametersStillLoads() throws {
        var text = Policy.beijingDefault.jsonText
        for name in [
            "aggregationMaxPersonalInformationFields", "aggregationMaxImportantEntries", "aggregationReviewEntries",
            "aggregationReviewDepartments",
        ] {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            text = lines.filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("\"\(name)\":") }
                .joined(separator: "\n")
        }
        // The last parameter lost its trailing comma's successor: repair the JSON.
        text = text.replacingOccurrences(of: ",\n  },\n  \"rules\"", with: "\n  },\n  \"rules\"")
        let loaded = try Policy.load(from: Data(text.utf8))
        #expect(loaded.parameters == Policy.beijingDefault.parameters)
    }

    /// Equal totals are equal bytes: the grades are written in order (general, important, core), however the set was
    /// built.
    @Test func theGradesAreWrittenInOrder() throws {
        let orders: [[DataGrade]] = [
            [.core, .general, .important], [.important, .core, .general], [.general, .important, .core],
            [.core, .important, .general],
        ]
        var texts: Set<String> = []
        for order in orders {
            for capacity in [0, 3, 64] {
                var grades = Set<DataGrade>(minimumCapacity: capacity)
                for grade in order { grades.insert(grade) }
                let totals = AggregateHoldings(
                    entries: 3,
                    personalInformationFields: 0,
                    importantEntries: 2,
                    grades: grades,
                    departments: 1
                )
                texts.insert(String(decoding: try PublicDataJSON.encode(totals), as: UTF8.self))
                #expect(
                    try PublicDataJSON.decode(AggregateHoldings.self, from: PublicDataJSON.encode(totals)) == totals
                )
            }
        }
        #expect(texts.count == 1)
        #expect(texts.first?.contains(#""grades":["general","important","core"]"#) == true)
    }
}
