import PublicDataPricing
import Testing

@Suite("Revenue distribution")
struct RevenueDistributionTests {
    private func shares(_ weights: [Int64]) -> [RevenueShare] {
        let roles: [ShareRole] = [.dataProvider, .implementingAgency, .operator, .compensationPool]
        return weights.enumerated().map { index, weight in
            RevenueShare(party: PartyID("party-\(index)"), role: roles[index % roles.count], weight: weight)
        }
    }

    @Test func equalWeightsTieBreakByPartyID() throws {
        let parts = try RevenueDistribution.split(
            Money(fen: 100),
            among: [
                RevenueShare(party: "provider", role: .dataProvider, weight: 1),
                RevenueShare(party: "agency", role: .implementingAgency, weight: 1),
                RevenueShare(party: "operator", role: .operator, weight: 1),
            ]
        )
        #expect(parts.map(\.party) == ["provider", "agency", "operator"])
        #expect(parts.map(\.amount.fen) == [33, 34, 33])
    }

    @Test func largerRemainderThenLargerWeightFirst() throws {
        // 10 fen by 1:2:2 → quotas 2, 4, 4 exactly: no leftover.
        #expect(
            try RevenueDistribution.split(Money(fen: 10), among: shares([1, 2, 2])).map(\.amount.fen) == [2, 4, 4]
        )
        // 7 fen by 1:3:3 → quotas 1, 3, 3: exact.  8 fen by 1:3:3 → 8/7, 24/7, 24/7: floors 1, 3, 3,
        // remainders 1, 3, 3 → one fen left → larger remainder (3), tie on weight (3) → party-1.
        #expect(try RevenueDistribution.split(Money(fen: 8), among: shares([1, 3, 3])).map(\.amount.fen) == [1, 4, 3])
        // 5 fen by 2:1:1:1 (W=5) exact; 3 fen by 2:1:1 → 1.5, 0.75, 0.75: floors 1,0,0; remainders 2,3,3 →
        // two fen to the remainders 3, 3 → [1, 1, 1].
        #expect(try RevenueDistribution.split(Money(fen: 3), among: shares([2, 1, 1])).map(\.amount.fen) == [1, 1, 1])
        // 1 fen by 1:1 with equal remainders → the larger weight wins when weights differ: 1 fen by 2:2:1? remainders
        // 2,2,1 → party-0 (id order among equal remainder and weight).
        #expect(try RevenueDistribution.split(Money(fen: 1), among: shares([2, 2, 1])).map(\.amount.fen) == [1, 0, 0])
    }

    @Test func configuredPerAgreement() throws {
        let agreement = DistributionAgreement(agreement: "agr-001", shares: shares([50, 20, 25, 5]))
        let parts = try RevenueDistribution.split(Money(fen: 1_000_001), agreement: agreement)
        #expect(parts.map(\.amount.fen).reduce(0, +) == 1_000_001)
        #expect(parts.map(\.amount.fen) == [500_001, 200_000, 250_000, 50_000])
    }

    @Test func zeroWeightGetsNothing() throws {
        #expect(try RevenueDistribution.split(Money(fen: 99), among: shares([0, 1])).map(\.amount.fen) == [0, 99])
    }

    @Test func badSharesAreTypedErrors() throws {
        for (weights, code) in [
            ([Int64](), PricingError.Code.invalidShares), ([0, 0], .invalidShares),
            ([1, -1], .invalidShares), ([Int64.max, 1], .overflow),
        ] {
            let error = try #require(throws: PricingError.self) {
                try RevenueDistribution.split(Money(fen: 100), among: shares(weights))
            }
            #expect(error.code == code)
        }
        let duplicate = [
            RevenueShare(party: "a", role: .operator, weight: 1),
            RevenueShare(party: "a", role: .dataProvider, weight: 1),
        ]
        #expect(throws: PricingError.self) { try RevenueDistribution.split(Money(fen: 1), among: duplicate) }
        let negative = try #require(throws: PricingError.self) {
            try RevenueDistribution.split(Money(fen: -1), among: shares([1]))
        }
        #expect(negative.code == .negativeAmount)
    }

    /// 100,000 random splits: parts sum exactly, none negative, each within one fen of its exact quota,
    /// and the same inputs (in any listed order) give the same parts.
    @Test func propertyOverRandomSplits() throws {
        var rng = SplitMix64(seed: 0x5EED_2026)
        for _ in 0..<100_000 {
            let count = Int.random(in: 1...6, using: &rng)
            let weights = (0..<count).map { _ in Int64.random(in: 0...1_000, using: &rng) }
            guard weights.contains(where: { $0 > 0 }) else { continue }
            let total = Money(fen: Int64.random(in: 0...10_000_000_000, using: &rng))
            let input = shares(weights)
            let parts = try RevenueDistribution.split(total, among: input)
            let amounts = parts.map(\.amount.fen)
            #expect(amounts.reduce(0, +) == total.fen)
            #expect(amounts.allSatisfy { $0 >= 0 })
            let weightSum = weights.reduce(0, +)
            for (amount, weight) in zip(amounts, weights) {
                let floor = total.fen.multipliedFullWidth(by: weight)
                let quota = weightSum.dividingFullWidth(floor).quotient
                #expect(amount == quota || amount == quota + 1)
            }
            var shuffled = input
            shuffled.shuffle(using: &rng)
            let again = try RevenueDistribution.split(total, among: shuffled)
            let byParty = Dictionary(uniqueKeysWithValues: again.map { ($0.party, $0.amount.fen) })
            #expect(parts.allSatisfy { byParty[$0.party] == $0.amount.fen })
        }
    }
}
