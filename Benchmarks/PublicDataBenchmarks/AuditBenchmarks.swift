enum AuditBenchmarks {
    static func run(_ report: BenchmarkReport) async throws {
        report.section("Audit")
    }
}
