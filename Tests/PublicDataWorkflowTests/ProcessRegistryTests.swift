import Foundation
import PublicDataKit
import Testing

/// `Processes.types` is the one registration of a process: everything a command needs (its JSON key, its names,
/// its routing) is derived from the registered type.
struct ProcessRegistryTests {
    /// Every command of the demo lifecycle, once per command name.
    static let commands: [WorkflowCommand] = {
        var seen: Set<CommandName> = []
        return Scripts.lifecycle.compactMap { step in
            guard case .run(let command, _) = step, seen.insert(command.name).inserted else { return nil }
            return command
        }
    }()

    @Test func everyProcessKindHasOneRegisteredProcessAndItsOwnKey() {
        #expect(Set(Processes.types.map { $0.kind }) == Set(ProcessKind.allCases))
        #expect(Processes.types.count == ProcessKind.allCases.count)
        let keys = Processes.types.map { $0.commandKey }
        #expect(Set(keys).count == keys.count, "two processes share a command key: \(keys)")
        #expect(Set(CommandName.allCases.map(\.rawValue)).count == CommandName.allCases.count)
        for process in Processes.types {
            #expect(CommandName.allCases.contains { $0.process == process.kind }, "\(process.kind) has no command")
        }
    }

    @Test func theLifecycleCoversMostProcesses() {
        #expect(Set(Self.commands.map(\.process)).count >= 10)
    }

    @Test(arguments: commands)
    func aCommandIsItsProcessAndItsTypedCommand(_ command: WorkflowCommand) throws {
        let process = Processes.type(of: command.process)
        #expect(command.name.process == command.process)
        #expect(command.stream.rawValue.hasPrefix(command.process.streamPrefix))

        // Its JSON names the process by its key, and decodes to an equal command.
        let data = try PublicDataJSON.encode(command)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Array(object.keys) == [process.commandKey])
        let decoded = try PublicDataJSON.decode(WorkflowCommand.self, from: data)
        #expect(decoded == command)
        #expect(decoded.hashValue == command.hashValue)

        // The typed command comes back for its own process only.
        func typed<P: WorkflowProcess>(_ type: P.Type) -> Bool {
            let own = command.command(of: type)
            #expect(own.map(P.workflowCommand) == own.map { _ in command })
            #expect(command.name.name(of: type)?.rawValue == own.map { _ in command.name.rawValue })
            return own != nil
        }
        for other in Processes.types {
            #expect(typed(other) == (other.kind == command.process), "\(command.name) as \(other.kind)")
        }
    }

    @Test func commandsOfDifferentProcessesOrInputsDiffer() {
        let plan = WorkflowCommand.plan(.returnPlan(plan: "plan-fin", reason: "unclear"))
        #expect(plan == .plan(.returnPlan(plan: "plan-fin", reason: "unclear")))
        #expect(plan != .plan(.returnPlan(plan: "plan-fin", reason: "other")))
        #expect(plan != .plan(.approvePlan(plan: "plan-fin")))
        #expect(plan != .agreement(.signAgreement(agreement: "plan-fin")))
        #expect(Set([plan, .plan(.returnPlan(plan: "plan-fin", reason: "unclear"))]).count == 1)
        #expect(CommandName.plan(.returnPlan) == plan.name)
        #expect(plan.description == #"plan(returnPlan(plan: plan-fin, reason: "unclear"))"#)
        #expect(CommandName.plan(.returnPlan) != .plan(.approvePlan))
        #expect(CommandName.plan(.returnPlan).name(of: PlanProcess.self) == .returnPlan)
        #expect(CommandName.plan(.returnPlan).name(of: AgreementProcess.self) == nil)
        #expect(PlanProcess.workflowCommand(.approvePlan(plan: "plan-fin")) == .plan(.approvePlan(plan: "plan-fin")))
    }

    @Test(
        arguments: [
            (#"{"frobnicate": {"submitPlan": {"plan": "p"}}}"#, "frobnicate"),
            (#"{}"#, "exactly one process"),
            (#"{"plan": {"approvePlan": {"plan": "p"}}, "zone": {}}"#, "exactly one process"),
            // A member beside the process is refused, not ignored.
            (#"{"plan": {"approvePlan": {"plan": "p"}}, "note": 1}"#, "exactly one process"),
        ]
    )
    func aCommandNamingNoOneProcessIsRefused(_ json: String, _ expected: String) {
        #expect {
            _ = try PublicDataJSON.decode(WorkflowCommand.self, from: Data(json.utf8))
        } throws: { error in
            String(describing: error).contains(expected)
        }
    }
}
