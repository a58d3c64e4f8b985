enum StoreBenchmarks {
    static func run(_ report: BenchmarkReport) async throws {
        report.section("Store")
    }
}
