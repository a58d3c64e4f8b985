import Foundation

/// The payload of an `audit.checkpoint.cosigned` event: one witness's cosignature of one checkpoint.
///
/// In JSON (`PublicDataJSON`): `{"checkpoint":"<checkpoint body>","cosignature":"— <witness> <base64>",
/// "rootHash":"<base64>","size":N,"witness":"<name>"}`. The body is kept whole because a cosignature signs it
/// byte for byte (extension lines included).
struct CosignatureRecord: Codable, Sendable {
    var checkpoint: String
    var size: Int
    var rootHash: LedgerHash
    var witness: String
    var cosignature: String
}

extension Ledger {
    /// The event type recording a witness cosignature of one of the ledger's checkpoints.
    public static let cosignatureEventType = "audit.checkpoint.cosigned"

    /// The checkpoint and cosignature recorded by an `audit.checkpoint.cosigned` event, for readers of the raw
    /// log (not yet verified: check it with the witness's key, e.g. through a ``TrustPolicy``).
    /// - Parameter event: Any event; `nil` unless it is a readable cosignature record.
    public static func recordedCosignature(
        in event: RecordedEvent
    ) -> (checkpoint: Checkpoint, cosignature: Cosignature)? {
        guard event.type == cosignatureEventType,
            let record = try? event.decodePayload(CosignatureRecord.self),
            let checkpoint = try? Checkpoint.parse(body: record.checkpoint),
            let line = try? SignedCheckpoint.parse(record.checkpoint + "\n" + record.cosignature + "\n"),
            line.signatures.count == 1, let cosignature = try? Cosignature(line.signatures[0])
        else { return nil }
        return (checkpoint, cosignature)
    }

    /// The event id under which a witness's cosignature of `checkpoint` is stored: one per checkpoint body and
    /// witness key, so recording it again is deduplicated by the store (its idempotent event ids).
    static func cosignatureEventID(checkpoint: Checkpoint, name: String, keyID: [UInt8]) -> EventID {
        let digest = SHA256Hasher().digest(Array("\(checkpoint.body)\n\(name)\n".utf8) + keyID)
        return EventID("audit-cosignature-\(digest.hex)")
    }

    /// Stores witness cosignatures of one of this ledger's checkpoints in the store, so they are served with
    /// the checkpoint (``Ledger/cosignedCheckpoint(_:)``, ``AuditVerifier`` store audits, disclosures).
    ///
    /// Each cosignature is one `audit.checkpoint.cosigned` event in the stream
    /// ``LedgerConfiguration/cosignatureStreamID``, under an id fixed by the checkpoint body and the witness key:
    /// recording the same witness's cosignature of the same checkpoint again — from this instance, another
    /// instance or another process — is deduplicated by the store, and the first one recorded stays.
    /// - Parameters:
    ///   - cosignatures: The cosignatures the witnesses returned.
    ///   - checkpoint: The checkpoint they cosign; it must be of this ledger (origin) and of its tree (root).
    ///   - witnesses: The configured witnesses' keys; every cosignature must be by one of them and verify.
    /// - Returns: The cosignatures this call stored (those already stored are left out).
    /// - Throws: ``AuditError``: `invalidArgument` (another origin, a checkpoint this ledger's tree does not
    ///   have, a cosignature by an unconfigured witness, or one that does not verify; nothing is stored then),
    ///   `storeFailure`.
    @discardableResult
    public func recordCosignatures(
        _ cosignatures: [Cosignature],
        for checkpoint: Checkpoint,
        witnesses: [any CheckpointVerifier]
    ) async throws(AuditError) -> [Cosignature] {
        guard checkpoint.origin == origin else {
            throw AuditError(
                code: .invalidArgument,
                message: "the checkpoint is for \(checkpoint.origin), not for \(origin)"
            )
        }
        guard checkpoint.size <= size, try rootHash(atSize: checkpoint.size) == checkpoint.rootHash else {
            throw AuditError(
                code: .invalidArgument,
                message: "size \(checkpoint.size) with root \(checkpoint.rootHash.base64) is not a checkpoint of this "
                    + "ledger's tree"
            )
        }
        for cosignature in cosignatures {
            guard
                let witness = witnesses.first(where: {
                    $0.name == cosignature.name && $0.keyID == cosignature.keyID
                })
            else {
                throw AuditError(
                    code: .invalidArgument,
                    message: "a cosignature by \(cosignature.name) is from an unconfigured witness"
                )
            }
            guard cosignature.isValid(for: checkpoint, using: witness) else {
                throw AuditError(
                    code: .invalidArgument,
                    message: "the cosignature by \(cosignature.name) does not verify for size \(checkpoint.size)"
                )
            }
        }
        var stored: [Cosignature] = []
        let stream = configuration.cosignatureStreamID
        for cosignature in cosignatures {
            let record = CosignatureRecord(
                checkpoint: checkpoint.body,
                size: checkpoint.size,
                rootHash: checkpoint.rootHash,
                witness: cosignature.name,
                cosignature: cosignature.line
            )
            let event: ProposedEvent
            do {
                event = try ProposedEvent(
                    id: Self.cosignatureEventID(
                        checkpoint: checkpoint,
                        name: cosignature.name,
                        keyID: cosignature.keyID
                    ),
                    type: Self.cosignatureEventType,
                    occurredAt: cosignature.date,
                    actor: nil,
                    encoding: record
                )
            } catch {
                throw AuditError(code: .malformedEntry, message: "cannot encode the cosignature record: \(error)")
            }
            let result = try await storeCall { [store] in
                try await store.append([event], to: stream, expectedVersion: .any)
            }
            if !result.deduplicated { stored.append(cosignature) }
        }
        return stored
    }

    /// The cosignatures stored for `checkpoint` (same body), one per witness key, in the order recorded.
    /// - Throws: ``AuditError`` `storeFailure`.
    public func storedCosignatures(for checkpoint: Checkpoint) async throws(AuditError) -> [Cosignature] {
        let stream = configuration.cosignatureStreamID
        let events = try await storeCall { [store] in try await store.readStream(stream, pageSize: 256) }
        return Self.cosignatures(in: events)[checkpoint.body] ?? []
    }

    /// `checkpoint` (the last signed one by default) served with every cosignature stored for it; `nil` when
    /// the ledger has signed nothing.
    /// - Throws: ``AuditError`` `storeFailure`.
    public func cosignedCheckpoint(_ checkpoint: SignedCheckpoint? = nil) async throws(AuditError) -> SignedCheckpoint?
    {
        guard let signed = checkpoint ?? lastCheckpoint else { return nil }
        let stored = try await storedCosignatures(for: signed.checkpoint)
        return signed.adding(stored.map(\.noteSignature))
    }

    /// The readable cosignature records of `events`, by checkpoint body, one per witness key (first wins).
    static func cosignatures(in events: [RecordedEvent]) -> [String: [Cosignature]] {
        var found: [String: [Cosignature]] = [:]
        for event in events {
            guard let record = recordedCosignature(in: event) else { continue }
            let (checkpoint, cosignature) = record
            var list = found[checkpoint.body] ?? []
            guard !list.contains(where: { $0.name == cosignature.name && $0.keyID == cosignature.keyID }) else {
                continue
            }
            list.append(cosignature)
            found[checkpoint.body] = list
        }
        return found
    }
}
