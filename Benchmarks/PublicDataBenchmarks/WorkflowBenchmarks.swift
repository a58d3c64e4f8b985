enum WorkflowBenchmarks {
    static func run(_ report: BenchmarkReport) async throws {
        report.section("Workflow")
    }
}
