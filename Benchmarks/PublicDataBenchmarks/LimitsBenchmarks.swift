import Foundation
import PublicDataAudit
import PublicDataKit
import PublicDataTesting

/// Input limits (issue 19 item 6): the peak memory of reading the largest proof bundle `AuditLimits` allows
/// (64 MiB of JSON), and the cost of refusing one byte more.
///
/// Each round runs a fresh copy of this executable (`--limits-probe FILE`), which reads the bundle, decodes it
/// with `ProofBundle.decode(_:limits:)` and verifies it with `AuditVerifier.verify`, printing its resident size
/// before and its peak resident size (`VmHWM`, reset through `/proc/self/clear_refs` before each step) during
/// each step. Figures are medians over the rounds, in MiB.
enum LimitsBenchmarks {
    /// The hidden command line of the probe: `--limits-probe FILE`.
    static let probeFlag = "--limits-probe"

    static func run(_ report: BenchmarkReport) async throws {
        report.section("Input limits (proof bundle at the 64 MiB limit)")
        let limits = AuditLimits.default
        let bundle = try await largestBundle(limit: limits.maximumBundleBytes)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "publicdatakit-bundle-\(ProcessInfo.processInfo.processIdentifier).json"
        )
        try bundle.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        report.record(
            "limits",
            "proof bundle JSON size (limit \(limits.maximumBundleBytes >> 20) MiB)",
            Double(bundle.count) / mebibyte,
            "MiB"
        )
        let rounds = report.quick ? 3 : 5
        var figures = [Samples](repeating: Samples(), count: 5)
        var resetWorks = true
        for _ in 0..<rounds {
            guard let line = runProbe(file.path) else {
                report.info("the limits probe failed")
                return
            }
            for (index, value) in line.values.enumerated() where index < figures.count {
                figures[index].append(value / mebibyte)
            }
            resetWorks = resetWorks && line.resetWorks
        }
        let input = Double(bundle.count) / mebibyte
        let note = resetWorks ? "peak of this step alone" : "VmHWM could not be reset: peak since start"
        report.record("limits", "RSS of the probe process before reading", figures[0], "MiB")
        report.record("limits", "RSS with the bundle read into memory", figures[1], "MiB")
        report.record("limits", "peak RSS while decoding the bundle", figures[2], "MiB", note: note)
        report.record("limits", "peak RSS while verifying the decoded bundle", figures[3], "MiB", note: note)
        report.record("limits", "RSS after decoding and verifying", figures[4], "MiB")
        report.record(
            "limits",
            "decode peak above the empty process, per byte of input",
            Samples(figures[2].values.enumerated().map { ($1 - figures[0].values[$0]) / input }),
            "×",
            note: "bounded: at most this multiple of the 64 MiB limit"
        )
        // One byte over the limit: refused before parsing, nothing allocated beyond the input.
        let over = Data(count: limits.maximumBundleBytes + 1)
        var refused = Samples()
        for _ in 0..<rounds {
            var code: AuditError.Code?
            refused.append(
                measureSeconds {
                    do {
                        _ = try ProofBundle.decode(over, limits: limits)
                    } catch let error as AuditError {
                        code = error.code
                    } catch {
                        code = nil
                    }
                } * 1e6
            )
            guard code == .limitExceeded else {
                report.info("a bundle over the limit was not refused with limitExceeded")
                return
            }
        }
        report.record("limits", "bundle of limit + 1 bytes refused (limitExceeded)", refused, "µs")
    }

    static let mebibyte = 1_048_576.0

    /// A valid proof bundle whose JSON is as large as `limit` allows (within 64 KiB): one event whose payload is
    /// one long string, ledgered and proven against a checkpoint signed with `TestCheckpointSigner`.
    static func largestBundle(limit: Int) async throws -> Data {
        // Base64 turns 3 bytes into 4; the envelope and the checkpoint take a few KiB.
        var payloadBytes = (limit - (64 << 10)) / 4 * 3
        for _ in 0..<4 {
            let data = try await bundleJSON(payloadBytes: payloadBytes)
            if data.count <= limit { return data }
            payloadBytes -= (data.count - limit) / 4 * 3 + 4096
        }
        throw AuditError(code: .invalidArgument, message: "no bundle within \(limit) bytes")
    }

    static func bundleJSON(payloadBytes: Int) async throws -> Data {
        var payload = Data("{\"blob\":\"".utf8)
        payload.append(Data(repeating: UInt8(ascii: "a"), count: payloadBytes))
        payload.append(Data("\"}".utf8))
        let store = InMemoryEventStore()
        let event = ProposedEvent(
            id: EventID("evt-largest"),
            type: "bench.largest",
            occurredAt: Date(millisecondsSince1970: 1_790_000_000_000),
            actor: Principal(party: "bench-agency", role: .implementingAgency, person: "bench"),
            payload: payload,
            metadata: EventMetadata(correlationID: "req-largest")
        )
        _ = try await store.append([event], to: StreamID("bench-largest"), expectedVersion: .noStream)
        let ledger = try await Ledger.open(store: store, configuration: LedgerConfiguration(name: "bench.limits"))
        try await ledger.catchUp()
        _ = try await ledger.signCheckpoint(with: [TestCheckpointSigner()])
        guard let leaf = await ledger.leafIndex(ofPosition: 1) else {
            throw AuditError(code: .invalidArgument, message: "the event was not ledgered")
        }
        return try await ledger.proofBundle(forLeafAt: leaf).jsonData()
    }

    /// What one probe printed: five byte counts and whether the peak could be reset.
    struct ProbeLine {
        var values: [Double]
        var resetWorks: Bool
    }

    static func runProbe(_ path: String) -> ProbeLine? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = [probeFlag, path]
        let output = Pipe()
        process.standardOutput = output
        guard (try? process.run()) != nil else { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let words = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isWhitespace)
        guard words.count == 6 else { return nil }
        let values = words.prefix(5).compactMap { Double($0) }
        guard values.count == 5 else { return nil }
        return ProbeLine(values: values, resetWorks: words[5] == "reset")
    }

    /// The probe: read, decode and verify the bundle at `arguments[1]`; prints RSS before reading, RSS with the
    /// input, the decode peak, the verify peak and the RSS after, in bytes, then `reset` or `cumulative`.
    static func probeMain(_ arguments: [String]) async -> Int32 {
        guard arguments.count == 2 else { return 2 }
        let empty = resident()
        guard let handle = FileHandle(forReadingAtPath: arguments[1]),
            let data = try? handle.read(upToCount: AuditLimits.default.maximumBundleBytes + 1)
        else { return 3 }
        try? handle.close()
        let withInput = resident()
        var reset = resetPeak()
        let bundle: ProofBundle
        do {
            bundle = try ProofBundle.decode(data)
        } catch {
            return 4
        }
        let decodePeak = peak()
        reset = resetPeak() && reset
        let verdict = AuditVerifier.verify(bundle, hasher: SHA256Hasher(), trusting: [TestCheckpointSigner()])
        guard verdict.isValid else { return 5 }
        let verifyPeak = peak()
        let after = resident()
        print("\(empty) \(withInput) \(decodePeak) \(verifyPeak) \(after) \(reset ? "reset" : "cumulative")")
        return withExtendedLifetime((data, bundle)) { 0 }
    }

    /// A field of `/proc/self/status` in bytes (`VmRSS`, `VmHWM`), 0 when unavailable.
    static func status(_ field: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            let number =
                line.dropFirst(field.count + 1).split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 0
            return number * 1024
        }
        return 0
    }

    static func resident() -> Int { status("VmRSS") }
    static func peak() -> Int { status("VmHWM") }

    /// Resets the peak resident size to the current one (Linux: `5` into `/proc/self/clear_refs`).
    static func resetPeak() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("5".utf8))) != nil
    }
}
