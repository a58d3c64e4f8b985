import PublicDataPricing
import Testing

@Suite("Plan versions")
struct PriceBookTests {
    private let flat8 = ChargeModel.usage(UsageCharge(unit: .call, scheme: .flat(UnitPrice(fen: 8))))
    private let flat6 = ChargeModel.usage(UsageCharge(unit: .call, scheme: .flat(UnitPrice(fen: 6))))

    @Test func addingAVersionClosesTheOpenOne() throws {
        var book = try PriceBook(product: "id-verify")
        book = try book.adding(plan(flat8))
        book = try book.adding(plan(flat6, version: 2, from: day("2026-04-01")))
        #expect(book.versions.first?.effectiveThrough == day("2026-03-31"))
        #expect(try book.plan(on: day("2026-03-31")).version == 1)
        #expect(try book.plan(on: day("2026-04-01")).version == 2)
        #expect(try book.plan(on: day("2030-01-01")).version == 2)
        let error = try #require(throws: PricingError.self) { try book.plan(on: day("2025-12-31")) }
        #expect(error.code == .noPlanInEffect)
    }

    @Test func overlappingVersionsAreRejected() throws {
        let error = try #require(throws: PricingError.self) {
            try PriceBook(
                product: "id-verify",
                versions: [
                    plan(flat8, through: day("2026-03-31")),
                    plan(flat6, version: 2, from: day("2026-03-15")),
                ]
            )
        }
        #expect(error.code == .overlappingVersions)
        let open = try #require(throws: PricingError.self) {
            try PriceBook(
                product: "id-verify",
                versions: [plan(flat8), plan(flat6, version: 2, from: day("2026-03-15"))]
            )
        }
        #expect(open.code == .overlappingVersions)
        let book = try PriceBook(product: "id-verify", versions: [plan(flat8, from: day("2026-03-01"))])
        let earlier = try #require(throws: PricingError.self) {
            try book.adding(plan(flat6, version: 2, from: day("2026-02-01")))
        }
        #expect(earlier.code == .overlappingVersions)
    }

    @Test func gappedVersionsAreRejected() throws {
        let error = try #require(throws: PricingError.self) {
            try PriceBook(
                product: "id-verify",
                versions: [
                    plan(flat8, through: day("2026-03-31")),
                    plan(flat6, version: 2, from: day("2026-04-02")),
                ]
            )
        }
        #expect(error.code == .gapBetweenVersions)
        let closed = try PriceBook(product: "id-verify", versions: [plan(flat8, through: day("2026-03-31"))])
        #expect(throws: PricingError.self) { try closed.adding(plan(flat6, version: 2, from: day("2026-05-01"))) }
        #expect(throws: Never.self) { try closed.adding(plan(flat6, version: 2, from: day("2026-04-01"))) }
    }

    @Test func aNewVersionNeverChangesAChargeAlreadyMade() throws {
        var book = try PriceBook(product: "id-verify", versions: [plan(flat8)])
        let request = RatingRequest(
            invoiceID: "inv-march",
            subscription: subscription(),
            period: march2026,
            usage: [usage(.call, 100)],
            issuedOn: day("2026-04-01")
        )
        let march = try Rating.rate(request, book: book)
        #expect(march.total == Money(fen: 800))
        book = book.charged(through: march.period.end)
        let retroactive = try #require(throws: PricingError.self) {
            try book.adding(plan(flat6, version: 2, from: day("2026-03-15")))
        }
        #expect(retroactive.code == .retroactiveVersion)
        book = try book.adding(plan(flat6, version: 2, from: day("2026-04-01")))
        // Re-rating March gives the same invoice: March stays on version 1.
        #expect(try Rating.rate(request, book: book) == march)
        var april = request
        april.period = april2026
        april.usage = [usage(.call, 100, period: april2026)]
        #expect(try Rating.rate(april, book: book).total == Money(fen: 600))
    }

    @Test func versionNumbersFollowEachOther() throws {
        let book = try PriceBook(product: "id-verify", versions: [plan(flat8)])
        let error = try #require(throws: PricingError.self) {
            try book.adding(plan(flat6, version: 3, from: day("2026-04-01")))
        }
        #expect(error.code == .invalidPlan)
        #expect(book.nextVersion == 2)
    }
}
