import PublicDataModel

extension ProcessDefinition {
    /// The process as a Mermaid `stateDiagram-v2`, generated from the definition.
    ///
    /// Each transition is one edge labelled with its trigger: the command name, `deadline <key>`, `exit`, or
    /// `effect of <command>`; final states lead to `[*]`.
    ///
    /// ```swift
    /// print(Processes.agreement.mermaid())
    /// ```
    /// - Returns: The diagram source, ending with a newline.
    public func mermaid() -> String {
        var lines = ["stateDiagram-v2"]
        var seen: Set<String> = []
        for transition in transitions {
            let label: String
            switch transition.trigger {
            case .command(let name): label = name.rawValue
            case .deadline(let key): label = "deadline \(key)"
            case .exit: label = "exit"
            case .effect(let name): label = "effect of \(name.rawValue)"
            }
            for from in transition.from {
                let line = "    \(from) --> \(transition.to ?? from): \(label)"
                if seen.insert(line).inserted { lines.append(line) }
            }
        }
        for state in states where finalStates.contains(state) {
            lines.append("    \(state) --> [*]")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The role table of the process as Markdown: command, allowed roles, guards, articles.
    /// - Returns: A Markdown table, ending with a newline.
    public func roleTable() -> String {
        var lines = ["| command | roles allowed | guards | articles |", "|---|---|---|---|"]
        for command in commands {
            let roles = Role.allCases.filter { command.roles.contains($0) }.map { "`\($0.rawValue)`" }
            let guards = command.guards.isEmpty ? "—" : command.guards.joined(separator: "; ")
            lines.append(
                "| `\(command.name.rawValue)` | \(roles.joined(separator: ", ")) | \(guards) | "
                    + "\(command.articles.joined(separator: ", ")) |"
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The deadlines of the process as Markdown, or an empty string when it has none.
    public func deadlineTable() -> String {
        guard !deadlines.isEmpty else { return "" }
        var lines = ["| deadline | due | event |", "|---|---|---|"]
        for deadline in deadlines {
            lines.append("| `\(deadline.key)` | \(deadline.rule) | `\(deadline.event)` |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The notifications of the process as Markdown: event and the roles notified.
    public func notificationTable() -> String {
        let notifying = transitions.filter { !$0.notifies.isEmpty }
        guard !notifying.isEmpty else { return "" }
        var lines = ["| event | notified roles |", "|---|---|"]
        var seen: Set<String> = []
        for transition in notifying where seen.insert(transition.event).inserted {
            let roles = transition.notifies.map { "`\($0.rawValue)`" }.joined(separator: ", ")
            lines.append("| `\(transition.event)` | \(roles) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension Processes {
    /// The Markdown section of one process for `Documentation/Workflows.md`: diagram, roles, deadlines.
    /// - Parameter definition: The process.
    /// - Returns: Markdown starting with a `##` heading.
    public static func documentationSection(_ definition: ProcessDefinition) -> String {
        var text = "## \(definition.title)\n\n"
        text += "Stream: `\(definition.kind.streamPrefix)<id>`.\n\n"
        text += "```mermaid\n\(definition.mermaid())```\n\n"
        text += definition.roleTable() + "\n"
        let notifications = definition.notificationTable()
        if !notifications.isEmpty { text += notifications + "\n" }
        let deadlines = definition.deadlineTable()
        if !deadlines.isEmpty { text += deadlines + "\n" }
        return text
    }
}

extension Processes {
    /// The complete text of `Documentation/Workflows.md`, generated from the definitions.
    ///
    /// The package's tests compare the file with this text, so the document can never drift from the code;
    /// regenerate it with `REGENERATE_DOCS=1 swift test --filter DocumentationTests`.
    public static func documentation() -> String {
        var text = """
            # Workflows

            <!-- Generated from the process definitions by `Processes.documentation()`; do not edit by hand.
                 Regenerate with `REGENERATE_DOCS=1 swift test --filter DocumentationTests`. -->

            Every regulatory process of the Beijing measures is defined as data in `PublicDataWorkflow`
            (`Processes`): its states, the commands with the roles allowed to issue them and their guards, the
            events each transition records, who is notified, and the deadlines. The engine decides only what
            these definitions allow, and the diagrams below are generated from the same definitions.

            ## How a command is decided

            1. The actor's role must be one of the command's roles (table per process below); otherwise the
               command is refused with `roleNotPermitted`.
            2. The input is validated; every problem is listed (`invalidInput`).
            3. The stream's state is folded from its events; the command must leave that state (`invalidState`).
            4. Party checks: an operator acts only on its own agreements, products and scenarios; an implementing
               agency only on its own plans and agreements; a data provider only on objections addressed to it;
               an industry department co-reviews only requests for entries it owns (`notParty`).
            5. The policy decides where the regulation requires a decision; pricing checks caps and rates usage.
            6. The events are appended at the stream's version. On a version conflict the engine reloads the
               stream and decides again; it never retries an old decision.

            ## Refusals

            - A wrong role, a wrong party, a wrong state or bad input throws `WorkflowError` and records
              **nothing**.
            - A well-formed data request, product release or downstream scenario that the policy denies **is
              recorded** (`dataRequest.refused`, `product.releaseRefused`, `scenario.refused`,
              `dataRequest.coReviewRejected`) with the full decision — effect, reasons citing articles, fired
              rules, policy id and version — because Art. 14 requires every authorization decision to be
              traceable.
            - A plan the policy finds incomplete, an agreement the policy would not let be signed and a price
              above its cap are refused as bad input (nothing recorded): they are drafts, not decisions on a
              party's request.

            ## Deadlines, exit and notifications

            Deadlines are opened by events and fired by `WorkflowEngine.advance(to:)` (or
            `PublicDataApplication.tick()`), driven by the injected clock and working-day calendar. A deadline
            fires by appending its event with a deterministic id at the stream's version, so with any number of
            engine instances on one store each deadline fires exactly once.

            The exit procedure (seed 001 §8) follows a termination, a revocation, an expiry or the
            `consecutivePoorRatingsForExit`-th consecutive poor rating (0: never automatically; every rating is
            reported to the data administration): every grant of the agreement is revoked,
            every product withdrawn, the open settlement period rated and the accounts settled; every step
            carries a deterministic event id, so concurrent or repeated runs record each step once.

            Every event carries the notifications it causes (recipient party and role, kind, subject, due day).
            `NotificationDispatcher` delivers them at least once from a durable cursor, with the id
            `<event id>/<party>/<role>`.

            ## Roles the sources do not name

            Registration is run by the data administration (its registration body); fee caps are set by the
            implementing agency as the authorizing body; a settlement period is closed by the implementing agency
            or the data administration; revenue is distributed by the finance department; feedback is reviewed
            by the data administration or the zone's supervising industry department.


            """
        for definition in all { text += documentationSection(definition) }
        text += "## Role matrix\n\n"
        let roles = Role.allCases
        text += "| command | " + roles.map { "`\($0.rawValue)`" }.joined(separator: " | ") + " |\n"
        text += "|---|" + roles.map { _ in "---" }.joined(separator: "|") + "|\n"
        for definition in all {
            for command in definition.commands {
                let marks = roles.map { command.roles.contains($0) ? "✓" : "" }
                text += "| `\(command.name.rawValue)` | " + marks.joined(separator: " | ") + " |\n"
            }
        }
        return text
    }
}
