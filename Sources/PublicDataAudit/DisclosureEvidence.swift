import Foundation

extension Disclosure {
    /// The identifiers of the disclosure's lines, in document order.
    ///
    /// A line is one section header or one row a reader checks on its own:
    /// - `agencies[<party>]` (the agency's name), `agencies[<party>].authorizations[<agreement>]`;
    /// - `operators[<party>]` (the operator's name), `operators[<party>].authorizedResources[<entry>]`,
    ///   `operators[<party>].products[<product>]`, `operators[<party>].actualFees[<product>]`,
    ///   `operators[<party>].dataUsage[<entry>]`.
    ///
    /// Each line can carry the inclusion proofs of exactly the events it is computed from
    /// (``DisclosureEvidence``).
    public var lineIDs: [String] {
        var ids: [String] = []
        for agency in agencies {
            let section = "agencies[\(agency.party)]"
            ids.append(section)
            for grant in agency.authorizations { ids.append("\(section).authorizations[\(grant.agreement)]") }
        }
        for section in operators {
            let prefix = "operators[\(section.party)]"
            ids.append(prefix)
            for resource in section.authorizedResources {
                ids.append("\(prefix).authorizedResources[\(resource.entry)]")
            }
            for product in section.products { ids.append("\(prefix).products[\(product.product)]") }
            for fee in section.actualFees { ids.append("\(prefix).actualFees[\(fee.product)]") }
            for usage in section.dataUsage { ids.append("\(prefix).dataUsage[\(usage.entry)]") }
        }
        return ids
    }

    /// The value of line `id` as `PublicDataJSON` (the section's name for a section line, else the row), or
    /// `nil` when the disclosure has no such line.
    /// - Parameter id: A line identifier (``lineIDs``).
    public func line(_ id: String) -> Data? {
        func encode(_ value: some Encodable) -> Data? { try? PublicDataJSON.encode(value) }
        for agency in agencies {
            let section = "agencies[\(agency.party)]"
            if id == section { return encode(agency.name) }
            guard id.hasPrefix(section + ".") else { continue }
            for grant in agency.authorizations where id == "\(section).authorizations[\(grant.agreement)]" {
                return encode(grant)
            }
        }
        for section in operators {
            let prefix = "operators[\(section.party)]"
            if id == prefix { return encode(section.name) }
            guard id.hasPrefix(prefix + ".") else { continue }
            for resource in section.authorizedResources where id == "\(prefix).authorizedResources[\(resource.entry)]" {
                return encode(resource)
            }
            for product in section.products where id == "\(prefix).products[\(product.product)]" {
                return encode(product)
            }
            for fee in section.actualFees where id == "\(prefix).actualFees[\(fee.product)]" { return encode(fee) }
            for usage in section.dataUsage where id == "\(prefix).dataUsage[\(usage.entry)]" { return encode(usage) }
        }
        return nil
    }
}

/// The evidence of a published disclosure, line by line: for each line, the ledgered events it is computed
/// from with their inclusion proofs against one (witness-cosigned) checkpoint, so a reader verifies one line
/// without the rest of the log.
///
/// ```json
/// {"checkpoint":"<signed checkpoint text>","format":"publicdatakit-disclosure-evidence/v1","hasher":"sm3",
///  "lines":[{"entries":[{"entry":"<base64>","inclusionProof":["<base64>"],"index":17,"position":18}],
///            "line":"operators[op-1].actualFees[p-api]"}]}
/// ```
///
/// Each line's entries are complete on their own (an event several lines use appears under each), so
/// ``restricted(to:)`` cuts out the evidence of one line. The verifier (`DisclosureVerifier` in
/// `PublicDataKit`) checks the proofs, rebuilds the line from those events alone and requires every event to
/// count: a forged figure, a left-out event or an event the line is not computed from fails, naming the line.
public struct DisclosureEvidence: Codable, Sendable, Hashable {
    /// `publicdatakit-disclosure-evidence/v1`.
    public static let currentFormat = "publicdatakit-disclosure-evidence/v1"

    /// The evidence of one line.
    public struct Line: Codable, Sendable, Hashable {
        /// The line (``Disclosure/lineIDs``).
        public var line: String
        /// The events the line is computed from, in ascending leaf index, with their inclusion proofs.
        public var entries: [AuditExport.Entry]

        /// Creates a line's evidence.
        public init(line: String, entries: [AuditExport.Entry]) {
            self.line = line
            self.entries = entries
        }
    }

    /// ``currentFormat``.
    public var format: String
    /// The hasher's name.
    public var hasher: String
    /// The checkpoint every proof refers to (the disclosure's anchor, with its cosignatures).
    public var checkpoint: SignedCheckpoint
    /// The lines' evidence, in the disclosure's line order.
    public var lines: [Line]

    /// Creates evidence.
    public init(hasher: String, checkpoint: SignedCheckpoint, lines: [Line]) {
        format = Self.currentFormat
        self.hasher = hasher
        self.checkpoint = checkpoint
        self.lines = lines
    }

    /// The evidence of the lines `ids` only (for a reader who checks those lines).
    public func restricted(to ids: [String]) -> DisclosureEvidence {
        DisclosureEvidence(hasher: hasher, checkpoint: checkpoint, lines: lines.filter { ids.contains($0.line) })
    }

    /// The evidence of line `id` as an ``AuditExport`` (checked by `AuditVerifier.verify(_:hasher:policy:now:)`),
    /// or `nil` when there is none.
    public func export(ofLine id: String) -> AuditExport? {
        lines.first { $0.line == id }.map { AuditExport(hasher: hasher, checkpoint: checkpoint, entries: $0.entries) }
    }

    /// The evidence as `PublicDataJSON`.
    /// - Throws: `EncodingError`.
    public func jsonData() throws -> Data { try PublicDataJSON.encode(self) }

    /// Reads evidence within `limits`: the size (``AuditLimits/maximumBundleBytes``) before parsing, every
    /// proof's length after.
    /// - Throws: ``AuditError`` `limitExceeded`, or `malformedDocument` naming the JSON path.
    public static func decode(_ data: Data, limits: AuditLimits = .default) throws(AuditError) -> DisclosureEvidence {
        try limits.check(data.count, limits.maximumBundleBytes, "the disclosure evidence (bytes)")
        let evidence: DisclosureEvidence
        do {
            evidence = try PublicDataJSON.decode(DisclosureEvidence.self, from: data)
        } catch {
            throw AuditError(code: .malformedDocument, message: "\(error.path): \(error.message)")
        }
        guard evidence.format == currentFormat else {
            throw AuditError(code: .malformedDocument, message: "unknown evidence format \(evidence.format)")
        }
        for line in evidence.lines {
            for entry in line.entries {
                try limits.check(entry.inclusionProof.count, limits.maximumProofHashes, "an inclusion proof (hashes)")
            }
        }
        return evidence
    }
}
