import Foundation

/// Electronic audit data for an audit institution: ledgered events with their inclusion proofs against one
/// signed (and ideally witness-cosigned) checkpoint, in one JSON file verifiable offline.
///
/// ```json
/// {"checkpoint":"<signed checkpoint text, with cosignatures>",
///  "entries":[{"entry":"<base64 canonical bytes>","inclusionProof":["<base64 hash>"],"index":17,"position":18}],
///  "format":"publicdatakit-audit-export/v1","hasher":"sm3"}
/// ```
///
/// Each entry is the canonical bytes of one event (format version 1), its leaf index and global position, and
/// its RFC 9162 inclusion proof. `AuditVerifier.verify(_:hasher:policy:now:)` checks it
/// without the store; any implementation of the hash, RFC 9162 and the byte layout can.
public struct AuditExport: Codable, Sendable, Hashable {
    /// `publicdatakit-audit-export/v1`.
    public static let currentFormat = "publicdatakit-audit-export/v1"

    /// One exported event.
    public struct Entry: Codable, Sendable, Hashable {
        /// The leaf index.
        public var index: Int
        /// The event's global position (must equal the position in the entry bytes).
        public var position: Int64
        /// The canonical event bytes.
        public var entry: Data
        /// The inclusion proof against the export's checkpoint.
        public var inclusionProof: [LedgerHash]

        /// Creates an entry.
        public init(index: Int, position: Int64, entry: Data, inclusionProof: [LedgerHash]) {
            self.index = index
            self.position = position
            self.entry = entry
            self.inclusionProof = inclusionProof
        }

        private enum CodingKeys: String, CodingKey {
            case index, position, entry, inclusionProof
        }

        /// Decodes an entry, requiring canonical base64 for the entry bytes.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            index = try container.decode(Int.self, forKey: .index)
            position = try container.decode(Int64.self, forKey: .position)
            let text = try container.decode(String.self, forKey: .entry)
            guard let bytes = Base64.decodeCanonical(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .entry,
                    in: container,
                    debugDescription: "The entry is not canonical base64."
                )
            }
            entry = Data(bytes)
            inclusionProof = try container.decode([LedgerHash].self, forKey: .inclusionProof)
        }
    }

    /// ``currentFormat``.
    public var format: String
    /// The hasher's name.
    public var hasher: String
    /// The checkpoint every proof refers to.
    public var checkpoint: SignedCheckpoint
    /// The events, in ascending leaf index.
    public var entries: [Entry]

    /// Creates an export.
    public init(hasher: String, checkpoint: SignedCheckpoint, entries: [Entry]) {
        format = Self.currentFormat
        self.hasher = hasher
        self.checkpoint = checkpoint
        self.entries = entries
    }

    /// The export as `PublicDataJSON`.
    /// - Throws: `EncodingError`.
    public func jsonData() throws -> Data { try PublicDataJSON.encode(self) }

    /// Reads an export within `limits`: the size (``AuditLimits/maximumBundleBytes``) before parsing, every
    /// proof's length after.
    /// - Throws: ``AuditError`` `limitExceeded`, or `malformedDocument` naming the JSON path.
    public static func decode(_ data: Data, limits: AuditLimits = .default) throws(AuditError) -> AuditExport {
        try limits.check(data.count, limits.maximumBundleBytes, "the audit export (bytes)")
        let export: AuditExport
        do {
            export = try PublicDataJSON.decode(AuditExport.self, from: data)
        } catch {
            throw AuditError(code: .malformedDocument, message: "\(error.path): \(error.message)")
        }
        for entry in export.entries {
            try limits.check(entry.inclusionProof.count, limits.maximumProofHashes, "an inclusion proof (hashes)")
        }
        return export
    }
}

/// The result of checking an ``AuditExport``.
public enum ExportVerification: Sendable, Hashable {
    /// Every entry is proven; the decoded events in order.
    case valid([RecordedEvent])
    /// The checkpoint is not trusted, or the entry at `entry` (its position in ``AuditExport/entries``) failed.
    case invalid(entry: Int?, AuditFailure)

    /// `true` for ``valid(_:)``.
    public var isValid: Bool {
        if case .valid = self { return true }
        return false
    }
}

extension AuditVerifier {
    /// Checks an audit export offline: the format and hasher, the checkpoint under `policy` (the log's key and
    /// the witnesses' quorum), then every entry — ascending leaf indexes, its inclusion proof against the
    /// checkpoint root, canonical bytes whose global position is the stated one.
    /// - Parameters:
    ///   - export: The export.
    ///   - hasher: The regulator's hasher; its name must match.
    ///   - policy: Keys, witnesses and quorum.
    ///   - now: The verifier's clock.
    /// - Returns: The events, or the first failure.
    public static func verify(
        _ export: AuditExport,
        hasher: any LedgerHasher,
        policy: TrustPolicy,
        now: Date = Date()
    ) -> ExportVerification {
        guard export.format == AuditExport.currentFormat else {
            return .invalid(entry: nil, .unknownFormat(export.format))
        }
        guard export.hasher == hasher.name else {
            return .invalid(entry: nil, .hasherMismatch(expected: hasher.name, found: export.hasher))
        }
        let checkpoint = export.checkpoint.checkpoint
        guard checkpoint.origin.hasSuffix("/" + hasher.name) else {
            return .invalid(entry: nil, .hasherMismatch(expected: hasher.name, found: checkpoint.origin))
        }
        if let failure = trustFailure(policy.evaluate(export.checkpoint, now: now)) {
            return .invalid(entry: nil, failure)
        }
        var events: [RecordedEvent] = []
        var previous = -1
        for (number, item) in export.entries.enumerated() {
            guard item.index > previous else {
                return .invalid(entry: number, .malformedEntry("leaf indexes must ascend (\(item.index))"))
            }
            previous = item.index
            let check = MerkleVerifier.checkInclusion(
                leafHash: MerkleVerifier.leafHash(of: item.entry, hasher: hasher),
                index: item.index,
                treeSize: checkpoint.size,
                proof: item.inclusionProof,
                rootHash: checkpoint.rootHash,
                hasher: hasher
            )
            if case .invalid(let reason) = check { return .invalid(entry: number, .proof(reason)) }
            let event: RecordedEvent
            do {
                event = try CanonicalEventEncoding.decode(Array(item.entry))
            } catch {
                return .invalid(entry: number, .malformedEntry(error.message))
            }
            guard event.globalPosition == item.position else {
                return .invalid(
                    entry: number,
                    .malformedEntry("the entry is at position \(event.globalPosition), not \(item.position)")
                )
            }
            events.append(event)
        }
        return .valid(events)
    }
}

extension Ledger {
    /// Exports the ledgered events at global positions in `positions` that `checkpoint` covers, each with its
    /// inclusion proof (see ``AuditExport``).
    /// - Parameters:
    ///   - positions: The global positions to export.
    ///   - checkpoint: A checkpoint of this ledger (for example cosigned by witnesses); the last signed one
    ///     when `nil`. It is exported with every cosignature stored for it (``cosignedCheckpoint(_:)``).
    /// - Returns: The export.
    /// - Throws: ``AuditError`` as ``proofBundle(forLeafAt:checkpoint:)``.
    public func export(
        positions: ClosedRange<Int64>,
        checkpoint: SignedCheckpoint? = nil
    ) async throws(AuditError) -> AuditExport {
        guard let given = checkpoint ?? lastCheckpoint else {
            throw AuditError(code: .invalidArgument, message: "no checkpoint has been signed yet")
        }
        // Served with the witness cosignatures stored for it.
        let signed = try await cosignedCheckpoint(given) ?? given
        // The first leaf at or after the lower bound (positions ascend with leaf indexes).
        var low = 0
        var high = signed.checkpoint.size
        while low < high {
            let middle = (low + high) / 2
            if (position(ofLeaf: middle) ?? Int64.max) < positions.lowerBound {
                low = middle + 1
            } else {
                high = middle
            }
        }
        var entries: [AuditExport.Entry] = []
        var index = low
        while index < signed.checkpoint.size, let position = position(ofLeaf: index), position <= positions.upperBound {
            let bundle = try await proofBundle(forLeafAt: index, checkpoint: signed)
            entries.append(
                AuditExport.Entry(
                    index: index,
                    position: position,
                    entry: bundle.entry,
                    inclusionProof: bundle.inclusionProof
                )
            )
            index += 1
        }
        return AuditExport(hasher: configuration.hasher.name, checkpoint: signed, entries: entries)
    }
}
