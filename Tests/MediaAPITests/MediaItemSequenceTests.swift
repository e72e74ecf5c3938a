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
        // Read to its end: the end comes once the limit is reached (5 items, within the first
        // page), so by then every page the sequence will ever fetch has been fetched.
        let counter = PageCounter()
        var taken = 0
        for try await _ in counter.sequence(pages: 50, perPage: 10, limit: 5) { taken += 1 }
        #expect(taken == 10, "the first page is handed over whole")
        #expect(counter.count.withLock { $0 } == 1)
    }

    @Test(.timeLimit(.minutes(1))) func stoppingEarlyStopsFetching() async throws {
        // Pages 0 and 1 come at once; the page fetched ahead of them (2) says it started, then
        // waits until it is cancelled and says so. Dropping the iterator must cancel it, and
        // nothing past it is asked for.
        enum Event: Equatable { case started(Int), cancelled(Int) }
        let counter = Mutex(0)
        let (events, signal) = AsyncStream<Event>.makeStream()
        let sequence = MediaItemSequence(start: 0) { page -> (items: [MediaItem], next: Int?) in
            counter.withLock { $0 += 1 }
            if page >= 2 {
                signal.yield(.started(page))
                do { try await Task.sleep(for: .seconds(3600)) } catch {
                    signal.yield(.cancelled(page))
                    throw error
                }
            }
            return ((0..<10).map { MediaItem(id: "p\(page)-\($0)") }, page + 1)
        }
        var iterator = sequence.makeAsyncIterator()
        for _ in 0..<15 { _ = try await iterator.next() }
        var seen = events.makeAsyncIterator()
        #expect(await seen.next() == .started(2), "page 2 is fetched ahead while page 1 is consumed")
        _ = consume iterator
        #expect(await seen.next() == .cancelled(2), "the fetch in flight when the iterator was dropped")
        // The two pages consumed, plus the one fetched ahead.
        #expect(counter.withLock { $0 } == 3)
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

    @Test func aConsumerCancelledWhileHoldingAPageEndsWithCancellationNotAHang() async throws {
        // The fetching task has page 2 waiting when the consumer is cancelled: the consumer
        // still gets what was fetched, then CancellationError, and the next page is not waited
        // for forever (a producer that stopped without a word would leave it waiting).
        let counter = PageCounter()
        let consumer = Task { () -> (items: Int, error: (any Error)?) in
            var iterator = counter.sequence(pages: 1000, perPage: 2).makeAsyncIterator()
            var items = 0
            do {
                while try await iterator.next() != nil {
                    items += 1
                    // After page 1, wait until page 2 is fetched (and waits to be taken), then cancel.
                    if items == 1 {
                        while counter.count.withLock({ $0 }) < 2 { await Task.yield() }
                        withUnsafeCurrentTask { $0?.cancel() }
                    }
                }
            } catch {
                return (items, error)
            }
            return (items, nil)
        }
        let (items, error) = await consumer.value
        #expect(error is CancellationError)
        #expect(items <= 4, "page 1 and page 2 at most: \(items) items")
    }

    @Test func theNextPageIsFetchedWhileTheConsumerWorksAndNoFurther() async throws {
        // One page ahead of the consumer: while it holds page 1, page 2 is fetched, and page 3
        // only once page 2 is taken.
        let counter = PageCounter()
        var iterator = counter.sequence(pages: 10, perPage: 1).makeAsyncIterator()
        _ = try await iterator.next()
        while counter.count.withLock({ $0 }) < 2 { await Task.yield() }
        for _ in 0..<1000 { await Task.yield() }
        #expect(counter.count.withLock { $0 } == 2)
        _ = try await iterator.next()
        while counter.count.withLock({ $0 }) < 3 { await Task.yield() }
        #expect(counter.count.withLock { $0 } == 3)
    }
}

/// A serial executor that counts the jobs put on it: each time a task comes back to it.
final class CountingExecutor: SerialExecutor, @unchecked Sendable {
    let jobs = Mutex(0)
    private let queue = DispatchQueue(label: "counting-executor")

    func enqueue(_ job: consuming ExecutorJob) {
        jobs.withLock { $0 += 1 }
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedSerialExecutor()) }
    }
}

/// A consumer on an actor of its own, as a program's main code is on the main actor.
actor CountedConsumer {
    let executor = CountingExecutor()
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    func take(_ items: MediaItemSequence) async throws -> Int {
        var count = 0
        for try await _ in items { count += 1 }
        return count
    }
}

@Suite struct MediaItemSequenceIsolationTests {
    /// Before `next(isolation:)`, every item left the consumer's actor for the global executor
    /// and came back (a job each: 3 futex calls an item in `media-bench list`).
    @Test("a consumer on an actor gets the items of a page without leaving its executor")
    func noHopPerItem() async throws {
        let consumer = CountedConsumer()
        let taken = try await consumer.take(PageCounter().sequence(pages: 2, perPage: 500))
        #expect(taken == 1000)
        let jobs = consumer.executor.jobs.withLock { $0 }
        #expect(jobs < 20, "\(jobs) jobs on the consumer's executor for 1000 items in 2 pages")
    }
}
