import Foundation
import PublicDataAudit
import Testing

struct DisclosureTests {
    static func day(_ text: String) -> CivilDate { CivilDate(text) ?? CivilDate(daysSinceEpoch: 0) }

    static func input(fee: Int64 = 80, cap: Int64 = 100) -> DisclosureInput {
        let resources = [
            AuthorizedResource(entry: "c-traffic", name: "交通流量", fields: ["road", "count"]),
            AuthorizedResource(entry: "c-weather", name: "气象 | 日报"),
        ]
        return DisclosureInput(
            period: DisclosurePeriod.year(2026) ?? DisclosurePeriod(start: day("2026-01-01"), end: day("2026-12-31")),
            agencies: [
                AgencyDisclosure(
                    party: "bj-transport",
                    name: "北京市交通委员会",
                    authorizations: [
                        AuthorizationDisclosure(
                            agreement: "agr-1",
                            operatorParty: "op-1",
                            operatorName: "北京数据运营有限公司",
                            resources: resources,
                            scope: "交通出行服务; API 与报告",
                            start: day("2026-02-01"),
                            end: day("2029-01-31"),
                            feeCaps: [
                                DisclosedFeeCap(
                                    product: "p-api",
                                    productName: "路况 API",
                                    cap: Money(fen: cap),
                                    unit: "每次调用"
                                )
                            ]
                        )
                    ]
                )
            ],
            operators: [
                OperatorDisclosure(
                    party: "op-1",
                    name: "北京数据运营有限公司",
                    authorizedResources: resources,
                    products: [
                        ProductListing(
                            product: "p-api",
                            name: "路况 API",
                            kind: .api,
                            agreement: "agr-1",
                            summary: "实时路况"
                        ),
                        ProductListing(product: "p-report", name: "年度报告", kind: .report),
                    ],
                    actualFees: [
                        ActualFee(
                            product: "p-api",
                            fee: Money(fen: fee),
                            unit: "每次调用",
                            trial: true,
                            revenue: Money(fen: 123_456)
                        ),
                        ActualFee(product: "p-report", fee: Money(fen: 0), unit: "每份"),
                    ],
                    dataUsage: [
                        DataUsage(entry: "c-traffic", name: "交通流量", calls: 10_000, records: 2_500_000, purpose: "路况")
                    ]
                )
            ]
        )
    }

    @Test func rendersJSONAndMarkdown() throws {
        let disclosure = try Disclosure(Self.input())
        #expect(disclosure.dueDate == Self.day("2027-03-31"))
        #expect(disclosure.findings.isEmpty)
        let json = try disclosure.jsonData()
        #expect(try PublicDataJSON.decode(Disclosure.self, from: json) == disclosure)
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains(#""fen":80"#))
        #expect(text.contains(#""start":"2026-02-01""#))
        let markdown = disclosure.markdown()
        #expect(markdown.hasPrefix("# 公共数据授权运营信息披露"))
        #expect(markdown.contains("- 披露截止日期 (Due by): 2027-03-31"))
        #expect(markdown.contains("| 路况 API (`p-api`) | ¥1.00 | 每次调用 |"))
        #expect(markdown.contains("| `p-api` | ¥0.80 | 每次调用 | 是 (yes) | ¥1234.56 |"))
        #expect(markdown.contains("气象 \\| 日报"), "pipes in cells are escaped")
        #expect(markdown.contains("| 交通流量 (`c-traffic`) | 10000 | 2500000 | 路况 |"))
        #expect(!markdown.contains("## 提示"))
    }

    @Test func feeAboveCapIsAFinding() throws {
        let disclosure = try Disclosure(Self.input(fee: 101, cap: 100))
        #expect(disclosure.findings.map(\.kind) == [.feeAboveCap])
        #expect(disclosure.findings.first?.product == "p-api")
        #expect(disclosure.markdown().contains("## 提示 (Findings)"))
        var uncapped = Self.input()
        uncapped.agencies[0].authorizations[0].feeCaps = []
        #expect(try Disclosure(uncapped).findings.map(\.kind) == [.feeWithoutCap])
    }

    @Test func invalidInputListsEveryProblem() {
        var input = Self.input(fee: -1)
        input.period = DisclosurePeriod(start: Self.day("2026-12-31"), end: Self.day("2026-01-01"))
        input.agencies[0].authorizations[0].end = Self.day("2025-01-01")
        input.operators[0].name = ""
        input.operators[0].dataUsage[0].calls = -5
        #expect {
            _ = try Disclosure(input)
        } throws: { error in
            (error as? ValidationError)?.issues.map(\.path) == [
                "$.period", "$.agencies[0].authorizations[0]", "$.operators[0].name", "$.operators[0].actualFees[0]",
                "$.operators[0].dataUsage[0]",
            ]
        }
        #expect(DisclosurePeriod(start: Self.day("2026-01-01"), end: Self.day("2026-06-30")).dueDate == nil)
    }

    @Test func anchorsToALedgerCheckpoint() async throws {
        let checkpoint = try await Checkpoint(origin: "o/sha-256", size: 3, rootHash: SHA256Hasher().digest(utf8: "r"))
            .signed(by: [Fixtures.signer])
        var input = Self.input()
        input.ledgerCheckpoint = checkpoint
        let disclosure = try Disclosure(input)
        #expect(disclosure.markdown().contains(checkpoint.text))
        #expect(try PublicDataJSON.decode(Disclosure.self, from: disclosure.jsonData()) == disclosure)
    }
}
