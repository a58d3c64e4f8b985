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
