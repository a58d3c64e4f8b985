/// A typed identifier: a string tagged with the kind of thing it names.
///
/// The tag is a phantom type, so a plan identifier can never be passed where an agreement identifier is
/// expected, even though both are strings underneath:
///
/// ```swift
/// let plan: PlanID = "plan-finance-2026"
/// let agreement: AgreementID = "agr-001"
/// // agreement = plan   // does not compile
/// ```
///
/// In JSON an identifier is its bare string.
public struct Identifier<Subject>: RawRepresentable, Hashable, Comparable, Codable, Sendable,
    ExpressibleByStringLiteral, CustomStringConvertible
{
    /// The identifier's text.
    public let rawValue: String

    /// Creates an identifier from its text.
    /// - Parameter rawValue: The text; identifiers are compared exactly (case-sensitive).
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// Creates an identifier from its text.
    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    /// Creates an identifier from a string literal.
    public init(stringLiteral value: String) {
        self.rawValue = value
    }

    /// Decodes an identifier from a single JSON string; an empty string is a decoding error.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard !text.isEmpty else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "An identifier may not be empty.")
        }
        self.rawValue = text
    }

    /// Encodes the identifier as a single JSON string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// Orders identifiers by their text.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    /// The identifier's text.
    public var description: String { rawValue }

    /// `true` when the identifier's text is empty, which no valid record has.
    public var isEmpty: Bool { rawValue.isEmpty }
}

/// Identifies a party (an organisation or person with one or more roles).
public typealias PartyID = Identifier<Party>
/// Identifies a catalog entry (one public data resource).
public typealias CatalogEntryID = Identifier<CatalogEntry>
/// Identifies an implementation plan.
public typealias PlanID = Identifier<ImplementationPlan>
/// Identifies an authorization agreement.
public typealias AgreementID = Identifier<AgreementTerms>
/// Identifies a data zone.
public typealias ZoneID = Identifier<Zone>
/// Identifies a product or service.
public typealias ProductID = Identifier<ProductTag>
/// Identifies a data request.
public typealias DataRequestID = Identifier<DataRequestTag>
/// Identifies a downstream or operator scenario.
public typealias ScenarioID = Identifier<ScenarioTag>
/// Identifies an operator selection procedure.
public typealias SelectionID = Identifier<SelectionTag>
/// Identifies a registration (登记) record.
public typealias RegistrationID = Identifier<RegistrationTag>
/// Identifies a quality objection.
public typealias ObjectionID = Identifier<ObjectionTag>
/// Identifies an evaluation period.
public typealias EvaluationID = Identifier<EvaluationTag>
/// Identifies a price plan.
public typealias PricePlanID = Identifier<PricePlanTag>
/// Identifies a subscription (a consumer's use of a product, for metering and invoices).
public typealias SubscriptionID = Identifier<SubscriptionTag>
/// Identifies an invoice.
public typealias InvoiceID = Identifier<InvoiceTag>
/// Identifies a data feedback (反哺) offer.
public typealias FeedbackID = Identifier<FeedbackTag>

/// Tag type for ``ProductID``.
public enum ProductTag: Sendable {}
/// Tag type for ``DataRequestID``.
public enum DataRequestTag: Sendable {}
/// Tag type for ``ScenarioID``.
public enum ScenarioTag: Sendable {}
/// Tag type for ``SelectionID``.
public enum SelectionTag: Sendable {}
/// Tag type for ``RegistrationID``.
public enum RegistrationTag: Sendable {}
/// Tag type for ``ObjectionID``.
public enum ObjectionTag: Sendable {}
/// Tag type for ``EvaluationID``.
public enum EvaluationTag: Sendable {}
/// Tag type for ``PricePlanID``.
public enum PricePlanTag: Sendable {}
/// Tag type for ``SubscriptionID``.
public enum SubscriptionTag: Sendable {}
/// Tag type for ``InvoiceID``.
public enum InvoiceTag: Sendable {}
/// Tag type for ``FeedbackID``.
public enum FeedbackTag: Sendable {}
