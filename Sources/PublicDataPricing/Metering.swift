/// A closed range of days (both ends inclusive): a billing period or an accounting period.
///
/// In JSON: `{"start":"2026-03-01","end":"2026-03-31"}`.
public struct BillingPeriod: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The first day.
    public let start: CivilDate
    /// The last day (inclusive).
    public let end: CivilDate

    /// Creates a period.
    /// - Throws: ``PricingError`` with code ``PricingError/Code/invalidPeriod`` when `end` is before `start`.
    public init(start: CivilDate, end: CivilDate) throws(PricingError) {
        guard start <= end else {
            throw PricingError(code: .invalidPeriod, message: "the period ends (\(end)) before it starts (\(start))")
        }
        self.start = start
        self.end = end
    }

    fileprivate init(unchecked start: CivilDate, _ end: CivilDate) {
        self.start = start
        self.end = end
    }

    /// Decodes a period and checks that it does not end before it starts.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let start = try container.decode(CivilDate.self, forKey: .start)
        let end = try container.decode(CivilDate.self, forKey: .end)
        guard start <= end else {
            throw DecodingError.dataCorruptedError(forKey: .end, in: container, debugDescription: "end before start")
        }
        self.init(unchecked: start, end)
    }

    /// The calendar month `year`-`month`, or `nil` for an invalid month.
    public static func month(_ year: Int, _ month: Int) -> BillingPeriod? {
        guard let start = CivilDate(year: year, month: month, day: 1),
            let end = CivilDate(year: year, month: month, day: CivilDate.daysInMonth(year: year, month: month))
        else { return nil }
        return BillingPeriod(unchecked: start, end)
    }

    /// The calendar year, or `nil` outside 1...9999.
    public static func year(_ year: Int) -> BillingPeriod? {
        guard let start = CivilDate(year: year, month: 1, day: 1), let end = CivilDate(year: year, month: 12, day: 31)
        else { return nil }
        return BillingPeriod(unchecked: start, end)
    }

    /// Whether `day` is in the period.
    public func contains(_ day: CivilDate) -> Bool { start <= day && day <= end }

    /// Whether `other` starts on the day after this period ends.
    public func isFollowed(by other: BillingPeriod) -> Bool { end.adding(days: 1) == other.start }

    /// Orders periods by start, then end.
    public static func < (lhs: BillingPeriod, rhs: BillingPeriod) -> Bool {
        (lhs.start, lhs.end) < (rhs.start, rhs.end)
    }

    /// `2026-03-01…2026-03-31`.
    public var description: String { "\(start)…\(end)" }
}

/// How usage days are grouped into billing periods.
public enum BillingCycle: String, Codable, Sendable, CaseIterable, Hashable {
    /// Calendar months.
    case monthly
    /// Calendar quarters (January–March, …).
    case quarterly
    /// Calendar years.
    case yearly

    /// A number that identifies the period containing `day` (months, quarters or years since year 0).
    func periodIndex(of day: CivilDate) -> Int {
        switch self {
        case .monthly: day.year * 12 + day.month - 1
        case .quarterly: day.year * 4 + (day.month - 1) / 3
        case .yearly: day.year
        }
    }

    /// The period of this cycle that contains `day`.
    public func period(containing day: CivilDate) -> BillingPeriod {
        let firstMonth: Int
        let months: Int
        switch self {
        case .monthly: (firstMonth, months) = (day.month, 1)
        case .quarterly: (firstMonth, months) = ((day.month - 1) / 3 * 3 + 1, 3)
        case .yearly: (firstMonth, months) = (1, 12)
        }
        let lastMonth = firstMonth + months - 1
        let start = CivilDate(year: day.year, month: firstMonth, day: 1) ?? day
        let end =
            CivilDate(year: day.year, month: lastMonth, day: CivilDate.daysInMonth(year: day.year, month: lastMonth))
            ?? day
        return BillingPeriod(unchecked: start, end)
    }
}

/// One metered use of a product (Art. 28, "可控可计量").
///
/// A record belongs to the billing period of the day it **occurred** on (``occurredOn``), however late it
/// arrives. The ``idempotencyKey`` makes delivery at-least-once safe: a record whose key was already seen
/// for the subscription is counted once.
public struct UsageRecord: Codable, Sendable, Hashable {
    /// Unique per subscription; a repeat is a duplicate delivery.
    public var idempotencyKey: String
    /// The subscription used.
    public var subscription: SubscriptionID
    /// The unit of ``quantity``.
    public var unit: MeterUnit
    /// How many units, zero or more.
    public var quantity: Int64
    /// The day the use occurred on (in the deployment's time zone).
    public var occurredOn: CivilDate
    /// An optional key for distinct counts (e.g. a hashed subject identifier).
    public var distinctKey: String?

    /// Creates a record.
    public init(
        idempotencyKey: String,
        subscription: SubscriptionID,
        unit: MeterUnit,
        quantity: Int64,
        occurredOn: CivilDate,
        distinctKey: String? = nil
    ) {
        self.idempotencyKey = idempotencyKey
        self.subscription = subscription
        self.unit = unit
        self.quantity = quantity
        self.occurredOn = occurredOn
        self.distinctKey = distinctKey
    }

    /// Checks the record.
    /// - Throws: ``PricingError``: ``PricingError/Code/negativeQuantity``, or
    ///   ``PricingError/Code/invalidQuantity`` for an empty key or subscription.
    public func validate() throws(PricingError) {
        guard quantity >= 0 else {
            throw PricingError(
                code: .negativeQuantity,
                message: "usage \(idempotencyKey) of \(subscription) has a negative quantity \(quantity)"
            )
        }
        guard !idempotencyKey.isEmpty, !subscription.isEmpty else {
            throw PricingError(
                code: .invalidQuantity,
                message: "a usage record needs an idempotency key and a subscription"
            )
        }
    }
}

/// The usage of one subscription, in one unit, over one billing period.
public struct UsageAggregate: Codable, Sendable, Hashable {
    /// The subscription.
    public var subscription: SubscriptionID
    /// The period.
    public var period: BillingPeriod
    /// The unit.
    public var unit: MeterUnit
    /// The number of records.
    public var count: Int64
    /// The sum of quantities.
    public var sum: Int64
    /// The largest quantity.
    public var max: Int64
    /// The number of distinct non-nil distinct keys.
    public var distinctCount: Int64

    /// Creates an aggregate.
    public init(
        subscription: SubscriptionID,
        period: BillingPeriod,
        unit: MeterUnit,
        count: Int64 = 0,
        sum: Int64 = 0,
        max: Int64 = 0,
        distinctCount: Int64 = 0
    ) {
        self.subscription = subscription
        self.period = period
        self.unit = unit
        self.count = count
        self.sum = sum
        self.max = max
        self.distinctCount = distinctCount
    }

    /// The figure named by `measure`.
    public func value(of measure: UsageMeasure) -> Int64 {
        switch measure {
        case .sum: sum
        case .count: count
        case .max: max
        case .distinctCount: distinctCount
        }
    }
}

/// Whether a usage record was counted or recognised as a duplicate.
public enum MeterOutcome: String, Codable, Sendable, Hashable {
    /// The record was new and is now counted.
    case counted
    /// The record's key was seen before with the same content; nothing changed.
    case duplicate
}

/// Counts usage records exactly once and aggregates them per subscription, unit and billing period.
///
/// A value type: copy it, apply records, keep the copy only if every record was accepted.
///
/// ```swift
/// var meter = UsageMeter(cycle: .monthly)
/// try meter.record(record)            // .counted
/// try meter.record(record)            // .duplicate — counted once
/// let march = meter.aggregate(subscription: "sub-1", unit: .call, period: .month(2026, 3)!)
/// ```
public struct UsageMeter: Sendable, Hashable {
    private struct PeriodKey: Hashable {
        var unit: MeterUnit
        var periodIndex: Int
    }

    private struct Accumulator: Hashable {
        var period: BillingPeriod
        var count: Int64 = 0
        var sum: Int64 = 0
        var max: Int64 = 0
        var distinct: Set<String> = []

        /// Adds a record; throws before changing anything when a total would overflow.
        mutating func add(_ record: UsageRecord) throws(PricingError) {
            let newCount = try checkedAdd(count, 1, "usage count")
            let newSum = try checkedAdd(sum, record.quantity, "usage sum of \(record.subscription)")
            count = newCount
            sum = newSum
            max = Swift.max(max, record.quantity)
            if let distinct = record.distinctKey { self.distinct.insert(distinct) }
        }
    }

    /// What a key was counted for: the record without its key and subscription (both implied).
    private struct Fingerprint: Hashable {
        var unit: MeterUnit
        var quantity: Int64
        var day: Int
        var distinctKey: String?

        init(_ record: UsageRecord) {
            unit = record.unit
            quantity = record.quantity
            day = record.occurredOn.daysSinceEpoch
            distinctKey = record.distinctKey
        }
    }

    /// One subscription's keys and period totals.
    private struct Account: Hashable {
        var subscription: SubscriptionID
        var keys: [String: Fingerprint] = [:]
        var periods: [PeriodKey: Accumulator] = [:]
    }

    /// The billing cycle that maps days to periods.
    public let cycle: BillingCycle
    private var slots: [SubscriptionID: Int] = [:]
    private var accounts: [Account] = []

    /// Creates an empty meter.
    public init(cycle: BillingCycle) {
        self.cycle = cycle
    }

    /// The number of distinct records counted.
    public var recordCount: Int { accounts.reduce(0) { $0 + $1.keys.count } }

    /// Counts `record` unless its key was already seen for its subscription.
    /// - Returns: ``MeterOutcome/counted`` or ``MeterOutcome/duplicate``.
    /// - Throws: ``PricingError``: ``PricingError/Code/negativeQuantity``,
    ///   ``PricingError/Code/idempotencyConflict`` (same key, different content),
    ///   ``PricingError/Code/overflow``. Nothing changes when it throws.
    @discardableResult
    public mutating func record(_ record: UsageRecord) throws(PricingError) -> MeterOutcome {
        try record.validate()
        let slot: Int
        if let existing = slots[record.subscription] {
            slot = existing
        } else {
            slot = accounts.count
            slots[record.subscription] = slot
            accounts.append(Account(subscription: record.subscription))
        }
        // One hash of the key on the common path: insert, and restore if it was already there.
        let fingerprint = Fingerprint(record)
        if let earlier = accounts[slot].keys.updateValue(fingerprint, forKey: record.idempotencyKey) {
            accounts[slot].keys[record.idempotencyKey] = earlier
            guard earlier == fingerprint else {
                throw PricingError(
                    code: .idempotencyConflict,
                    message: "key \(record.idempotencyKey) of \(record.subscription) was used for a different record"
                )
            }
            return .duplicate
        }
        let key = PeriodKey(unit: record.unit, periodIndex: cycle.periodIndex(of: record.occurredOn))
        do throws(PricingError) {
            try accounts[slot].periods[key, default: Accumulator(period: cycle.period(containing: record.occurredOn))]
                .add(record)
        } catch {
            accounts[slot].keys[record.idempotencyKey] = nil
            if accounts[slot].keys.isEmpty, accounts[slot].periods.isEmpty, slot == accounts.count - 1 {
                accounts.removeLast()
                slots[record.subscription] = nil
            }
            throw error
        }
        return .counted
    }

    /// Counts every record of `records` in order; all or nothing.
    /// - Returns: How many were counted and how many were duplicates.
    /// - Throws: the first record's ``PricingError``; the meter is then unchanged.
    @discardableResult
    public mutating func record(
        contentsOf records: some Sequence<UsageRecord>
    ) throws(PricingError)
        -> (counted: Int, duplicates: Int)
    {
        var copy = self
        var counted = 0
        var duplicates = 0
        for item in records {
            switch try copy.record(item) {
            case .counted: counted += 1
            case .duplicate: duplicates += 1
            }
        }
        self = copy
        return (counted, duplicates)
    }

    /// Whether the key was already counted for the subscription.
    public func contains(key: String, subscription: SubscriptionID) -> Bool {
        guard let slot = slots[subscription] else { return false }
        return accounts[slot].keys[key] != nil
    }

    /// The usage of `subscription` in `unit` over the period of this cycle that starts on `period.start`.
    public func aggregate(subscription: SubscriptionID, unit: MeterUnit, period: BillingPeriod) -> UsageAggregate {
        let key = PeriodKey(unit: unit, periodIndex: cycle.periodIndex(of: period.start))
        guard let slot = slots[subscription], let accumulator = accounts[slot].periods[key] else {
            return UsageAggregate(subscription: subscription, period: period, unit: unit)
        }
        return Self.aggregate(subscription, unit, accumulator)
    }

    private static func aggregate(
        _ subscription: SubscriptionID,
        _ unit: MeterUnit,
        _ accumulator: Accumulator
    )
        -> UsageAggregate
    {
        UsageAggregate(
            subscription: subscription,
            period: accumulator.period,
            unit: unit,
            count: accumulator.count,
            sum: accumulator.sum,
            max: accumulator.max,
            distinctCount: Int64(accumulator.distinct.count)
        )
    }

    /// Every non-empty aggregate, ordered by subscription, unit and period.
    public var aggregates: [UsageAggregate] {
        accounts.flatMap { account in
            account.periods.map { key, accumulator in Self.aggregate(account.subscription, key.unit, accumulator) }
        }
        .sorted { ($0.subscription, $0.unit.rawValue, $0.period) < ($1.subscription, $1.unit.rawValue, $1.period) }
    }
}
