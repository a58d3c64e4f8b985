enum PricingBenchmarks {
    static func run(_ report: BenchmarkReport) async throws {
        report.section("Pricing")
    }
}
