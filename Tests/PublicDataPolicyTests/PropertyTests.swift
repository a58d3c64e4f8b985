import Foundation
import PublicDataPolicy
import PublicDataTesting
import Testing

/// SplitMix64: a tiny deterministic generator, so every run checks the same requests.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Generates varied requests of every decision point from a seed.
struct RequestGenerator {
    var rng: SeededGenerator
    static let fieldNames = ["licenseNo", "companyName", "status", "legalRepresentative", "phone"]
    static let start = CivilDate(year: 2026, month: 1, day: 1) ?? PolicyFixtures.day

    init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

    mutating func bool() -> Bool { Bool.random(using: &rng) }
    /// True three times out of four, to reach permits often enough.
    mutating func likely() -> Bool { Int.random(in: 0..<4, using: &rng) > 0 }
    mutating func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &rng)] }
    mutating func subset(_ values: [String]) -> [String] { values.filter { _ in bool() } }

    mutating func entry(id: CatalogEntryID = "ent-a") -> CatalogEntry {
        let personal = bool()
        let fields = Self.fieldNames.map { name in
            CatalogField(
                name: name,
                personalInformation: personal && (name == "legalRepresentative" || name == "phone")
            )
        }
        return CatalogEntry(
            id: id,
            name: "generated",
            owningDepartment: "dept",
            sharing: pick([.unconditional, .unconditional, .conditional, .notShared]),
            openness: pick(OpenAttribute.allCases),
            grade: pick([.general, .general, .important, .core]),
            containsPersonalInformation: personal,
            fields: bool() ? fields : [],
            source: pick(DataSource.allCases)
        )
    }

    mutating func agreement(entries: [CatalogEntryID], products: [ProductID]) -> AgreementTerms {
        let begin = Self.start.adding(days: Int.random(in: -400...400, using: &rng))
        let scope = entries.filter { _ in Int.random(in: 0..<5, using: &rng) > 0 }.map {
            ScopeItem(entry: $0, fields: likely() ? [] : subset(Self.fieldNames))
        }
        return AgreementTerms(
            id: "agr-g",
            plan: "plan-g",
            implementingAgency: "agency",
            operatorParty: pick(["op-1", "op-1", "op-2"]),
            scope: scope,
            start: begin,
            end: begin.adding(days: Int.random(in: 0...2000, using: &rng)),
            products: bool() ? [] : products.filter { _ in bool() }
        )
    }

    mutating func status() -> AgreementStatus {
        likely() ? .active : pick(AgreementStatus.allCases)
    }

    mutating func day() -> CivilDate { Self.start.adding(days: Int.random(in: -200...2200, using: &rng)) }

    mutating func dataRequest() -> DataAccessRequest {
        let entry = entry(id: pick(["ent-a", "ent-b", "ent-c"]))
        let needed = subset(Self.fieldNames)
        return DataAccessRequest(
            operatorParty: "op-1",
            entry: entry,
            agreement: agreement(entries: ["ent-a", "ent-b", "ent-c"], products: []),
            agreementStatus: status(),
            requestedFields: likely() ? subset(needed) : subset(Self.fieldNames + ["unknown"]),
            neededFields: needed,
            purpose: pick(Purpose.allCases),
            delivery: likely() ? .privacyComputing : pick(DeliveryMethod.allCases),
            anonymized: bool(),
            dataSubjectConsent: bool(),
            providerConsent: likely(),
            day: day()
        )
    }

    mutating func productRelease() -> ProductReleaseRequest {
        let sources = (0..<Int.random(in: 1...3, using: &rng)).map { _ in entry(id: pick(["ent-a", "ent-b", "ent-x"])) }
        let operatorPublishes = bool()
        return ProductReleaseRequest(
            product: "prd-1",
            kind: pick(ProductKind.allCases),
            publisher: operatorPublishes ? "op-1" : "biz-1",
            publisherRole: operatorPublishes
                ? .operator : pick([.businessEntity, .businessEntity, .industryDepartment]),
            operatorParty: "op-1",
            sources: sources,
            containsRawData: !likely(),
            redevelopsDeliveredProduct: !likely(),
            agreement: agreement(entries: ["ent-a", "ent-b"], products: ["prd-1"]),
            agreementStatus: status(),
            anonymized: bool(),
            dataSubjectConsent: bool(),
            day: day()
        )
    }

    mutating func downstream() -> DownstreamScenarioRequest {
        DownstreamScenarioRequest(
            scenario: "scn-1",
            requester: pick(["biz-1", "op-1"]),
            requesterRole: pick([.businessEntity, .businessEntity, .operator, .auditor]),
            operatorParty: "op-1",
            product: "prd-1",
            deliveredProducts: bool() ? ["prd-1"] : [],
            agreement: agreement(entries: ["ent-a"], products: ["prd-1"]),
            agreementStatus: status(),
            meetsOperatorConditions: bool(),
            complianceAssessed: bool(),
            purpose: pick(Purpose.allCases),
            involvesPersonalInformation: bool(),
            anonymized: bool(),
            dataSubjectConsent: bool(),
            day: day()
        )
    }

    mutating func any() -> PolicyRequest {
        switch Int.random(in: 0..<5, using: &rng) {
        case 0: .productRelease(productRelease())
        case 1: .downstreamScenario(downstream())
        case 2:
            .pricing(
                PolicyFixtures.pricing(
                    purpose: pick(Purpose.allCases),
                    chargeRequested: bool(),
                    priceCapApproved: bool()
                )
            )
        default: .dataRequest(dataRequest())
        }
    }
}

struct PropertyTests {
    static let count = 3000
    let policy = Policy.beijingDefault
    let time = PolicyFixtures.time

    @Test func coreGradeDataIsAlwaysDenied() {
        var generator = RequestGenerator(seed: 1)
        var checked = 0
        for _ in 0..<Self.count {
            var request = generator.dataRequest()
            request.entry.grade = .core
            #expect(!policy.evaluate(.dataRequest(request), at: time).isPermit)
            var release = generator.productRelease()
            release.sources.append(generator.entry(id: "ent-a"))
            release.sources[release.sources.count - 1].grade = .core
            #expect(!policy.evaluate(.productRelease(release), at: time).isPermit)
            checked += 2
        }
        #expect(checked == 2 * Self.count)
    }

    @Test func noPermitCarriesRawPersonalInformation() {
        var generator = RequestGenerator(seed: 2)
        var permits = 0
        for _ in 0..<Self.count {
            let request = generator.dataRequest()
            if policy.evaluate(.dataRequest(request), at: time).isPermit {
                permits += 1
                let personal =
                    request.entry.containsPersonalInformation
                    && (request.requestedFields.isEmpty
                        || request.entry.fields.isEmpty
                        || request.entry.fields.contains {
                            $0.personalInformation && request.requestedFields.contains($0.name)
                        })
                #expect(!personal || request.anonymized || request.dataSubjectConsent)
            }
            let release = generator.productRelease()
            if policy.evaluate(.productRelease(release), at: time).isPermit {
                permits += 1
                let personal = release.sources.contains(where: \.containsPersonalInformation)
                #expect(!personal || release.anonymized || release.dataSubjectConsent)
            }
            let scenario = generator.downstream()
            if policy.evaluate(.downstreamScenario(scenario), at: time).isPermit {
                permits += 1
                #expect(!scenario.involvesPersonalInformation || scenario.anonymized || scenario.dataSubjectConsent)
            }
        }
        #expect(permits > 50, "the generator should produce permits too")
    }

    @Test func noPermitOutsideTheAgreementsScopeOrTerm() {
        var generator = RequestGenerator(seed: 3)
        var permits = 0
        for _ in 0..<Self.count {
            let request = generator.dataRequest()
            let decision = policy.evaluate(.dataRequest(request), at: time)
            guard decision.isPermit else { continue }
            permits += 1
            let agreement = request.agreement
            let item = agreement.scopeItem(for: request.entry.id)
            #expect(item != nil)
            if let item, !item.fields.isEmpty {
                #expect(!request.requestedFields.isEmpty)
                #expect(request.requestedFields.allSatisfy { item.fields.contains($0) })
            }
            #expect(agreement.covers(request.day))
            #expect(request.agreementStatus == .active)
            #expect(agreement.operatorParty == request.operatorParty)
            #expect(!decision.obligations.isEmpty)
        }
        var releases = 0
        for _ in 0..<Self.count {
            let release = generator.productRelease()
            guard policy.evaluate(.productRelease(release), at: time).isPermit else { continue }
            releases += 1
            #expect(release.sources.allSatisfy { source in release.agreement.scopeItem(for: source.id) != nil })
            #expect(release.agreement.covers(release.day))
            #expect(release.agreementStatus == .active)
        }
        #expect(permits > 20)
        #expect(releases > 5)
    }

    @Test func evaluationIsDeterministicAndSurvivesAJSONRoundTrip() throws {
        let reloaded = try Policy.load(from: policy.jsonData)
        var first = RequestGenerator(seed: 4)
        var second = RequestGenerator(seed: 4)
        for _ in 0..<Self.count {
            let request = first.any()
            let again = second.any()
            #expect(request == again)
            let decision = policy.evaluate(request, at: time)
            #expect(decision == policy.evaluate(again, at: time))
            #expect(decision == reloaded.evaluate(request, at: time))
            #expect(decision.reasons.isEmpty == false)
            if decision.isPermit { #expect(decision.reasons.allSatisfy { !$0.articles.isEmpty }) }
        }
    }

    @Test func requestsSurviveAJSONRoundTrip() throws {
        var generator = RequestGenerator(seed: 5)
        for _ in 0..<200 {
            let request = generator.any()
            let data = try PublicDataJSON.encode(request)
            #expect(try PublicDataJSON.decode(PolicyRequest.self, from: data) == request)
        }
    }

    @Test func indexedRulesDecideLikeUnindexedOnes() {
        // The same entry-specific rules, once indexable (top-level equality) and once hidden inside "all".
        func rules(indexed: Bool) -> [Rule] {
            ["ent-a", "ent-c"].map { entry in
                let condition = Condition.equals("entry.id", .string(entry))
                return Rule(
                    id: "local.\(entry)",
                    point: .dataRequest,
                    kind: .deny,
                    conditions: [
                        indexed ? condition : .all([condition]), .equals("request.purpose", "sector_development"),
                    ],
                    articles: ["Art. 16"],
                    message: "local restriction"
                )
            }
        }
        let indexed = Policy(id: "i", version: "1") {
            Policy.beijingDefault.rules
            rules(indexed: true)
        }
        let plain = Policy(id: "i", version: "1") {
            Policy.beijingDefault.rules
            rules(indexed: false)
        }
        var generator = RequestGenerator(seed: 6)
        var fired = 0
        for _ in 0..<Self.count {
            let request = PolicyRequest.dataRequest(generator.dataRequest())
            let a = indexed.evaluate(request, at: time)
            var b = plain.evaluate(request, at: time)
            b.policyDigest = a.policyDigest  // the content differs in form only
            #expect(a == b)
            if a.firedRules.contains(where: { $0.hasPrefix("local.") }) { fired += 1 }
        }
        #expect(fired > 10)
    }
}
