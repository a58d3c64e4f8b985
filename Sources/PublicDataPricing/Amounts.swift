/// The unit in which usage is metered and priced.
///
/// Quantities are always whole numbers of the unit (never floating point): calls, seconds of service
/// time, bytes or records of data volume. Coarser units are expressed through a ``UnitPrice``'s `per`
/// quantity (e.g. "¥2 per hour" is 200 fen per 3600 seconds).
public enum MeterUnit: String, Codable, Sendable, CaseIterable, Hashable {
    /// One call of an API or verification service (按次).
    case call
    /// One second of service time (按服务时长).
    case second
    /// One byte of delivered data (按数据量).
    case byte
    /// One delivered record (按数据量).
    case record

    /// Parses a unit name (`"call"`, `"second"`, `"byte"`, `"record"`).
    /// - Throws: ``PricingError`` with code ``PricingError/Code/unknownUnit``.
    public init(parsing text: String) throws(PricingError) {
        guard let unit = MeterUnit(rawValue: text) else {
            throw PricingError(code: .unknownUnit, message: "\"\(text)\" is not a unit (call, second, byte, record)")
        }
        self = unit
    }

    /// The charge basis the unit belongs to (65号: per call, by service time, by data volume).
    public var basis: String {
        switch self {
        case .call: "per call"
        case .second: "per service time"
        case .byte, .record: "per data volume"
        }
    }

    /// Parses a quantity of this unit from text: a whole, non-negative decimal number such as `"1200"`.
    ///
    /// `"NaN"`, `"inf"`, `"1e3"`, `"1.5"` and `"-3"` are refused: a quantity is an exact count.
    /// - Throws: ``PricingError`` with code ``PricingError/Code/negativeQuantity`` or
    ///   ``PricingError/Code/invalidQuantity``.
    public func quantity(parsing text: String) throws(PricingError) -> Int64 {
        if text.hasPrefix("-") {
            throw PricingError(code: .negativeQuantity, message: "quantity \"\(text)\" \(rawValue) is negative")
        }
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = Int64(text) else {
            throw PricingError(
                code: .invalidQuantity,
                message: "quantity \"\(text)\" is not a finite whole number of \(rawValue)s"
            )
        }
        return value
    }

    /// Parses an exact decimal quantity of a coarser unit and converts it to whole units of this one.
    ///
    /// `MeterUnit.second.quantity(parsingDecimal: "1.5", unitsPer: 3600)` is 5,400 seconds (1.5 hours);
    /// `MeterUnit.byte.quantity(parsingDecimal: "0.25", unitsPer: 1_000_000)` is 250,000 bytes (0.25 MB).
    /// The result must be a whole number of units: `"0.0001"` hours (0.36 s) is refused, never rounded.
    /// - Parameters:
    ///   - text: A non-negative decimal such as `"12"` or `"1.25"` (no exponent, no sign, no `NaN`/`inf`).
    ///   - unitsPer: How many of this unit make one of the coarser unit; 1 or more.
    /// - Throws: ``PricingError``: ``PricingError/Code/negativeQuantity``, ``PricingError/Code/invalidQuantity``
    ///   (malformed, not whole in this unit, or `unitsPer` below 1), ``PricingError/Code/overflow``.
    public func quantity(parsingDecimal text: String, unitsPer: Int64) throws(PricingError) -> Int64 {
        if text.hasPrefix("-") {
            throw PricingError(code: .negativeQuantity, message: "quantity \"\(text)\" is negative")
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        func digits(_ part: Substring) -> Bool { !part.isEmpty && part.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }
        guard unitsPer >= 1, (1...2).contains(parts.count), digits(parts[0]), parts.count == 1 || digits(parts[1]),
            parts.count == 1 || parts[1].count <= 18
        else {
            throw PricingError(code: .invalidQuantity, message: "quantity \"\(text)\" is not a finite decimal")
        }
        guard let whole = Int64(parts[0]) else { throw PricingError.overflow("quantity \(text)") }
        var scale: Int64 = 1
        var fraction: Int64 = 0
        if parts.count == 2 {
            for _ in 0..<parts[1].count { scale *= 10 }
            fraction = Int64(parts[1]) ?? 0
        }
        // (whole + fraction / scale) × unitsPer must be whole.
        let wholeUnits = try checkedMultiply(whole, unitsPer, "quantity \(text)")
        let fractionProduct = fraction.multipliedFullWidth(by: unitsPer)
        guard fractionProduct.high < scale else { throw PricingError.overflow("quantity \(text)") }
        let (fractionUnits, remainder) = scale.dividingFullWidth(fractionProduct)
        guard remainder == 0 else {
            throw PricingError(
                code: .invalidQuantity,
                message: "quantity \"\(text)\" × \(unitsPer) is not a whole number of \(rawValue)s"
            )
        }
        return try checkedAdd(wholeUnits, fractionUnits, "quantity \(text)")
    }
}

/// A price per unit that may be finer than one fen: `fen` fen for every `per` units.
///
/// This is the library's **one** representation of a unit price. Half a fen per call is
/// `UnitPrice(fen: 1, per: 2)`; ¥0.08 per call is `UnitPrice(fen: 8)`; ¥3 per 1,000 records is
/// `UnitPrice(fen: 300, per: 1000)`. Amounts computed from unit prices stay exact fractions of a fen
/// (``ExactAmount``) until the one rounding step (``RoundingRule``) when an invoice line is fixed.
///
/// ```swift
/// let halfFen = try UnitPrice(yuan: "0.005")   // 1 fen per 2 units
/// ```
public struct UnitPrice: Codable, Sendable, Hashable, CustomStringConvertible {
    /// Fen charged for every ``per`` units; zero or more.
    public var fen: Int64
    /// The number of units the price is for; one or more.
    public var per: Int64
    /// The currency.
    public var currency: Currency

    /// Creates a unit price of `fen` fen per `per` units.
    public init(fen: Int64, per: Int64 = 1, currency: Currency = .cny) {
        self.fen = fen
        self.per = per
        self.currency = currency
    }

    /// Parses a yuan amount with up to eight decimals, priced per `per` units; the fraction is reduced.
    ///
    /// `"0.005"` yuan per call is 0.5 fen per call, i.e. `UnitPrice(fen: 1, per: 2)`.
    /// - Throws: ``PricingError`` with code ``PricingError/Code/invalidPlan`` for malformed text or a
    ///   non-positive `per`, ``PricingError/Code/overflow`` when too large.
    public init(yuan text: String, per: Int64 = 1, currency: Currency = .cny) throws(PricingError) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        func digitsOnly(_ part: Substring) -> Bool { !part.isEmpty && part.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }
        guard per > 0, (1...2).contains(parts.count), digitsOnly(parts[0]),
            parts.count == 1 || (digitsOnly(parts[1]) && parts[1].count <= 8)
        else {
            throw PricingError(code: .invalidPlan, message: "\"\(text)\" per \(per) is not a unit price in yuan")
        }
        let decimals = parts.count == 2 ? parts[1].count : 0
        var scale: Int64 = 1  // denominator in fen: yuan × 100 / 10^decimals
        for _ in 0..<decimals { scale *= 10 }
        guard let whole = Int64(parts[0]), let fraction = parts.count == 2 ? Int64(parts[1]) : 0 else {
            throw PricingError.overflow("unit price \(text)")
        }
        let (a, o1) = whole.multipliedReportingOverflow(by: scale)
        let (numerator, o2) = a.addingReportingOverflow(fraction)
        let (fenNumerator, o3) = numerator.multipliedReportingOverflow(by: 100)
        let (denominator, o4) = scale.multipliedReportingOverflow(by: per)
        guard !o1, !o2, !o3, !o4 else { throw PricingError.overflow("unit price \(text)") }
        let divisor = gcd(fenNumerator, denominator)
        self.init(fen: fenNumerator / divisor, per: denominator / divisor, currency: currency)
    }

    /// The exact charge for `units` units.
    /// - Throws: ``PricingError`` with code ``PricingError/Code/overflow``.
    public func amount(for units: Int64) throws(PricingError) -> ExactAmount {
        try ExactAmount.ratio(units, times: fen, over: per)
    }

    /// Whether this price is at most `other` (exact comparison of `fen/per`; currencies must match).
    public func isAtMost(_ other: UnitPrice) -> Bool {
        // fen/per <= other.fen/other.per  <=>  fen * other.per <= other.fen * per (full width, no overflow).
        let lhs = fen.multipliedFullWidth(by: other.per)
        let rhs = other.fen.multipliedFullWidth(by: per)
        return (lhs.high, lhs.low) <= (rhs.high, rhs.low)
    }

    /// `¥0.005 per 1 call`-style text: the price as fen over units.
    public var description: String {
        per == 1 ? "\(Money(fen: fen, currency: currency)) per unit" : "\(fen) fen per \(per) units"
    }

    /// The price in words for a unit, e.g. `"0.5 fen per call"` for `UnitPrice(fen: 1, per: 2)`.
    public func describe(unit: MeterUnit) -> String {
        per == 1 ? "\(fen) fen per \(unit.rawValue)" : "\(fen) fen per \(per) \(unit.rawValue)s"
    }
}

/// How exact amounts become whole fen. The library has exactly one rule, applied at exactly one place.
///
/// **Rule:** half-up — round to the nearest fen, a tie (exactly half a fen) away from zero.
/// **Place:** when an ``InvoiceLine``'s amount is fixed (``RoundingRule/fen(_:)`` is called from
/// nowhere else). Subtotals, totals, credit notes, allowances, closes and revenue splits add whole fen
/// and never round again; a revenue split divides whole fen with the largest-remainder method and
/// needs no rounding.
public enum RoundingRule {
    /// The rule in words, as every invoice and invoice line states it.
    public static let statement = "half-up to the fen (a tie of exactly half a fen away from zero), once per line"

    /// Rounds an exact amount to whole fen, half-up (ties away from zero).
    public static func fen(_ amount: ExactAmount) -> Int64 {
        // amount = whole + numerator/denominator with 0 <= numerator < denominator.
        guard amount.numerator != 0 else { return amount.whole }
        let rest = amount.denominator - amount.numerator
        let atLeastHalf = amount.numerator >= rest
        if amount.whole >= 0 {
            return atLeastHalf ? amount.whole + 1 : amount.whole
        }
        // Negative: value = whole + f with whole < 0, 0 < f < 1; e.g. -2 + 0.5 = -1.5 → -2 (away from zero).
        let exceedsHalf = amount.numerator > rest
        return exceedsHalf ? amount.whole + 1 : amount.whole
    }
}

/// An exact, possibly fractional amount of fen: `whole + numerator / denominator`.
///
/// `0 <= numerator < denominator`. Used for tier pieces and discounts before the one rounding step.
public struct ExactAmount: Codable, Sendable, Hashable, CustomStringConvertible {
    /// Whole fen (floor of the amount).
    public let whole: Int64
    /// Numerator of the fraction of a fen, `0 <= numerator < denominator`.
    public let numerator: Int64
    /// Denominator of the fraction of a fen, at least 1.
    public let denominator: Int64

    /// Zero fen.
    public static let zero = ExactAmount(whole: 0, numerator: 0, denominator: 1)

    private init(whole: Int64, numerator: Int64, denominator: Int64) {
        self.whole = whole
        self.numerator = numerator
        self.denominator = denominator
    }

    /// An exact whole number of fen.
    public init(fen: Int64) {
        self.init(whole: fen, numerator: 0, denominator: 1)
    }

    /// `units × fen / per` exactly, for `per > 0`.
    /// - Throws: ``PricingError`` with code ``PricingError/Code/overflow`` when the whole part overflows.
    public static func ratio(_ units: Int64, times fen: Int64, over per: Int64) throws(PricingError) -> ExactAmount {
        guard per > 0 else {
            throw PricingError(code: .invalidPlan, message: "a price's per-quantity must be positive")
        }
        let product = units.multipliedFullWidth(by: fen)
        // Divide the signed 128-bit product by per; refuse when the quotient does not fit.
        guard per != 1 else {
            guard
                (product.high == 0 && product.low <= UInt64(Int64.max))
                    || (product.high == -1 && product.low > UInt64(Int64.max))
            else { throw PricingError.overflow("\(units) × \(fen)") }
            return ExactAmount(fen: Int64(truncatingIfNeeded: product.low))
        }
        let negative = product.high < 0
        guard !negative else {
            // Prices and quantities are validated non-negative; negative ratios only arise from misuse.
            throw PricingError(code: .negativeAmount, message: "\(units) × \(fen) / \(per) is negative")
        }
        // The quotient fits in Int64 iff product < per × 2^63.
        let halfPer = per / 2
        let fits =
            product.high < halfPer || (product.high == halfPer && per % 2 == 1 && product.low < UInt64(1) << 63)
        guard fits else { throw PricingError.overflow("\(units) × \(fen) / \(per)") }
        let (quotient, remainder) = per.dividingFullWidth((high: product.high, low: product.low))
        return ExactAmount.normalized(whole: quotient, numerator: remainder, denominator: per)
    }

    static func normalized(whole: Int64, numerator: Int64, denominator: Int64) -> ExactAmount {
        guard numerator != 0 else { return ExactAmount(whole: whole, numerator: 0, denominator: 1) }
        let divisor = gcd(numerator, denominator)
        return ExactAmount(whole: whole, numerator: numerator / divisor, denominator: denominator / divisor)
    }

    /// The exact sum.
    /// - Throws: ``PricingError`` with code ``PricingError/Code/overflow``.
    public func adding(_ other: ExactAmount) throws(PricingError) -> ExactAmount {
        let (whole, o1) = self.whole.addingReportingOverflow(other.whole)
        guard !o1 else { throw PricingError.overflow("\(self) + \(other)") }
        if other.numerator == 0 { return ExactAmount(whole: whole, numerator: numerator, denominator: denominator) }
        if numerator == 0 {
            return ExactAmount(whole: whole, numerator: other.numerator, denominator: other.denominator)
        }
        let divisor = gcd(denominator, other.denominator)
        let (common, o2) = (denominator / divisor).multipliedReportingOverflow(by: other.denominator)
        let (a, o3) = numerator.multipliedReportingOverflow(by: common / denominator)
        let (b, o4) = other.numerator.multipliedReportingOverflow(by: common / other.denominator)
        let (sum, o5) = a.addingReportingOverflow(b)
        guard !o2, !o3, !o4, !o5 else { throw PricingError.overflow("\(self) + \(other)") }
        let carry = sum / common
        let (total, o6) = whole.addingReportingOverflow(carry)
        guard !o6 else { throw PricingError.overflow("\(self) + \(other)") }
        return .normalized(whole: total, numerator: sum % common, denominator: common)
    }

    /// Whether the amount is exactly whole fen.
    public var isWholeFen: Bool { numerator == 0 }

    /// `123 fen` or `123 + 1/2 fen`.
    public var description: String {
        numerator == 0 ? "\(whole) fen" : "\(whole) + \(numerator)/\(denominator) fen"
    }
}

func gcd(_ a: Int64, _ b: Int64) -> Int64 {
    var x = a.magnitude
    var y = b.magnitude
    while y != 0 { (x, y) = (y, x % y) }
    return x == 0 ? 1 : Int64(x)
}

func checkedAdd(_ a: Int64, _ b: Int64, _ what: @autoclosure () -> String) throws(PricingError) -> Int64 {
    let (value, overflow) = a.addingReportingOverflow(b)
    guard !overflow else { throw PricingError.overflow(what()) }
    return value
}

func checkedSubtract(_ a: Int64, _ b: Int64, _ what: @autoclosure () -> String) throws(PricingError) -> Int64 {
    let (value, overflow) = a.subtractingReportingOverflow(b)
    guard !overflow else { throw PricingError.overflow(what()) }
    return value
}

func checkedMultiply(_ a: Int64, _ b: Int64, _ what: @autoclosure () -> String) throws(PricingError) -> Int64 {
    let (value, overflow) = a.multipliedReportingOverflow(by: b)
    guard !overflow else { throw PricingError.overflow(what()) }
    return value
}
