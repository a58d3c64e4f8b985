import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A witness state in a directory, safe across processes: one folder per origin, named by the lowercase hex
/// SHA-256 of the origin (as in the C2SP `tlog-witness` monitoring path), holding
///
/// - `checkpoint`: the latest cosigned checkpoint (log signatures and the cosignature), replaced atomically;
/// - `evidence/<time>-<n>.json`: each refused contradicting checkpoint (``WitnessEvidence`` in JSON).
///
/// The compare-and-swap holds an exclusive `flock` on `<folder>/lock`, so two witness processes sharing the
/// directory never roll each other back.
public struct FileWitnessState: WitnessState {
    /// The directory.
    public let directory: URL

    /// Uses (and creates when missing) `directory`.
    /// - Throws: ``AuditError`` `storeFailure` when the directory cannot be created.
    public init(directory: URL) throws(AuditError) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw AuditError(code: .storeFailure, message: "cannot create \(directory.path): \(error)")
        }
        self.directory = directory
    }

    /// The folder of `origin`: the hex SHA-256 of the origin line.
    public func folder(origin: String) -> URL {
        directory.appendingPathComponent(SHA256Hasher().digest(Array(origin.utf8)).hex)
    }

    /// The latest cosigned checkpoint for `origin`, or `nil`.
    /// - Throws: ``AuditError`` `storeFailure` or `malformedDocument` for an unreadable file.
    public func latest(origin: String) async throws -> SignedCheckpoint? {
        try withLock(origin) { try read(origin) }
    }

    /// Replaces the latest checkpoint when the stored one still matches `expected`.
    public func replace(origin: String, expected: Checkpoint?, with checkpoint: SignedCheckpoint) async throws -> Bool {
        try withLock(origin) {
            guard try read(origin)?.checkpoint.sizeAndRoot == expected?.sizeAndRoot else { return false }
            let file = folder(origin: origin).appendingPathComponent("checkpoint")
            try Data(checkpoint.text.utf8).write(to: file, options: .atomic)
            return true
        }
    }

    /// Writes `evidence` as a new JSON file.
    public func record(_ evidence: WitnessEvidence) async throws {
        let origin = evidence.submitted.checkpoint.origin
        try withLock(origin) {
            let folder = folder(origin: origin).appendingPathComponent("evidence")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let count = (try? FileManager.default.contentsOfDirectory(atPath: folder.path).count) ?? 0
            let file = folder.appendingPathComponent("\(evidence.time)-\(count + 1).json")
            try PublicDataJSON.encode(evidence).write(to: file, options: .atomic)
        }
    }

    /// The evidence files recorded for `origin`, oldest first.
    /// - Throws: A file system or decoding error.
    public func evidence(origin: String) throws -> [WitnessEvidence] {
        let folder = folder(origin: origin).appendingPathComponent("evidence")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
        return try names.sorted().map { name in
            try PublicDataJSON.decode(
                WitnessEvidence.self,
                from: Data(contentsOf: folder.appendingPathComponent(name))
            )
        }
    }

    private func read(_ origin: String) throws -> SignedCheckpoint? {
        let file = folder(origin: origin).appendingPathComponent("checkpoint")
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        return try SignedCheckpoint.parse(data: Data(contentsOf: file))
    }

    private func withLock<T>(_ origin: String, _ body: () throws -> T) throws -> T {
        let folder = folder(origin: origin)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let descriptor = open(folder.appendingPathComponent("lock").path, O_CREAT | O_RDWR, 0o644)
        guard descriptor >= 0 else {
            throw AuditError(code: .storeFailure, message: "cannot open the witness lock in \(folder.path)")
        }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else {
            throw AuditError(code: .storeFailure, message: "cannot lock the witness state in \(folder.path)")
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }
}
