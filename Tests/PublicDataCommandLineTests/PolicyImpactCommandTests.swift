import Foundation
import PublicDataKit
import Testing

@testable import PublicDataCommandLine

/// `policy impact`: a proposed policy judged against the demo's recorded store, recording nothing.
@Suite struct PolicyImpactCommandTests {
    @Test func theImpactOfAPolicyOnTheDemoStoreIsReportedAndNothingIsRecorded() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let dataDirectory = directory.path("data")
        let database = URL(fileURLWithPath: dataDirectory).appendingPathComponent("demo.sqlite").path
        #expect(await tool(["--data-dir", dataDirectory]).status == .success)
        let size = try FileManager.default.attributesOfItem(atPath: database)[.size] as? Int

        let same = await tool(["policy", "impact", "--store", database, "--policy", "default"])
        #expect(same.status == .success, "\(same.error)")
        #expect(same.output.contains("# Policy impact: beijing-default@\(Policy.beijingDefault.version)"))
        #expect(same.output.contains("Would be suspended: 0. Refused requests that would be permitted: 0."))

        let json = await tool(["policy", "impact", "--store", database, "--policy", "default", "--format", "json"])
        #expect(json.status == .success)
        let impact = try PublicDataJSON.makeDecoder().decode(PolicyImpact.self, from: Data(json.output.utf8))
        #expect(impact.wouldSuspend.isEmpty)
        #expect(try FileManager.default.attributesOfItem(atPath: database)[.size] as? Int == size)

        let missing = await tool(["policy", "impact", "--store", directory.path("none.sqlite"), "--policy", "default"])
        #expect(missing.status == .usage)
        #expect(missing.error.contains("no such database file"))
        #expect(await tool(["policy", "impact", "--policy", "default"]).status == .usage)
    }
}
