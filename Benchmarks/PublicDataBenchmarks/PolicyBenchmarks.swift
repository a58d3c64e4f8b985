enum PolicyBenchmarks {
    static func run(_ report: BenchmarkReport) async throws {
        report.section("Policy")
    }
}
