import Foundation
import Synchronization
import Testing
import MediaAPI

/// Counts page requests so tests can check how much a consumer made the sequence fetch.
final class PageCounter: Sendable {
    let count = Mutex(0)
    func sequence(pages: Int, perPage: Int = 10, limit: Int? = nil, delay: Duration = .zero) -> MediaItemSequence {
        MediaItemSequence(start: 0, limit: limit) { page in
            self.count.withLock { $0 += 1 }
            if delay > .zero { try await Task.sleep(for: delay) }
            let items = (0..<perPage).map { MediaItem(id: "p\(page)-\($0)") }
            return (items, page + 1 < pages ? page + 1 : nil)
        }
    }
}

@Suite struct MediaItemSequenceTests {
    @Test func streamsEveryPageInOrder() async throws {
        var ids: [String] = []
        for try await item in PageCounter().sequence(pages: 3, perPage: 2) { ids.append(item.id) }
        #expect(ids == ["p0-0", "p0-1", "p1-0", "p1-1", "p2-0", "p2-1"])
    }

    @Test func aLimitFetchesNoPagePastIt() async throws {
        let counter = PageCounter()
        var taken = 0
        for try await _ in counter.sequence(pages: 50, perPage: 10, limit: 5) {
            taken += 1
            if taken == 5 { break }
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(counter.count.withLock { $0 } == 1)
    }

    @Test func stoppingEarlyStopsFetching() async throws {
        let counter = PageCounter()
        var iterator = counter.sequence(pages: 1000, perPage: 10, delay: .milliseconds(5)).makeAsyncIterator()
        for _ in 0..<15 { _ = try await iterator.next() }
        _ = consume iterator
        try await Task.sleep(for: .milliseconds(100))
        // The two pages consumed, plus at most the one fetched ahead.
        #expect(counter.count.withLock { $0 } <= 3)
    }

    @Test func anErrorEndsTheSequence() async throws {
        struct Boom: Error {}
        let seq = MediaItemSequence(start: 0) { page -> (items: [MediaItem], next: Int?) in
            if page == 1 { throw Boom() }
            return ([MediaItem(id: "a")], page + 1)
        }
        var iterator = seq.makeAsyncIterator()
        #expect(try await iterator.next()?.id == "a")
        await #expect(throws: Boom.self) { _ = try await iterator.next() }
        #expect(try await iterator.next() == nil)
    }
}
