import Foundation
import PublicDataKit
import Testing

struct ProcessDefinitionTests {
    @Test(arguments: Processes.all)
    func definitionIsConsistent(_ definition: ProcessDefinition) {
        #expect(definition.validationIssues().isEmpty, "\(definition.validationIssues())")
    }

    @Test func everyCommandBelongsToExactlyOneProcessAndHasRoles() {
        var owners: [CommandName: [ProcessKind]] = [:]
        for definition in Processes.all {
            for command in definition.commands { owners[command.name, default: []].append(definition.kind) }
        }
        for name in CommandName.allCases {
            #expect(owners[name]?.count == 1, "\(name) is defined by \(owners[name] ?? [])")
            #expect(!Processes.roles(for: name).isEmpty, "\(name) has no role")
            #expect(Processes.definition(Processes.process(of: name)).transitions(for: name).count >= 1)
        }
    }

    @Test func everyStateIsReachableFromTheStart() {
        for definition in Processes.all {
            var reached: Set<String> = [ProcessDefinition.initialState]
            var changed = true
            while changed {
                changed = false
                for transition in definition.transitions where transition.from.contains(where: reached.contains) {
                    if let to = transition.to, reached.insert(to).inserted { changed = true }
                }
            }
            for state in definition.states {
                #expect(reached.contains(state), "\(definition.kind): \(state) is unreachable")
            }
        }
    }

    @Test func mermaidListsEveryTransitionAndFinalState() {
        let diagram = Processes.objection.mermaid()
        #expect(diagram.hasPrefix("stateDiagram-v2\n"))
        #expect(diagram.contains("    [*] --> raised: raiseObjection\n"))
        #expect(diagram.contains("    accepted --> accepted: deadline response\n"))
        #expect(diagram.contains("    closed --> [*]\n"))
        for definition in Processes.all {
            let text = definition.mermaid()
            for transition in definition.transitions {
                for from in transition.from {
                    #expect(text.contains("    \(from) --> \(transition.to ?? from): "), "\(definition.kind) \(from)")
                }
            }
        }
    }

    @Test func streamIDsMapBackToTheirProcess() {
        for kind in ProcessKind.allCases {
            #expect(ProcessKind.of(kind.stream("x-1")) == kind)
        }
        #expect(ProcessKind.of("unrelated") == nil)
        #expect(ProcessKind.of("pricing-ledger") == nil)
    }
}
