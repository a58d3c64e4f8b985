import Foundation

/// The largest inputs the policy decoders read: a policy file, a policy test suite, and an impact corpus.
///
/// Every decoder checks its input against these limits **before** parsing it, so a hostile or mistaken file
/// costs at most a bounded amount of memory; an input beyond a limit is a typed error (``PolicyLoadError``
/// with code ``PolicyLoadError/Code/tooLarge``, or ``PolicySuiteError`` naming the file or line). A host
/// that needs more passes its own limits:
///
/// ```swift
/// var limits = PolicyInputLimits.standard
/// limits.maximumPolicyBytes = 16 << 20
/// let policy = try Policy.load(from: data, limits: limits)
/// ```
///
/// The defaults are far above the shipped Beijing policy (about 40 KB) and its suites; the peak memory of
/// reading the largest allowed input is documented in `Documentation/Operations.md`.
public struct PolicyInputLimits: Sendable, Hashable {
    /// The largest policy file, in bytes. Default 4 MiB.
    public var maximumPolicyBytes: Int
    /// The largest policy test suite file, in bytes. Default 8 MiB.
    public var maximumSuiteBytes: Int
    /// The largest line of an impact corpus (JSON Lines), in bytes. Default 64 KiB.
    public var maximumCorpusLineBytes: Int
    /// The largest impact corpus, in bytes. Default 64 MiB.
    public var maximumCorpusBytes: Int
    /// The most records an impact corpus may hold. Default 200,000.
    public var maximumCorpusRecords: Int
    /// The deepest nesting of JSON arrays and objects in any of these inputs. Default 64.
    public var maximumNestingDepth: Int

    /// Creates limits; every value must be positive.
    public init(
        maximumPolicyBytes: Int = 4 << 20,
        maximumSuiteBytes: Int = 8 << 20,
        maximumCorpusLineBytes: Int = 64 << 10,
        maximumCorpusBytes: Int = 64 << 20,
        maximumCorpusRecords: Int = 200_000,
        maximumNestingDepth: Int = 64
    ) {
        self.maximumPolicyBytes = maximumPolicyBytes
        self.maximumSuiteBytes = maximumSuiteBytes
        self.maximumCorpusLineBytes = maximumCorpusLineBytes
        self.maximumCorpusBytes = maximumCorpusBytes
        self.maximumCorpusRecords = maximumCorpusRecords
        self.maximumNestingDepth = maximumNestingDepth
    }

    /// The default limits.
    public static let standard = PolicyInputLimits()

    /// Why `data` (a JSON document) is too large or too deep, or `nil`.
    static func problem(_ data: some Collection<UInt8>, maximumBytes: Int, maximumDepth: Int) -> String? {
        if data.count > maximumBytes { return "the input is \(data.count) bytes; the limit is \(maximumBytes)" }
        if let depth = nestingDepthExceeding(data, maximumDepth) {
            return "the input nests arrays and objects \(depth) deep; the limit is \(maximumDepth)"
        }
        return nil
    }

    /// The nesting depth reached when it first exceeds `limit`, or `nil`; strings are skipped.
    static func nestingDepthExceeding(_ data: some Collection<UInt8>, _ limit: Int) -> Int? {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in data {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > limit { return depth }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return nil
    }

    /// Reads a file, refusing it without reading when it is larger than `maximumBytes`.
    static func read(_ url: URL, maximumBytes: Int) throws -> Data {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        // Read one byte past the limit: a larger file is refused after reading at most limit + 1 bytes.
        let data = try handle.read(upToCount: maximumBytes + 1) ?? Data()
        guard data.count <= maximumBytes else { throw TooLarge(limit: maximumBytes) }
        return data
    }

    struct TooLarge: Error, CustomStringConvertible {
        var limit: Int
        var description: String { "the file is larger than the limit of \(limit) bytes" }
    }
}
