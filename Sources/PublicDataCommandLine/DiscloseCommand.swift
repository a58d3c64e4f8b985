import Foundation
import PublicDataKit

/// `disclose DB --year YYYY [--format markdown|json]`.
enum DiscloseCommand {
    static let help = """
        USAGE
          publicdata-demo disclose DB --year YYYY [--format markdown|json]

        Builds the yearly disclosure of Art. 32 for the calendar year YYYY from the events in the SQLite store
        DB: each implementing agency's authorizations (operator, resources, scope, term, fee caps) and each
        operator's authorized resources, products, actual fees with revenue, and data usage, anchored to the
        first audit checkpoint signed after the year. Prints Markdown (default) or JSON.
        """

    static func run(_ arguments: [String], output: TextOutput) async throws -> ExitStatus {
        let parsed = try ParsedArguments.parse(
            arguments,
            spec: ArgumentSpec(command: "disclose", valued: ["year", "format"], positionals: 1...1)
        )
        if parsed.wantsHelp {
            output.line(help)
            return .success
        }
        guard let yearText = parsed.values["year"] else {
            throw UsageError("missing --year YYYY", command: "disclose")
        }
        guard let year = Int(yearText), (1900...9999).contains(year), let period = DisclosurePeriod.year(year) else {
            throw UsageError("--year must be a year such as 2026, got '\(yearText)'", command: "disclose")
        }
        let format = parsed.values["format"] ?? "markdown"
        guard ["markdown", "json"].contains(format) else {
            throw UsageError("--format must be markdown or json, got '\(format)'", command: "disclose")
        }
        let path = parsed.positionals[0]
        let store = try LedgerCommands.openStore(path)
        defer { store.close() }
        let events: [RecordedEvent]
        do {
            events = try await store.readAll(after: 0, pageSize: 1000)
        } catch {
            throw InputError(file: path, message: "cannot read the events: \(error)")
        }
        let input: DisclosureInput
        do {
            input = try DisclosureBuilder.input(from: events, period: period, calendar: DemoWorld.calendar)
        } catch {
            throw InputError(file: path, message: "an event's payload is unreadable: \(error)")
        }
        let disclosure: Disclosure
        do {
            disclosure = try Disclosure(input)
        } catch {
            let first = error.issues.first.map { "\($0.path): \($0.message)" } ?? "\(error)"
            throw InputError(file: path, message: "the disclosure is invalid: \(first)")
        }
        if format == "json" {
            output.line(String(decoding: try disclosure.jsonData(), as: UTF8.self))
        } else {
            output.line(String(disclosure.markdown().dropLast()))
        }
        return .success
    }
}
