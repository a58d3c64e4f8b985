import PublicDataModel

/// A process described as data, derived from its types: states, commands with their specs, events with their
/// transitions, notifications and deadlines. Diagrams, tables, the role matrix and the read-side projection
/// all read this description; nothing here is written by hand.
public struct ProcessDescription: Sendable, Hashable {
    /// The pseudo-state before a stream exists.
    public static let initialState = "[*]"

    /// A command of the process.
    public struct CommandDescription: Sendable, Hashable {
        /// The command.
        public var name: CommandName
        /// Its roles, articles and guards.
        public var spec: CommandSpec
    }

    /// An event of the process with its transition.
    public struct EventDescription: Sendable, Hashable {
        /// The stored event type, e.g. `"agreement.signed"`.
        public var type: String
        /// The name of its payload struct, e.g. `"Decided"`; its fields are the payload's JSON keys.
        public var payload: String
        /// What triggers it: a command name, `deadline <key>`, `exit` or `effect of <command>`.
        public var trigger: String
        /// The states it leaves (``ProcessDescription/initialState`` for a creating event).
        public var from: [String]
        /// The state it enters; `nil` when the state does not change.
        public var to: String?
        /// The roles notified.
        public var notifies: [Role]
        /// The deadlines it opens.
        public var opens: [String]
        /// The deadlines it closes.
        public var closes: [String]
    }

    /// A deadline of the process.
    public struct DeadlineDescription: Sendable, Hashable {
        /// The key.
        public var key: String
        /// How its due date is computed.
        public var rule: String
        /// The events its firing records.
        public var events: [String]
    }

    /// The process.
    public var kind: ProcessKind
    /// The title.
    public var title: String
    /// The states.
    public var states: [String]
    /// States that end the process.
    public var finalStates: [String]
    /// The commands.
    public var commands: [CommandDescription]
    /// The events.
    public var events: [EventDescription]
    /// The deadlines.
    public var deadlines: [DeadlineDescription]
    /// The articles of the commands that create an instance (their events leave ``initialState``): what a
    /// refusal cites when a command refers to an instance of this process that does not exist.
    public var foundingArticles: [String]

    /// The description of `process`.
    public init<P: WorkflowProcess>(_ process: P.Type) {
        kind = P.kind
        title = P.title
        states = P.State.allCases.map(\.rawValue)
        finalStates = P.State.allCases.filter { P.finalStates.contains($0) }.map(\.rawValue)
        commands = P.Command.Name.allCases.map { name in
            CommandDescription(name: CommandName(P.self, name), spec: name.spec)
        }
        events = P.Event.Kind.allCases.map { kind in
            let spec = P.spec(kind)
            return EventDescription(
                type: kind.rawValue,
                payload: String(describing: P.Event.payloadType(of: kind)),
                trigger: Self.label(spec.trigger),
                from: spec.from.map { $0?.rawValue ?? Self.initialState },
                to: spec.to?.rawValue,
                notifies: spec.notifies,
                opens: spec.opens.map(\.rawValue),
                closes: spec.closes.map(\.rawValue)
            )
        }
        deadlines = P.Deadline.allCases.map { deadline in
            DeadlineDescription(
                key: deadline.rawValue,
                rule: deadline.rule,
                events: P.Event.Kind.allCases.filter { P.spec($0).trigger == .deadline(deadline) }.map(\.rawValue)
            )
        }
        foundingArticles = Self.foundingArticles(P.self)
    }

    /// The articles of the commands (or the commands whose effect it is) that record a creating event of
    /// `process`, in the order of its events. (Deadlines and the exit act on existing instances only.)
    static func foundingArticles<P: WorkflowProcess>(_ process: P.Type) -> [String] {
        var articles: [String] = []
        for kind in P.Event.Kind.allCases {
            let spec = P.spec(kind)
            guard spec.from.contains(where: { $0 == nil }) else { continue }
            let cited: [String]
            switch spec.trigger {
            case .command(let name): cited = name.spec.articles
            case .effect(let name): cited = name.spec.articles
            case .deadline, .exit: continue
            }
            for article in cited where !articles.contains(article) { articles.append(article) }
        }
        return articles
    }

    private static func label<P: WorkflowProcess>(_ trigger: EventTrigger<P>) -> String {
        switch trigger {
        case .command(let name): name.rawValue
        case .deadline(let key): "deadline \(key.rawValue)"
        case .exit: "exit"
        case .effect(let name): "effect of \(name.rawValue)"
        }
    }

    /// The states a command may leave: the `from` states of the events it may record.
    static func allowedStates<P: WorkflowProcess>(_ process: P.Type, for name: P.Command.Name) -> [P.State?] {
        var states: [P.State?] = []
        for kind in P.Event.Kind.allCases {
            let spec = P.spec(kind)
            guard spec.trigger == .command(name) else { continue }
            for state in spec.from where !states.contains(state) { states.append(state) }
        }
        return states
    }

    /// The commands whose events enter one of `states`.
    static func commandsLeading<P: WorkflowProcess>(_ process: P.Type, into states: [P.State?]) -> [P.Command.Name] {
        var names: [P.Command.Name] = []
        for kind in P.Event.Kind.allCases {
            let spec = P.spec(kind)
            guard case .command(let name) = spec.trigger, let to = spec.to, states.contains(to) else { continue }
            if !names.contains(name) { names.append(name) }
        }
        return names
    }

    // MARK: - Rendering

    /// The process as a Mermaid `stateDiagram-v2`.
    ///
    /// Each event is one edge per state it leaves, labelled with its trigger; final states lead to `[*]`.
    /// - Returns: The diagram source, ending with a newline.
    public func mermaid() -> String {
        var lines = ["stateDiagram-v2"]
        var seen: Set<String> = []
        for event in events {
            for from in event.from {
                let line = "    \(from) --> \(event.to ?? from): \(event.trigger)"
                if seen.insert(line).inserted { lines.append(line) }
            }
        }
        for state in finalStates { lines.append("    \(state) --> [*]") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The role table as Markdown: command, allowed roles, guards, articles.
    public func roleTable() -> String {
        var lines = ["| command | roles allowed | guards | articles |", "|---|---|---|---|"]
        for command in commands {
            let roles = Role.allCases.filter { command.spec.roles.contains($0) }.map { "`\($0.rawValue)`" }
            let guards = command.spec.guards.isEmpty ? "—" : command.spec.guards.joined(separator: "; ")
            lines.append(
                "| `\(command.name.rawValue)` | \(roles.joined(separator: ", ")) | \(guards) | "
                    + "\(command.spec.articles.joined(separator: ", ")) |"
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The deadlines as Markdown, or an empty string when the process has none.
    public func deadlineTable() -> String {
        guard !deadlines.isEmpty else { return "" }
        var lines = ["| deadline | due | event |", "|---|---|---|"]
        for deadline in deadlines {
            lines.append(
                "| `\(deadline.key)` | \(deadline.rule) | "
                    + deadline.events.map { "`\($0)`" }.joined(separator: ", ") + " |"
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The notifications as Markdown: event and roles notified.
    public func notificationTable() -> String {
        let notifying = events.filter { !$0.notifies.isEmpty }
        guard !notifying.isEmpty else { return "" }
        var lines = ["| event | notified roles |", "|---|---|"]
        for event in notifying {
            lines.append(
                "| `\(event.type)` | " + event.notifies.map { "`\($0.rawValue)`" }.joined(separator: ", ") + " |"
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The events as Markdown: type, payload struct, trigger, transition.
    public func eventTable() -> String {
        var lines = ["| event | payload | trigger | from → to |", "|---|---|---|---|"]
        for event in events {
            let payload = event.payload == "NoPayload" ? "—" : "`\(event.payload)`"
            lines.append(
                "| `\(event.type)` | \(payload) | \(event.trigger) | "
                    + event.from.joined(separator: ", ") + " → " + (event.to ?? "(unchanged)") + " |"
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The Markdown section of the process for `Documentation/Workflows.md`.
    public func documentationSection() -> String {
        var text = "## \(title)\n\n"
        text += "Stream: `\(kind.streamPrefix)<id>`.\n\n"
        text += "```mermaid\n\(mermaid())```\n\n"
        text += roleTable() + "\n"
        text += eventTable() + "\n"
        let notifications = notificationTable()
        if !notifications.isEmpty { text += notifications + "\n" }
        let deadlines = deadlineTable()
        if !deadlines.isEmpty { text += deadlines + "\n" }
        return text
    }
}

extension Processes {
    /// The complete text of `Documentation/Workflows.md`, generated from the process types.
    ///
    /// The package's tests compare the file with this text, so the document can never drift from the code;
    /// regenerate it with `REGENERATE_DOCS=1 swift test --filter DocumentationTests`.
    public static func documentation() -> String {
        var text = """
            # Workflows

            <!-- Generated from the process types by `Processes.documentation()`; do not edit by hand.
                 Regenerate with `REGENERATE_DOCS=1 swift test --filter DocumentationTests`. -->

            Every regulatory process is one type in `PublicDataWorkflow` (a `WorkflowProcess`): a `Command`
            enum, an `Event` enum whose cases carry typed payloads, a `State` enum, its `Facts`, the spec of
            each event (the states it leaves and enters, who is notified, which deadlines it opens and closes),
            a pure `decide` and a pure `evolve`. The tables and diagrams below are generated from those types.

            ## How a command is decided

            1. The actor's role must be one of the command's roles (table per process below); otherwise the
               command is refused with `roleNotPermitted`, citing the articles that assign the act.
            2. The input is validated; every problem is listed with its JSON path (`invalidInput`).
            3. The stream's state is folded from its events; the command must leave that state (`invalidState`,
               citing the articles of the step that must come first).
            4. The process decides: party checks (`notParty`), the policy where the regulation requires a
               decision, pricing where money is involved.
            5. The events are appended at the stream's version with ids derived from the command, so a raced or
               retried command is recorded once. On a version conflict the engine reloads the stream and decides
               again; it never retries an old decision.

            ## Refusals

            - A wrong role, a wrong party, a wrong state or bad input throws `WorkflowError` and records
              **nothing**; the error lists the articles behind the refusal.
            - A well-formed data request, product release, price publication or downstream scenario that the
              policy denies **is recorded** (`dataRequest.refused`, `product.releaseRefused`,
              `product.publicationRefused`, `scenario.refused`, `dataRequest.coReviewRejected`) with the full
              decision — effect, reasons citing articles, fired rules, policy id and version — because Art. 14
              requires every authorization decision to be traceable. An industry department's co-review
              rejection and an implementing agency's own refusal of a data request (`dataRequest.refusedByAgency`,
              Art. 16) are recorded too, with the note or reason; `CommandOutcome.articles` names the articles
              behind every recorded refusal.
            - A plan the policy's plan review refuses and an agreement the agreement review refuses throw
              `policyDenied` with the whole decision (nothing recorded): they are drafts, not decisions on a
              party's request.

            ## Event JSON

            Every event's JSON payload is one object: the trace keys of `TraceKeys` (`agreementID`, `planID`,
            `catalogEntryIDs`, `operatorID`, `agencyID`, … — present when known), then the fields of the event's
            payload struct (column *payload* below; `—` means none), then `deadlines` it opens, `closedDeadlines`
            and `notify` (the resolved recipients) where present. Keys are sorted; instants are ISO 8601 UTC with
            milliseconds; days are `YYYY-MM-DD`; money is `{"currency":"CNY","fen":…}`. These bytes are what the
            audit ledger hashes, so they are part of the public contract: a field is only ever added, never renamed.

            ## Deadlines, exit and notifications

            Deadlines are opened by events and fired by `WorkflowEngine.advance(to:)` (or
            `PublicDataApplication.tick()`), driven by the injected clock and working-day calendar. A deadline
            fires by appending its event with a deterministic id at the stream's version, so with any number of
            engine instances on one store each deadline fires exactly once.

            The exit procedure (87号 §8) follows a termination, a revocation, an expiry or the
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
        for description in all { text += description.documentationSection() }
        text += "## Role matrix\n\n"
        let roles = Role.allCases
        text += "| command | " + roles.map { "`\($0.rawValue)`" }.joined(separator: " | ") + " |\n"
        text += "|---|" + roles.map { _ in "---" }.joined(separator: "|") + "|\n"
        for description in all {
            for command in description.commands {
                let marks = roles.map { command.spec.roles.contains($0) ? "✓" : "" }
                text += "| `\(command.name.rawValue)` | " + marks.joined(separator: " | ") + " |\n"
            }
        }
        return text
    }
}
