#if PostgreSQL
import Foundation
import PublicDataPostgres
import PublicDataPostgresTesting
import Testing

/// The demo on PostgreSQL (built with `--traits PostgreSQL`): `PUBLICDATA_POSTGRES_URL`, else a throwaway cluster.
@Suite(.enabled(if: PostgresTestServer.detect().isAvailable, "no PostgreSQL server for the demo test"))
struct PostgresDemoTests {
    /// A `postgresql://` URL for a libpq key=value connection string (the throwaway cluster's).
    static func url(fromKeyValues text: String) -> String {
        var values: [String: String] = [:]
        for pair in text.split(separator: " ") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { values[parts[0]] = parts[1] }
        }
        let user = values["user"].map { "\($0)@" } ?? ""
        var query: [String] = []
        if let host = values["host"] { query.append("host=\(host)") }
        if let port = values["port"] { query.append("port=\(port)") }
        return "postgresql://\(user)/\(values["dbname"] ?? "postgres")"
            + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
    }

    @Test func theDemoRunsOnPostgreSQLOncePerSchema() async throws {
        var cluster: PostgresTestCluster?
        let url: String
        switch PostgresTestServer.detect() {
        case .url(let given):
            url = given
        case .cluster(let bin):
            let started = try PostgresTestCluster.start(binDirectory: bin)
            cluster = started
            url = Self.url(fromKeyValues: started.connectionString)
        case .unavailable(let reason):
            Issue.record(Comment(rawValue: reason))
            return
        }
        defer { cluster?.stop() }
        let schema = "demo_\(UInt32.random(in: 0...UInt32.max))"
        let run = await tool(["--store", url, "--schema", schema])
        #expect(run.status == .success, "\(run.error)")
        #expect(run.output.hasPrefix("Store: PostgreSQL, schema \(schema)"))
        #expect(run.output.contains("verification: ok"))
        let again = await tool(["--store", url, "--schema", schema])
        #expect(again.status == .usage)
        #expect(again.error.contains("already holds 97 events"))
        let resumed = await tool(["--store", url, "--schema", schema, "--resume"])
        #expect(resumed.status == .success)
        #expect(
            resumed.output.contains("OK: every checkpoint is signed by a trusted key and the store still hashes to it")
        )
    }
}
#endif
