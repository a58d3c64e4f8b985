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
