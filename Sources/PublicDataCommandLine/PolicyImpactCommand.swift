import Foundation
import PublicDataKit
import PublicDataSQLite

extension PolicyCommands {
    /// `policy impact`: a proposed policy judged against the live record of a store (nothing is recorded).
    static func impact(_ parsed: ParsedArguments, output: TextOutput) async throws -> ExitStatus {
        guard let path = parsed.values["store"] else {
            throw UsageError("missing --store DB", command: "policy impact")
        }
        guard let proposedPath = parsed.values["policy"] else {
            throw UsageError("missing --policy NEW (a policy file, or 'default')", command: "policy impact")
        }
        let json = try wantsJSON(parsed)
        let proposed = try loadPolicy(proposedPath)
        let current = try loadPolicy(parsed.values["current"])
        var at = Date()
        if let text = parsed.values["at"] {
            guard let instant = PublicDataJSON.parseInstant(text) else {
                throw UsageError(
                    "--at needs an ISO 8601 instant such as 2026-03-01T00:00:00Z",
                    command: "policy impact"
                )
            }
            at = instant
        }
        let store = try LedgerCommands.openStore(path)
        defer { store.close() }
        let engine = WorkflowEngine(
            store: store,
            clock: DemoClock(now: at),
            calendar: DemoWorld.calendar,
            policy: current
        )
        let impact: PolicyImpact
        do {
            impact = try await engine.policyImpact(of: proposed)
        } catch {
            throw InputError(file: path, message: "\(error)")
        }
        if json {
            let encoder = PublicDataJSON.makeEncoder()
            encoder.outputFormatting.insert(.prettyPrinted)
            output.line(String(decoding: try encoder.encode(impact), as: UTF8.self))
        } else {
            output.line(impact.markdown())
        }
        return .success
    }
}
