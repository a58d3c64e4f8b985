import Foundation
import PublicDataModel

/// The engine's memo of the instances it folded or appended to: one typed table per process, so an instance is
/// stored as itself (no existential box) and read back without a dynamic cast.
///
/// When the memo holds `limit` instances and a new stream arrives, it starts afresh (every table is emptied).
final class InstanceMemo: @unchecked Sendable {
    // @unchecked: `tables` and `count` are only touched while `lock` is held.
    private let lock = NSLock()
    private var tables: [ObjectIdentifier: AnyObject] = [:]
    private var count = 0
    private let limit: Int

    /// One process's instances.
    private final class Table<P: WorkflowProcess> {
        var instances: [StreamID: ProcessInstance<P>] = [:]
    }

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// The table of `P`, created on first use; call with `lock` held.
    private func table<P: WorkflowProcess>(_ process: P.Type) -> Table<P> {
        let key = ObjectIdentifier(P.self)
        if let table = tables[key] { return unsafeDowncast(table, to: Table<P>.self) }
        let table = Table<P>()
        tables[key] = table
        return table
    }

    /// The memoized instance of `stream`, if any.
    func instance<P: WorkflowProcess>(_ process: P.Type, _ stream: StreamID) -> ProcessInstance<P>? {
        lock.lock()
        defer { lock.unlock() }
        return table(P.self).instances[stream]
    }

    /// Memoizes `instance` unless the memo holds a later version of its stream.
    func remember<P: WorkflowProcess>(_ instance: ProcessInstance<P>) {
        lock.lock()
        defer { lock.unlock() }
        var table = table(P.self)
        if let existing = table.instances[instance.stream] {
            guard existing.version < instance.version else { return }
        } else if count >= limit {
            tables.removeAll()
            count = 0
            table = self.table(P.self)
        }
        if table.instances.updateValue(instance, forKey: instance.stream) == nil { count += 1 }
    }

    /// Drops the memo of `stream` (a process's streams are named with its prefix, so only `P`'s table can hold it).
    func forget<P: WorkflowProcess>(_ process: P.Type, _ stream: StreamID) {
        lock.lock()
        defer { lock.unlock() }
        if table(P.self).instances.removeValue(forKey: stream) != nil { count -= 1 }
    }

    /// How many instances the memo holds.
    var instanceCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }
}
