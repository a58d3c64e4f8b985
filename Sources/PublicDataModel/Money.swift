/// A currency. Only the renminbi is in use; the type exists so a mismatch is a typed error, not a silent sum.
public enum Currency: String, Codable, Sendable, Hashable, CaseIterable {
    /// Chinese yuan renminbi; the minor unit is the fen (1 yuan = 100 fen).
    case cny = "CNY"
}

/// An error in a money computation or a money value read from input.
public struct MoneyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Hashable {
        /// The result does not fit in 64-bit fen.
        case overflow
        /// The text is not an amount of yuan with at most two decimals.
        case invalidAmount
        /// Two amounts in different currencies were combined.
        case currencyMismatch
        /// A negative amount where only zero or more is allowed.
        case negativeAmount
    }

    /// What went wrong.
    public var code: Code
    /// Details, e.g. the offending text or operands.
    public var detail: String

    /// Creates an error.
    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    /// `code: detail`.
    public var description: String { "money \(code.rawValue): \(detail)" }
}

/// An exact amount of money in integer minor units (fen). Never a floating-point number.
///
/// Arithmetic is checked: an overflow is a ``MoneyError``, never a wrap or a crash.
///
/// ```swift
/// let fee = try Money(yuan: "12.50")          // 1250 fen
/// let total = try fee.multiplied(by: 3)        // 3750 fen
/// print(total)                                 // ¥37.50
/// ```
///
/// In JSON: `{"currency":"CNY","fen":1250}`.
public struct Money: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The amount in fen (1/100 yuan). May be negative (a credit or a deduction).
    public let fen: Int64
    /// The currency.
    public let currency: Currency

    /// Creates an amount from fen.
    public init(fen: Int64, currency: Currency = .cny) {
        self.fen = fen
        self.currency = currency
    }

    /// Zero yuan.
    public static let zero = Money(fen: 0)

    /// Parses a yuan amount such as `"12"`, `"12.5"`, `"-0.01"`, `"1,234.56"` is **not** accepted.
    /// - Throws: ``MoneyError`` with code `invalidAmount` for anything else, `overflow` when too large.
    public init(yuan text: String, currency: Currency = .cny) throws(MoneyError) {
        var body = Substring(text)
        var negative = false
        if body.first == "-" {
            negative = true
            body = body.dropFirst()
        }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].allSatisfy({ $0.isASCII && $0.isNumber })
        else { throw MoneyError(.invalidAmount, "\"\(text)\" is not an amount of yuan") }
        var fraction: Int64 = 0
        if parts.count == 2 {
            let digits = parts[1]
            guard (1...2).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                let value = Int64(digits)
            else { throw MoneyError(.invalidAmount, "\"\(text)\" must have one or two decimals") }
            fraction = digits.count == 1 ? value * 10 : value
        }
        guard let whole = Int64(parts[0]) else { throw MoneyError(.overflow, "\"\(text)\" is too large") }
        let (scaled, o1) = whole.multipliedReportingOverflow(by: 100)
        let (sum, o2) = scaled.addingReportingOverflow(fraction)
        guard !o1, !o2 else { throw MoneyError(.overflow, "\"\(text)\" is too large") }
        self.init(fen: negative ? -sum : sum, currency: currency)
    }

    /// The sum, or an error on overflow or currency mismatch.
    public func adding(_ other: Money) throws(MoneyError) -> Money {
        try sameCurrency(other)
        let (value, overflow) = fen.addingReportingOverflow(other.fen)
        guard !overflow else { throw MoneyError(.overflow, "\(self) + \(other)") }
        return Money(fen: value, currency: currency)
    }

    /// The difference, or an error on overflow or currency mismatch.
    public func subtracting(_ other: Money) throws(MoneyError) -> Money {
        try sameCurrency(other)
        let (value, overflow) = fen.subtractingReportingOverflow(other.fen)
        guard !overflow else { throw MoneyError(.overflow, "\(self) - \(other)") }
        return Money(fen: value, currency: currency)
    }

    /// The amount times an integer quantity, or an error on overflow.
    public func multiplied(by factor: Int64) throws(MoneyError) -> Money {
        let (value, overflow) = fen.multipliedReportingOverflow(by: factor)
        guard !overflow else { throw MoneyError(.overflow, "\(self) × \(factor)") }
        return Money(fen: value, currency: currency)
    }

    /// The sum of `amounts` (zero for none), or an error on overflow or currency mismatch.
    public static func sum(_ amounts: some Sequence<Money>) throws(MoneyError) -> Money {
        var total = Money.zero
        for amount in amounts { total = try total.adding(amount) }
        return total
    }

    /// The negated amount, or an error for the one value that has no negation.
    public func negated() throws(MoneyError) -> Money {
        guard fen != .min else { throw MoneyError(.overflow, "-(\(self))") }
        return Money(fen: -fen, currency: currency)
    }

    /// Whether the amount is below zero.
    public var isNegative: Bool { fen < 0 }

    private func sameCurrency(_ other: Money) throws(MoneyError) {
        guard currency == other.currency else {
            throw MoneyError(.currencyMismatch, "\(currency.rawValue) vs \(other.currency.rawValue)")
        }
    }

    /// Orders amounts by value; amounts in different currencies order by currency code first.
    public static func < (lhs: Money, rhs: Money) -> Bool {
        (lhs.currency.rawValue, lhs.fen) < (rhs.currency.rawValue, rhs.fen)
    }

    /// The amount in yuan with two decimals, e.g. `"-12.05"`.
    public var yuanString: String {
        let magnitude = fen.magnitude
        let whole = magnitude / 100
        let cents = magnitude % 100
        return "\(fen < 0 ? "-" : "")\(whole).\(cents < 10 ? "0" : "")\(cents)"
    }

    /// `¥12.05` (CNY).
    public var description: String { "¥" + yuanString }
}
