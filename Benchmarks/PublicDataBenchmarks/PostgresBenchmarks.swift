enum PostgresBenchmarks {
    static func run(_ report: BenchmarkReport) async throws {
        report.section("Postgres")
    }
}
