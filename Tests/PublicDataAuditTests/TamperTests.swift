import Foundation
import PublicDataAudit
import Testing

/// Any change to a stored entry is found at exactly its index.
struct TamperTests {
    static let count = 9

    func ledgered() async throws -> (TamperableStore, Ledger, Int) {
        let store = try await Fixtures.store(events: Self.count)
        let ledger = try await Fixtures.ledger(store)
        try await ledger.catchUp()
        return (store, ledger, await ledger.size)
    }

    @Test func untouchedStoreIsOK() async throws {
        let (store, ledger, size) = try await ledgered()
        #expect(try await ledger.verifyStore() == .ok(verifiedSize: size, unledgered: 0))
        _ = try await store.append([Fixtures.event(50)], to: "x", expectedVersion: .any)
        #expect(try await ledger.verifyStore() == .ok(verifiedSize: size, unledgered: 1))
    }

    @Test func everySingleBytePayloadFlipIsFoundAtItsIndex() async throws {
        let (store, ledger, size) = try await ledgered()
        let original = await store.rows
        for index in 0..<size {
            for byte in original[index].payload.indices {
                await store.mutate(index) { event in
                    var bytes = Array(event.payload)
                    bytes[byte] ^= 0x20
                    event.payload = Data(bytes)
                }
                #expect(try await ledger.verifyStore() == .mismatch(index: index), "index \(index) byte \(byte)")
                await store.setRows(original)
            }
        }
        #expect(try await ledger.verifyStore().isOK)
    }

    @Test(arguments: 0..<7)
    func everyFieldChangeIsFoundAtItsIndex(_ field: Int) async throws {
        let (store, ledger, size) = try await ledgered()
        let original = await store.rows
        for index in 0..<size {
            await store.mutate(index) { event in
                switch field {
                case 0: event.type += "x"
                case 1: event.occurredAt = event.occurredAt.addingTimeInterval(0.001)
                case 2: event.actor = event.actor == nil ? Fixtures.clerk : nil
                case 3: event.metadata.causationID = "forged"
                case 4: event.streamVersion += 1
                case 5: event.globalPosition += 1
                default: event.id = EventID(event.id.rawValue + "'")
                }
            }
            let verdict = try await ledger.verifyStore()
            #expect(verdict.firstBadIndex == index, "field \(field) index \(index): \(verdict)")
            #expect(!verdict.isOK)
            await store.setRows(original)
        }
    }

    @Test func truncationIsMissingAtTheFirstLostIndex() async throws {
        let (store, ledger, size) = try await ledgered()
        for kept in [0, 1, size / 2, size - 1] {
            let original = await store.rows
            await store.truncate(to: kept)
            #expect(try await ledger.verifyStore() == .missing(index: kept))
            await store.setRows(original)
        }
    }

    @Test func deletionIsMissingAtItsIndex() async throws {
        let (store, ledger, size) = try await ledgered()
        let original = await store.rows
        for index in 0..<(size - 1) {
            await store.remove(at: index)
            #expect(try await ledger.verifyStore() == .missing(index: index))
            await store.setRows(original)
        }
    }

    @Test func insertionIsExtraAtItsIndex() async throws {
        let (store, ledger, size) = try await ledgered()
        let original = await store.rows
        for index in 0..<size {
            var forged = original[index]
            forged.id = "forged"
            forged.payload = Data("{\"forged\":true}".utf8)
            await store.insert(forged, at: index)
            let verdict = try await ledger.verifyStore()
            #expect(verdict == .extra(index: index), "insert at \(index): \(verdict)")
            await store.setRows(original)
        }
    }

    @Test func reorderingIsFoundAtTheFirstMovedIndex() async throws {
        let (store, ledger, size) = try await ledgered()
        let original = await store.rows
        for i in 0..<size {
            for j in (i + 1)..<size {
                await store.swapRows(i, j)
                let swapped = try await ledger.verifyStore()
                #expect(swapped == .reordered(index: i), "swap \(i) \(j): \(swapped)")
                await store.setRows(original)
                // Swapped contents, positions kept in place.
                var rows = original
                let (pi, pj) = (rows[i].globalPosition, rows[j].globalPosition)
                rows.swapAt(i, j)
                rows[i].globalPosition = pi
                rows[j].globalPosition = pj
                await store.setRows(rows)
                #expect(try await ledger.verifyStore() == .reordered(index: i), "moved \(i) \(j)")
                await store.setRows(original)
            }
        }
    }
}
