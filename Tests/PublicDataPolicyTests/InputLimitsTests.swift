import Foundation
import PublicDataPolicy
import Testing

/// Issue 19, item 6: every policy decoder refuses input beyond its documented limit, before parsing it.
struct InputLimitsTests {
    static let line =
        #"{"at":"2026-06-01T02:00:00.000Z","id":"p","request":{"pricing":{"chargeRequested":true,"#
        + #""priceCapApproved":true,"product":"prd-license-check","purpose":"public_governance"}}}"#

    @Test func defaultsAreDocumented() {
        let limits = PolicyInputLimits.standard
        #expect(limits.maximumPolicyBytes == 4 << 20)
        #expect(limits.maximumSuiteBytes == 8 << 20)
        #expect(limits.maximumCorpusLineBytes == 64 << 10)
        #expect(limits.maximumCorpusBytes == 64 << 20)
        #expect(limits.maximumCorpusRecords == 200_000)
        #expect(limits.maximumNestingDepth == 64)
    }

    @Test func aPolicyLargerThanTheLimitIsTooLarge() throws {
        let data = Policy.beijingDefault.jsonData
        var limits = PolicyInputLimits.standard
        limits.maximumPolicyBytes = data.count - 1
        let error = #expect(throws: PolicyLoadError.self) { try Policy.load(from: data, limits: limits) }
        #expect(error?.code == .tooLarge)
        limits.maximumPolicyBytes = data.count
        #expect(try Policy.load(from: data, limits: limits) == Policy.beijingDefault)
    }

    @Test func aPolicyFileLargerThanTheLimitIsRefusedWithoutReadingIt() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("big-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(count: 5 << 20).write(to: url)
        let error = #expect(throws: PolicyLoadError.self) { try Policy.load(contentsOf: url) }
        #expect(error?.code == .tooLarge)
    }

    @Test(arguments: [String(repeating: "[", count: 100_000), String(repeating: "{\"a\":", count: 65) + "1"])
    func deepNestingIsRefusedBeforeParsing(text: String) {
        let error = #expect(throws: PolicyLoadError.self) { try Policy.load(from: Data(text.utf8)) }
        #expect(error?.code == .tooLarge)
        #expect(error?.issues.first?.message.contains("nests") == true)
        let suite = #expect(throws: PolicySuiteError.self) {
            try PolicyTestSuite.load(from: Data(text.utf8), file: "deep.json")
        }
        #expect(suite?.file == "deep.json")
    }

    @Test func bracketsInsideStringsDoNotCountAsNesting() {
        let text = #"{"name":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"{{{{"}"#
        #expect(throws: PolicySuiteError.self) { try PolicyTestSuite.load(from: Data(text.utf8)) }
        do {
            _ = try PolicyTestSuite.load(from: Data(text.utf8))
        } catch {
            #expect(!error.message.contains("nests"), "\(error)")
        }
    }

    @Test func aSuiteLargerThanTheLimitNamesTheFile() {
        var limits = PolicyInputLimits.standard
        limits.maximumSuiteBytes = 10
        let error = #expect(throws: PolicySuiteError.self) {
            try PolicyTestSuite.load(from: Data(#"{"name":"x","cases":[]}"#.utf8), file: "s.json", limits: limits)
        }
        #expect(error?.file == "s.json")
        #expect(error?.message.contains("limit is 10") == true)
    }

    @Test func aCorpusLineLongerThanTheLimitNamesTheLine() throws {
        let long = #"{"id":""# + String(repeating: "x", count: 70_000) + #"","request":{}}"#
        let data = Data((Self.line + "\n" + long + "\n").utf8)
        let error = #expect(throws: PolicySuiteError.self) { try ImpactAnalysis.loadCorpus(jsonLines: data) }
        #expect(error?.file == "line 2")
        #expect(error?.message.contains("65536") == true)
    }

    @Test func aCorpusWithMoreRecordsThanTheLimitIsRefused() throws {
        var limits = PolicyInputLimits.standard
        limits.maximumCorpusRecords = 3
        let three = Data(Array(repeating: Self.line, count: 3).joined(separator: "\n").utf8)
        #expect(try ImpactAnalysis.loadCorpus(jsonLines: three, limits: limits).count == 3)
        let four = Data(Array(repeating: Self.line, count: 4).joined(separator: "\n").utf8)
        let error = #expect(throws: PolicySuiteError.self) {
            try ImpactAnalysis.loadCorpus(jsonLines: four, limits: limits)
        }
        #expect(error?.file == "line 4")
        limits.maximumCorpusBytes = 100
        let bytes = #expect(throws: PolicySuiteError.self) {
            try ImpactAnalysis.loadCorpus(jsonLines: three, limits: limits)
        }
        #expect(bytes?.file == "corpus")
    }
}
