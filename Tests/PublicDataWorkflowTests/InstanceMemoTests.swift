import Foundation
import Testing

@testable import PublicDataModel
@testable import PublicDataWorkflow

/// The engine's typed memo: a later version replaces an earlier one and never the reverse, each process has its
/// own table, forgetting drops one stream, and a full memo starts afresh.
@Suite struct InstanceMemoTests {
    static func instance<P: WorkflowProcess>(_ process: P.Type, _ id: String, version: Int64) -> ProcessInstance<P> {
        var instance = ProcessInstance<P>(stream: P.kind.stream(id))
        instance.version = version
        return instance
    }

    @Test func laterVersionsWinAndProcessesStayApart() {
        let memo = InstanceMemo(limit: 10)
        memo.remember(Self.instance(ObjectionProcess.self, "o-1", version: 3))
        memo.remember(Self.instance(ObjectionProcess.self, "o-1", version: 2))
        #expect(memo.instance(ObjectionProcess.self, ObjectionProcess.kind.stream("o-1"))?.version == 3)
        memo.remember(Self.instance(ObjectionProcess.self, "o-1", version: 4))
        #expect(memo.instance(ObjectionProcess.self, ObjectionProcess.kind.stream("o-1"))?.version == 4)
        #expect(memo.instance(SettlementProcess.self, ObjectionProcess.kind.stream("o-1")) == nil)
        memo.remember(Self.instance(SettlementProcess.self, "agr-1", version: 1))
        #expect(memo.instanceCount == 2)
        memo.forget(ObjectionProcess.self, ObjectionProcess.kind.stream("o-1"))
        #expect(memo.instance(ObjectionProcess.self, ObjectionProcess.kind.stream("o-1")) == nil)
        #expect(memo.instance(SettlementProcess.self, SettlementProcess.kind.stream("agr-1"))?.version == 1)
        #expect(memo.instanceCount == 1)
    }

    @Test func aFullMemoStartsAfresh() {
        let memo = InstanceMemo(limit: 3)
        for index in 0..<3 { memo.remember(Self.instance(ObjectionProcess.self, "o-\(index)", version: 1)) }
        #expect(memo.instanceCount == 3)
        // A known stream is updated in place; a new one empties every table first.
        memo.remember(Self.instance(ObjectionProcess.self, "o-0", version: 2))
        #expect(memo.instanceCount == 3)
        memo.remember(Self.instance(SettlementProcess.self, "agr-1", version: 1))
        #expect(memo.instanceCount == 1)
        #expect(memo.instance(ObjectionProcess.self, ObjectionProcess.kind.stream("o-0")) == nil)
        #expect(memo.instance(SettlementProcess.self, SettlementProcess.kind.stream("agr-1"))?.version == 1)
    }
}
