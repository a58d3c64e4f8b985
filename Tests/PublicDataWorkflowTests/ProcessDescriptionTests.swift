import Foundation
import PublicDataKit
import Testing

struct ProcessDescriptionTests {
    @Test(arguments: Processes.all)
    func descriptionIsConsistent(_ description: ProcessDescription) {
        let known = Set(description.states).union([ProcessDescription.initialState])
        let deadlineKeys = Set(description.deadlines.map(\.key))
        var leaving: Set<String> = []
        for event in description.events {
            for state in event.from + [event.to].compactMap({ $0 }) {
                #expect(known.contains(state), "\(description.kind) \(event.type): unknown state \(state)")
            }
            for key in event.opens + event.closes {
                #expect(deadlineKeys.contains(key), "\(description.kind) \(event.type): undefined deadline \(key)")
            }
            for state in event.from {
                #expect(leaving.insert("\(state)|\(event.type)").inserted, "\(event.type) leaves \(state) twice")
            }
        }
        for deadline in description.deadlines {
            #expect(!deadline.events.isEmpty, "\(description.kind): deadline \(deadline.key) records no event")
            #expect(
                description.events.contains { $0.opens.contains(deadline.key) },
                "\(description.kind): no event opens \(deadline.key)"
            )
        }
    }

    /// A process that has final states can reach one from every state: no instance is stuck where no command,
    /// deadline, effect or exit moves it on (a process that does not close).
    @Test(arguments: Processes.all.filter { !$0.finalStates.isEmpty })
    func everyStateCanReachAFinalState(_ description: ProcessDescription) {
        var next: [String: Set<String>] = [:]
        for event in description.events {
            guard let to = event.to else { continue }
            for from in event.from { next[from, default: []].insert(to) }
        }
        let finals = Set(description.finalStates)
        for state in description.states where !finals.contains(state) {
            var seen: Set<String> = [state]
            var queue = [state]
            var reached = false
            while let current = queue.popLast(), !reached {
                for target in next[current] ?? [] where seen.insert(target).inserted {
                    if finals.contains(target) { reached = true }
                    queue.append(target)
                }
            }
            #expect(reached, "\(description.kind): no final state is reachable from \(state)")
        }
    }

    @Test func everyCommandBelongsToExactlyOneProcessAndHasRoles() {
        var owners: [CommandName: [ProcessKind]] = [:]
        for description in Processes.all {
            for command in description.commands { owners[command.name, default: []].append(description.kind) }
        }
        #expect(Set(CommandName.allCases.map(\.rawValue)).count == CommandName.allCases.count)
        for name in CommandName.allCases {
            #expect(owners[name] == [name.process], "\(name) is defined by \(owners[name] ?? [])")
            #expect(!name.spec.roles.isEmpty, "\(name) has no role")
            #expect(!name.spec.articles.isEmpty, "\(name) cites no article")
            #expect(CommandName(rawValue: name.rawValue) == name)
            let events = Processes.description(of: name.process).events.filter { $0.trigger == name.rawValue }
            #expect(!events.isEmpty, "\(name) records no event")
        }
    }

    @Test func everyStateIsReachableFromTheStart() {
        for description in Processes.all {
            var reached: Set<String> = [ProcessDescription.initialState]
            var changed = true
            while changed {
                changed = false
                for event in description.events where event.from.contains(where: reached.contains) {
                    if let to = event.to, reached.insert(to).inserted { changed = true }
                }
            }
            for state in description.states {
                #expect(reached.contains(state), "\(description.kind): \(state) is unreachable")
            }
        }
    }

    @Test func mermaidListsEveryTransitionAndFinalState() {
        let diagram = Processes.description(of: .objection).mermaid()
        #expect(diagram.hasPrefix("stateDiagram-v2\n"))
        #expect(diagram.contains("    [*] --> raised: raiseObjection\n"))
        #expect(diagram.contains("    accepted --> accepted: deadline response\n"))
        #expect(diagram.contains("    closed --> [*]\n"))
        for description in Processes.all {
            let text = description.mermaid()
            for event in description.events {
                for from in event.from {
                    #expect(text.contains("    \(from) --> \(event.to ?? from): "), "\(description.kind) \(from)")
                }
            }
            for state in description.finalStates {
                #expect(text.contains("    \(state) --> [*]\n"), "\(description.kind) \(state)")
            }
        }
    }

    @Test func streamIDsMapBackToTheirProcess() {
        for kind in ProcessKind.allCases {
            #expect(ProcessKind.of(kind.stream("x-1")) == kind)
            #expect(kind.instanceID(of: kind.stream("x-1")) == "x-1")
            #expect(Processes.description(of: kind).kind == kind)
        }
        #expect(ProcessKind.of("unrelated") == nil)
        #expect(ProcessKind.of("pricing-ledger") == nil)
    }
}
