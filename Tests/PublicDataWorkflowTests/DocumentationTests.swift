import Foundation
import PublicDataKit
import Testing

struct DocumentationTests {
    static let path = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Documentation/Workflows.md")

    @Test func workflowsDocumentMatchesTheProcessTypes() throws {
        let generated = Processes.documentation()
        if ProcessInfo.processInfo.environment["REGENERATE_DOCS"] == "1" {
            try generated.write(to: Self.path, atomically: true, encoding: .utf8)
        }
        let text = try String(contentsOf: Self.path, encoding: .utf8)
        for description in Processes.all {
            #expect(text.contains("```mermaid\n\(description.mermaid())```"), "\(description.kind) diagram is stale")
            #expect(text.contains(description.roleTable()), "\(description.kind) role table is stale")
        }
        #expect(text == generated, "Documentation/Workflows.md is stale; run with REGENERATE_DOCS=1")
    }
}
