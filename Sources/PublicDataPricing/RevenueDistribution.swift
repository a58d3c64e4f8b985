/// The role a party plays in revenue distribution (Art. 23–24).
public enum ShareRole: String, Codable, Sendable, CaseIterable, Hashable {
    /// A data provider (数据提供单位).
    case dataProvider = "data_provider"
    /// The implementing agency (实施机构).
    case implementingAgency = "implementing_agency"
    /// The operator (运营机构).
    case `operator` = "operator"
    /// The compensation pool for departments' data governance (利益补偿, Art. 24).
    case compensationPool = "compensation_pool"
}

/// One party's contribution weight in an agreement's revenue distribution.
public struct RevenueShare: Codable, Sendable, Hashable {
    /// The party (for the compensation pool, the pool's account id).
    public var party: PartyID
    /// The party's role.
    public var role: ShareRole
    /// The contribution weight; zero or more. Only ratios matter: weights 3 and 1 split 75 % / 25 %.
    public var weight: Int64

    /// Creates a share.
    public init(party: PartyID, role: ShareRole, weight: Int64) {
        self.party = party
        self.role = role
        self.weight = weight
    }
}

/// The revenue distribution configured in one authorization agreement ("谁投入、谁贡献、谁受益").
public struct DistributionAgreement: Codable, Sendable, Hashable {
    /// The agreement.
    public var agreement: AgreementID
    /// The currency distributed.
    public var currency: Currency
    /// The parties and their weights.
    public var shares: [RevenueShare]

    /// Creates a configuration.
    public init(agreement: AgreementID, currency: Currency = .cny, shares: [RevenueShare]) {
        self.agreement = agreement
        self.currency = currency
        self.shares = shares
    }
}

/// One party's part of a distributed amount.
public struct Allocation: Codable, Sendable, Hashable {
    /// The party.
    public var party: PartyID
    /// Its role.
    public var role: ShareRole
    /// Its weight.
    public var weight: Int64
    /// Its part, in whole fen.
    public var amount: Money

    /// Creates an allocation.
    public init(party: PartyID, role: ShareRole, weight: Int64, amount: Money) {
        self.party = party
        self.role = role
        self.weight = weight
        self.amount = amount
    }
}

/// Revenue distribution by the largest-remainder (Hamilton) method: the parts always sum exactly to the total.
///
/// **Method.** With total `T` fen and weights `wᵢ` summing to `W`, party `i` first gets
/// `⌊T·wᵢ / W⌋` fen (exact 128-bit arithmetic); the `k < n` fen left over go one each to the parties with
/// the largest remainders `T·wᵢ mod W`.
///
/// **Tie-break (deterministic).** Larger remainder first; on equal remainders, larger weight first; on
/// equal weights, the party id in ascending order (`Identifier` order). The result does not depend on
/// the order in which shares are listed; allocations are returned in the listed order.
public enum RevenueDistribution {
    /// Splits `total` among `shares`.
    ///
    /// ```swift
    /// let parts = try RevenueDistribution.split(Money(fen: 100), among: [
    ///     RevenueShare(party: "provider", role: .dataProvider, weight: 1),
    ///     RevenueShare(party: "agency", role: .implementingAgency, weight: 1),
    ///     RevenueShare(party: "operator", role: .operator, weight: 1),
    /// ])   // provider 33, agency 34, operator 33: equal remainders and weights, so "agency" (first by id) gets the extra fen
    /// ```
    /// - Throws: ``PricingError`` with code ``PricingError/Code/invalidShares`` (no shares, a negative
    ///   weight, all weights zero, a party listed twice), ``PricingError/Code/negativeAmount``,
    ///   ``PricingError/Code/overflow`` (weights sum beyond Int64).
    public static func split(_ total: Money, among shares: [RevenueShare]) throws(PricingError) -> [Allocation] {
        guard !total.isNegative else {
            throw PricingError(code: .negativeAmount, message: "cannot distribute a negative amount \(total)")
        }
        guard !shares.isEmpty else { throw PricingError(code: .invalidShares, message: "no parties to distribute to") }
        var weightSum: Int64 = 0
        for share in shares {
            guard share.weight >= 0 else {
                throw PricingError(
                    code: .invalidShares,
                    message: "party \(share.party) has a negative weight \(share.weight)"
                )
            }
            weightSum = try checkedAdd(weightSum, share.weight, "the sum of weights")
        }
        guard weightSum > 0 else { throw PricingError(code: .invalidShares, message: "all weights are zero") }
        if let duplicate = Self.duplicateParty(in: shares) {
            throw PricingError(code: .invalidShares, message: "party \(duplicate) is listed twice")
        }
        let count = shares.count
        var amounts = [Int64](repeating: 0, count: count)
        var remainders = [Int64](repeating: 0, count: count)
        var assigned: Int64 = 0
        let totalFen = total.fen
        for index in 0..<count {
            let product = totalFen.multipliedFullWidth(by: shares[index].weight)
            let (quotient, remainder) = weightSum.dividingFullWidth(product)
            amounts[index] = quotient
            remainders[index] = remainder
            assigned += quotient
        }
        // Fewer than `count` fen are left; each goes to the best party not yet served, in tie-break order.
        var leftover = totalFen - assigned
        var served = [Bool](repeating: false, count: count)
        while leftover > 0 {
            var best = -1
            for index in 0..<count where !served[index] {
                if best < 0 || Self.precedes(index, best, remainders, shares) { best = index }
            }
            served[best] = true
            amounts[best] += 1
            leftover -= 1
        }
        var result: [Allocation] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            let share = shares[index]
            result.append(
                Allocation(
                    party: share.party,
                    role: share.role,
                    weight: share.weight,
                    amount: Money(fen: amounts[index], currency: total.currency)
                )
            )
        }
        return result
    }

    /// Whether party `a` gets a left-over fen before party `b`: larger remainder, then larger weight, then
    /// smaller party id.
    private static func precedes(_ a: Int, _ b: Int, _ remainders: [Int64], _ shares: [RevenueShare]) -> Bool {
        if remainders[a] != remainders[b] { return remainders[a] > remainders[b] }
        if shares[a].weight != shares[b].weight { return shares[a].weight > shares[b].weight }
        return shares[a].party < shares[b].party
    }

    /// The first party listed twice, if any (pairwise for the usual handful of parties, hashed beyond).
    private static func duplicateParty(in shares: [RevenueShare]) -> PartyID? {
        if shares.count <= 16 {
            for i in shares.indices {
                for j in shares.indices where j > i && shares[i].party == shares[j].party { return shares[i].party }
            }
            return nil
        }
        var seen: Set<PartyID> = []
        for share in shares where !seen.insert(share.party).inserted { return share.party }
        return nil
    }

    /// Splits `total` by an agreement's configured shares.
    /// - Throws: ``PricingError``: ``PricingError/Code/currencyMismatch`` and those of ``split(_:among:)``.
    public static func split(_ total: Money, agreement: DistributionAgreement) throws(PricingError) -> [Allocation] {
        guard total.currency == agreement.currency else {
            throw PricingError.currency(total.currency, agreement.currency, "distribution of \(agreement.agreement)")
        }
        return try split(total, among: agreement.shares)
    }
}
