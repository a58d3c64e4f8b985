import Foundation

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
///
/// ## Alphabet and length
/// An identifier's text follows ``IdentifierRules``: it is not empty, at most ``maximumUTF8Length`` UTF-8 bytes
/// long (128 for domain identifiers, 256 for ``StreamID``, 1024 for ``EventID``), and contains no control
/// character (U+0000–U+001F, U+007F–U+009F, which includes NUL), no format character (general category Cf,
/// e.g. bidirectional overrides and zero-width characters), no line or paragraph separator, no private-use
/// or noncharacter code point, and no leading or trailing white space; non-ASCII text must be in Unicode
/// normalization form C (NFC). Any other Unicode text is allowed.
///
/// Decoding refuses an identifier that breaks these rules with a `DecodingError` at its coding path; a
/// command boundary calls ``validate()`` or ``validated(_:)``; every shipped event store refuses such an
/// identifier with `EventStoreError.Code.invalidArgument`. The plain initializers do not check, so that
/// literals in code stay cheap.
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

    /// Decodes an identifier from a single JSON string; text that breaks ``IdentifierRules`` (empty, too long,
    /// a control character, ...) is a decoding error at the value's coding path.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        if let problem = IdentifierRules.problem(in: text, maximumUTF8Length: Self.maximumUTF8Length) {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "Invalid identifier \(IdentifierRules.quoted(text)): \(problem)."
            )
        }
        self.rawValue = text
    }

    /// The longest text, in UTF-8 bytes, an identifier of this kind may have: 1024 for ``EventID`` (event ids
    /// are often composed of other identifiers), 256 for ``StreamID`` (a prefix plus a domain identifier), and
    /// ``IdentifierRules/maximumUTF8Length`` (128) for every domain identifier.
    public static var maximumUTF8Length: Int {
        if Subject.self == EventTag.self { return IdentifierRules.maximumEventIDUTF8Length }
        if Subject.self == EventStreamTag.self { return IdentifierRules.maximumStreamIDUTF8Length }
        return IdentifierRules.maximumUTF8Length
    }

    /// Checks the identifier against ``IdentifierRules``; call it where identifiers enter from outside
    /// (a command boundary, a host's own decoder).
    /// - Throws: ``IdentifierError`` naming the kind of identifier and the reason.
    public func validate() throws(IdentifierError) {
        if let problem = IdentifierRules.problem(in: rawValue, maximumUTF8Length: Self.maximumUTF8Length) {
            throw IdentifierError(kind: String(describing: Subject.self), text: rawValue, reason: problem)
        }
    }

    /// An identifier from `text`, checked against ``IdentifierRules``.
    /// - Throws: ``IdentifierError`` naming the kind of identifier and the reason.
    public static func validated(_ text: String) throws(IdentifierError) -> Self {
        let identifier = Self(rawValue: text)
        try identifier.validate()
        return identifier
    }

    /// Whether the identifier follows ``IdentifierRules``.
    public var isValid: Bool {
        IdentifierRules.problem(in: rawValue, maximumUTF8Length: Self.maximumUTF8Length) == nil
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
/// Identifies a data subjects' consent record (Art. 17 ¶2, 26).
public typealias ConsentID = Identifier<ConsentTag>

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
/// Tag type for ``ConsentID``.
public enum ConsentTag: Sendable {}

/// An identifier's text breaks ``IdentifierRules``.
public struct IdentifierError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of identifier (its tag type's name, e.g. `ImplementationPlan` for a ``PlanID``).
    public var kind: String
    /// The offending text, exactly as given.
    public var text: String
    /// What is wrong, e.g. `"contains the control character U+0000"`.
    public var reason: String

    /// Creates an error.
    public init(kind: String, text: String, reason: String) {
        self.kind = kind
        self.text = text
        self.reason = reason
    }

    /// `invalid KIND identifier "TEXT": REASON`, with the text escaped and shortened.
    public var description: String { "invalid \(kind) identifier \(IdentifierRules.quoted(text)): \(reason)" }
}

/// The alphabet and length every ``Identifier`` follows, and the check for free-text envelope fields.
///
/// An identifier is refused when it is empty, longer than its maximum in UTF-8 bytes, has leading or trailing
/// white space, or contains a code point that is a control character (Cc, including NUL), a format character
/// (Cf), a line or paragraph separator (Zl, Zp), a private-use code point (Co) or a noncharacter, or is not in
/// Unicode normalization form C (Swift compares strings by canonical equivalence, databases by bytes). Swift strings
/// are always valid Unicode, so text decoded from bytes that were not valid UTF-8 never reaches these rules
/// unchanged: decoders and stores refuse such bytes before.
public enum IdentifierRules {
    /// The longest domain identifier (``PlanID``, ``AgreementID``, ``PartyID``, ...), in UTF-8 bytes: 128.
    public static let maximumUTF8Length = 128
    /// The longest ``StreamID``, in UTF-8 bytes: 256.
    public static let maximumStreamIDUTF8Length = 256
    /// The longest ``EventID``, in UTF-8 bytes: 1024.
    public static let maximumEventIDUTF8Length = 1024
    /// The longest event type, cursor name or other envelope name, in UTF-8 bytes: 256.
    public static let maximumNameUTF8Length = 256
    /// The longest free-text envelope field (actor person, correlation, causation, policy version): 4096 bytes.
    public static let maximumTextUTF8Length = 4096

    /// Why `text` is not a valid identifier of at most `maximumUTF8Length` bytes, or `nil` when it is.
    public static func problem(in text: String, maximumUTF8Length: Int) -> String? {
        let utf8 = text.utf8
        // Fastest path (every append checks several identifiers): a native string's bytes read in place.
        let accepted = utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard !bytes.isEmpty, bytes.count <= maximumUTF8Length, bytes[0] != 0x20, bytes[bytes.count - 1] != 0x20
            else { return false }
            for byte in bytes where byte < 0x20 || byte > 0x7E { return false }
            return true
        }
        if accepted == true { return nil }
        return slowProblem(in: text, maximumUTF8Length: maximumUTF8Length)
    }

    /// ``problem(in:maximumUTF8Length:)`` for text the fast path did not accept. Kept out of line: the Unicode
    /// property types it uses are resilient, and their metadata lookups would otherwise run on every call.
    @inline(never)
    private static func slowProblem(in text: String, maximumUTF8Length: Int) -> String? {
        let utf8 = text.utf8
        if utf8.isEmpty { return "it is empty" }
        if utf8.count > maximumUTF8Length {
            return "it is \(utf8.count) UTF-8 bytes long; the maximum is \(maximumUTF8Length)"
        }
        // Fast path: printable ASCII with no space at either end.
        var ascii = true
        for byte in utf8 where byte < 0x20 || byte > 0x7E {
            ascii = false
            break
        }
        if ascii {
            if utf8.first == 0x20 || utf8.last == 0x20 { return "it has leading or trailing white space" }
            return nil
        }
        let scalars = text.unicodeScalars
        for scalar in scalars where isRefused(scalar) {
            return "it contains the \(describe(scalar))"
        }
        // Swift compares strings by canonical equivalence, databases by bytes: only NFC text is accepted, so
        // two identifiers are equal in Swift exactly when their bytes are equal.
        guard text.precomposedStringWithCanonicalMapping.utf8.elementsEqual(utf8) else {
            return "it is not in Unicode normalization form C (NFC)"
        }
        if let first = scalars.first, let last = scalars.last,
            first.properties.isWhitespace || last.properties.isWhitespace
        {
            return "it has leading or trailing white space"
        }
        return nil
    }

    /// Why free text (an actor's person, correlation or causation id, policy version) cannot be stored, or
    /// `nil`: it may not contain NUL (U+0000), which PostgreSQL `text` cannot hold, nor exceed
    /// `maximumUTF8Length` bytes. Other characters are allowed; an empty text is allowed.
    public static func textProblem(in text: String, maximumUTF8Length: Int = maximumTextUTF8Length) -> String? {
        let utf8 = text.utf8
        let accepted = utf8.withContiguousStorageIfAvailable { bytes in
            bytes.count <= maximumUTF8Length && !bytes.contains(0)
        }
        if accepted == true { return nil }
        if utf8.count > maximumUTF8Length {
            return "it is \(utf8.count) UTF-8 bytes long; the maximum is \(maximumUTF8Length)"
        }
        if utf8.contains(0) { return "it contains the control character U+0000 (NUL)" }
        return nil
    }

    /// `"text"` escaped (control characters as `\u{…}`) and cut to 80 characters, for error messages.
    public static func quoted(_ text: String) -> String {
        let short =
            text.unicodeScalars.count > 80
            ? String(String.UnicodeScalarView(text.unicodeScalars.prefix(80))) + "…" : text
        return short.debugDescription
    }

    private static func isRefused(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x20 || (0x7F...0x9F).contains(value) { return true }
        let properties = scalar.properties
        if properties.isNoncharacterCodePoint { return true }
        switch properties.generalCategory {
        case .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .control: return true
        default: return false
        }
    }

    private static func describe(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        if scalar.value == 0 { return "control character \(code) (NUL)" }
        switch scalar.properties.generalCategory {
        case .control: return "control character \(code)"
        case .format: return "format character \(code)"
        case .lineSeparator, .paragraphSeparator: return "separator \(code)"
        case .privateUse: return "private-use code point \(code)"
        default: return "noncharacter \(code)"
        }
    }
}
