#if PostgreSQL
import Foundation
import PublicDataModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where PostgreSQL tests and benchmarks get a server.
///
/// In order: the connection string in the environment variable `PUBLICDATA_POSTGRES_URL`; else a throwaway
/// cluster (``PostgresTestCluster``) when PostgreSQL's server programs are installed; else nothing, with
/// the reason, which tests must report visibly (never a silent pass).
public enum PostgresTestServer: Sendable, Hashable {
    /// Use this existing server (from `PUBLICDATA_POSTGRES_URL`); tests create their own schemas in it.
    case url(String)
    /// Start a throwaway cluster with the server programs in this folder.
    case cluster(binDirectory: String)
    /// No server: the reason, for the skip message.
    case unavailable(String)

    /// Looks at the environment and the file system; starts nothing.
    /// - Returns: How to get a server, or why there is none.
    public static func detect() -> PostgresTestServer {
        let environment = ProcessInfo.processInfo.environment
        if let url = environment["PUBLICDATA_POSTGRES_URL"], !url.isEmpty { return .url(url) }
        if let bin = PostgresTestCluster.serverProgramsDirectory() { return .cluster(binDirectory: bin) }
        return .unavailable(
            "no PostgreSQL server: set PUBLICDATA_POSTGRES_URL, or install the server programs "
                + "(Debian: apt-get install postgresql; macOS: brew install postgresql) so that a throwaway cluster can run"
        )
    }

    /// `true` unless ``unavailable(_:)``.
    public var isAvailable: Bool {
        if case .unavailable = self { return false }
        return true
    }
}

/// A throwaway PostgreSQL cluster for tests and benchmarks: `initdb` into a temporary folder, trust
/// authentication, listening only on a Unix socket in that folder, `fsync` and `synchronous_commit` on.
///
/// ```swift
/// let cluster = try PostgresTestCluster.start()
/// defer { cluster.stop() }
/// let store = try await PostgresEventStore(cluster.connectionString, schema: "test_1")
/// ```
///
/// The server refuses to run as root, so when the process runs as root the programs run as the `postgres`
/// user (`runuser -u postgres --`) and the folder belongs to that user. The cluster is stopped and removed
/// by ``stop()``, at process exit, and — should the process crash — by a small watchdog shell that waits
/// for the process to end; no server is left behind.
public final class PostgresTestCluster: Sendable {
    /// The libpq connection string of the cluster's `postgres` database (user `publicdata`).
    public let connectionString: String
    /// The temporary folder (data directory, socket, log).
    public let directory: String
    /// The folder with `initdb`, `pg_ctl` and `postgres`.
    public let binDirectory: String
    private let runAsPostgres: Bool
    private let state = StopState()

    private init(connectionString: String, directory: String, binDirectory: String, runAsPostgres: Bool) {
        self.connectionString = connectionString
        self.directory = directory
        self.binDirectory = binDirectory
        self.runAsPostgres = runAsPostgres
    }

    /// The folder of the newest installed PostgreSQL server programs, or `nil`.
    ///
    /// Checks `PUBLICDATA_POSTGRES_BIN`, then Debian's `/usr/lib/postgresql/<version>/bin`, Homebrew's
    /// `postgresql@<version>`, and the `PATH`.
    /// - Returns: A folder containing `initdb` and `pg_ctl`.
    public static func serverProgramsDirectory() -> String? {
        let manager = FileManager.default
        func hasPrograms(_ folder: String) -> Bool {
            manager.isExecutableFile(atPath: folder + "/initdb") && manager.isExecutableFile(atPath: folder + "/pg_ctl")
        }
        if let folder = ProcessInfo.processInfo.environment["PUBLICDATA_POSTGRES_BIN"], hasPrograms(folder) {
            return folder
        }
        var candidates: [String] = []
        for root in ["/usr/lib/postgresql", "/opt/homebrew/opt", "/usr/local/opt"] {
            let names = (try? manager.contentsOfDirectory(atPath: root)) ?? []
            let versions = names.filter { root == "/usr/lib/postgresql" || $0.hasPrefix("postgresql") }
                .sorted { versionNumber($0) > versionNumber($1) }
            candidates += versions.map { "\(root)/\($0)/bin" }
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        candidates += path.split(separator: ":").map(String.init)
        return candidates.first(where: hasPrograms)
    }

    private static func versionNumber(_ name: String) -> Int {
        Int(name.filter(\.isNumber)) ?? 0
    }

    /// Creates and starts a cluster (blocking: `initdb` and start take a few seconds).
    /// - Parameter binDirectory: The server programs; by default ``serverProgramsDirectory()``.
    /// - Returns: The running cluster.
    /// - Throws: `EventStoreError` `unavailable` naming the failed step and its output.
    public static func start(binDirectory: String? = nil) throws(EventStoreError) -> PostgresTestCluster {
        guard let bin = binDirectory ?? serverProgramsDirectory() else {
            throw EventStoreError(code: .unavailable, message: "PostgreSQL server programs (initdb, pg_ctl) not found")
        }
        let runAsPostgres = geteuid() == 0
        let base = runAsPostgres ? "/tmp" : NSTemporaryDirectory()
        var template =
            Array((base.hasSuffix("/") ? base : base + "/").utf8CString.dropLast()) + Array("pdpg-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw EventStoreError(code: .unavailable, message: "cannot create a temporary folder in \(base)")
        }
        let directory = String(cString: made)
        let port = Int.random(in: 20_000...60_000)
        let cluster = PostgresTestCluster(
            connectionString: "host=\(directory) port=\(port) user=publicdata dbname=postgres",
            directory: directory,
            binDirectory: bin,
            runAsPostgres: runAsPostgres
        )
        do {
            if runAsPostgres {
                try cluster.run("/bin/chown", ["postgres:", directory], asPostgres: false)
            }
            try cluster.run(
                bin + "/initdb",
                [
                    "-D", directory + "/data", "-U", "publicdata", "--auth=trust", "-E", "UTF8", "--locale=C",
                    "--no-sync",
                ],
                asPostgres: runAsPostgres
            )
            let settings = """

                # PublicDataKit throwaway test cluster
                listen_addresses = ''
                unix_socket_directories = '\(directory)'
                port = \(port)
                fsync = on
                synchronous_commit = on
                max_connections = 300
                shared_buffers = 64MB
                max_wal_size = 1GB
                """
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/data/postgresql.conf"))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(settings.utf8))
            try handle.close()
            // Members of publicdata_password_login must give a password (for the wrong-password test).
            let hbaPath = directory + "/data/pg_hba.conf"
            let hba = try String(contentsOfFile: hbaPath, encoding: .utf8)
            try ("local all +publicdata_password_login scram-sha-256\n" + hba).write(
                toFile: hbaPath,
                atomically: false,
                encoding: .utf8
            )
            try cluster.startServer()
        } catch let error as EventStoreError {
            cluster.stop()
            throw error
        } catch {
            cluster.stop()
            throw EventStoreError(code: .unavailable, message: "cannot set up the test cluster: \(error)")
        }
        cluster.startWatchdog()
        ClusterRegistry.shared.add(cluster)
        return cluster
    }

    /// Restarts the server (fast shutdown: open transactions are rolled back, sessions are disconnected).
    /// - Throws: `EventStoreError` `unavailable` when `pg_ctl` fails.
    public func restart() throws(EventStoreError) {
        try run(
            binDirectory + "/pg_ctl",
            ["-D", directory + "/data", "-m", "fast", "-w", "-t", "60", "-l", directory + "/server.log", "restart"],
            asPostgres: runAsPostgres
        )
    }

    /// Crashes and restarts the server: immediate shutdown (no checkpoint, sessions cut off, WAL that was
    /// not flushed is lost), then a start with crash recovery — what a power cut or a killed postmaster does.
    /// - Throws: `EventStoreError` `unavailable` when `pg_ctl` fails.
    public func crashAndRestart() throws(EventStoreError) {
        try run(
            binDirectory + "/pg_ctl",
            [
                "-D", directory + "/data", "-m", "immediate", "-w", "-t", "60", "-l", directory + "/server.log",
                "restart",
            ],
            asPostgres: runAsPostgres
        )
    }

    /// Stops the server immediately and removes the folder. Safe to call more than once.
    public func stop() {
        guard state.markStopped() else { return }
        _ = try? run(
            binDirectory + "/pg_ctl",
            ["-D", directory + "/data", "-m", "immediate", "-w", "-t", "30", "stop"],
            asPostgres: runAsPostgres
        )
        try? FileManager.default.removeItem(atPath: directory)
        ClusterRegistry.shared.remove(self)
    }

    private func startServer() throws(EventStoreError) {
        try run(
            binDirectory + "/pg_ctl",
            ["-D", directory + "/data", "-w", "-t", "60", "-l", directory + "/server.log", "start"],
            asPostgres: runAsPostgres
        )
    }

    /// Stops the cluster when this process ends, however it ends.
    private func startWatchdog() {
        let prefix = runAsPostgres ? "\(Self.runuserPath()) -u postgres -- " : ""
        let script =
            "while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done; "
            + "\(prefix)'\(binDirectory)/pg_ctl' -D '\(directory)/data' -m immediate stop; rm -rf '\(directory)'"
        _ = try? ChildProcess.spawn("/bin/sh", ["-c", script], output: "/dev/null")
    }

    /// The shell command that stops the server, for the exit handler.
    fileprivate var stopCommand: String {
        let prefix = runAsPostgres ? "\(Self.runuserPath()) -u postgres -- " : ""
        return "\(prefix)'\(binDirectory)/pg_ctl' -D '\(directory)/data' -m immediate stop >/dev/null 2>&1; "
            + "rm -rf '\(directory)'"
    }

    /// Runs a program to completion; output goes to a log file in the cluster folder.
    private func run(_ program: String, _ arguments: [String], asPostgres: Bool) throws(EventStoreError) {
        let logPath = directory + "/commands.log"
        let offset = (try? FileManager.default.attributesOfItem(atPath: logPath)[.size] as? NSNumber)?.uint64Value ?? 0
        let status: Int32
        do {
            let pid =
                asPostgres
                ? try ChildProcess.spawn(
                    Self.runuserPath(),
                    ["-u", "postgres", "--", program] + arguments,
                    output: logPath
                )
                : try ChildProcess.spawn(program, arguments, output: logPath)
            status = ChildProcess.wait(pid)
        } catch {
            throw EventStoreError(code: .unavailable, message: "cannot run \(program): \(error)")
        }
        guard status == 0 else {
            var output = ""
            if let log = FileHandle(forReadingAtPath: logPath) {
                try? log.seek(toOffset: offset)
                output = String(decoding: (try? log.readToEnd()) ?? Data(), as: UTF8.self)
                try? log.close()
            }
            throw EventStoreError(
                code: .unavailable,
                message: "\((program as NSString).lastPathComponent) \(arguments.joined(separator: " ")) failed "
                    + "(status \(status)): \(output.suffix(2000))",
                location: directory
            )
        }
    }

    private static func runuserPath() -> String {
        ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        } ?? "runuser"
    }
}

/// Records whether a cluster was stopped.
private final class StopState: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false

    /// `true` the first time only.
    func markStopped() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if stopped { return false }
        stopped = true
        return true
    }
}

/// The running clusters of this process, stopped by an exit handler.
private final class ClusterRegistry: @unchecked Sendable {
    static let shared = ClusterRegistry()
    private let lock = NSLock()
    private var commands: [ObjectIdentifier: String] = [:]
    private var installed = false

    func add(_ cluster: PostgresTestCluster) {
        lock.lock()
        defer { lock.unlock() }
        commands[ObjectIdentifier(cluster)] = cluster.stopCommand
        if !installed {
            installed = true
            atexit {
                ClusterRegistry.shared.stopAll()
            }
        }
    }

    func remove(_ cluster: PostgresTestCluster) {
        lock.lock()
        defer { lock.unlock() }
        commands.removeValue(forKey: ObjectIdentifier(cluster))
    }

    func stopAll() {
        lock.lock()
        let pending = Array(commands.values)
        commands.removeAll()
        lock.unlock()
        for command in pending { runShell(command) }
    }

    /// Runs `/bin/sh -c command` and waits (safe inside an exit handler).
    private func runShell(_ command: String) {
        guard let pid = try? ChildProcess.spawn("/bin/sh", ["-c", command], output: "/dev/null") else { return }
        _ = ChildProcess.wait(pid)
    }
}
#endif

#if PostgreSQL
/// Starts programs with `posix_spawn`, without inheriting this process's file descriptors.
///
/// Foundation's `Process` cannot be used for `pg_ctl start`: on Linux it learns that a child ended when a
/// socket the child inherited closes, and the server that `pg_ctl` leaves running inherits it too, so
/// `waitUntilExit()` never returns. Here every descriptor above 2 that is not close-on-exec is closed in the
/// child, and the child is reaped with `waitpid`.
enum ChildProcess {
    struct SpawnError: Error, CustomStringConvertible {
        var code: Int32
        var description: String { "posix_spawn failed: \(String(cString: strerror(code)))" }
    }

    /// Starts `program` with stdin from /dev/null and stdout and stderr appended to `output`.
    static func spawn(_ program: String, _ arguments: [String], output: String) throws -> pid_t {
        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t?
        #else
        var actions = posix_spawn_file_actions_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        for descriptor: Int32 in 3..<1024 {
            let flags = fcntl(descriptor, F_GETFD)
            if flags >= 0 && flags & FD_CLOEXEC == 0 { posix_spawn_file_actions_addclose(&actions, descriptor) }
        }
        let commandLine = [program] + arguments
        let cStrings = commandLine.map { strdup($0) }
        defer {
            for pointer in cStrings { free(pointer) }
        }
        var argv: [UnsafeMutablePointer<CChar>?] = cStrings + [nil]
        var pid: pid_t = 0
        #if canImport(Darwin)
        let environment = _NSGetEnviron().pointee
        #else
        let environment = environ
        #endif
        let result = posix_spawn(&pid, program, &actions, nil, &argv, environment)
        guard result == 0 else { throw SpawnError(code: result) }
        return pid
    }

    /// Waits for `pid` to end; returns its exit status (or 128 + signal).
    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return -1 }
        }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }
}
#endif
