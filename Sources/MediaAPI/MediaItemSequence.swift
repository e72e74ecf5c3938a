import Foundation
import Synchronization

/// A stream of media items fetched page by page, with the next page fetched while the
/// current one is consumed. It fetches nothing past what the consumer takes: dropping the
/// iterator cancels the page in flight, and no page is fetched past `limit` items.
public struct MediaItemSequence: AsyncSequence, Sendable {
    public typealias Element = MediaItem

    private let makeFetch: @Sendable () -> @Sendable () async throws -> [MediaItem]?

    /// Pages from a cursor: `nextPage` gets the current cursor and returns a page and the next
    /// cursor (nil when this was the last page). Pages are fetched one at a time, in order.
    public init<Cursor: Sendable>(
        start: Cursor,
        limit: Int? = nil,
        nextPage: @escaping @Sendable (Cursor) async throws -> (items: [MediaItem], next: Cursor?)
    ) {
        makeFetch = {
            let pager = Pager(cursor: start, limit: limit, nextPage: nextPage)
            return { try await pager.fetch() }
        }
    }

    /// Pages from a source of its own: `makeFetch` is called once per iteration and gives the
    /// function that returns the next page (nil at the end). It is called one page at a time.
    public init(makeFetch: @escaping @Sendable () -> @Sendable () async throws -> [MediaItem]?) {
        self.makeFetch = makeFetch
    }

    /// True, inside a page fetch, while the consumer waits for that page, holding none: a fetch
    /// may then send the request for the page after it before it reads its own (over HTTP,
    /// `Listing` does) and still be no more than one page ahead of the consumer. False elsewhere.
    public static var consumerIsWaiting: Bool { demand?.isTaking ?? false }

    /// The hand-over of the iteration whose page is being fetched (a class: a closure held in a
    /// task-local crashed `swift_task_localValuePush` in a release build).
    @TaskLocal fileprivate static var demand: Handoff?

    /// A sequence over items already in memory.
    public init(_ items: [MediaItem]) {
        self.init(start: true, nextPage: { _ in (items, nil) })
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(prefetcher: Prefetcher(fetch: makeFetch()))
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        fileprivate let prefetcher: Prefetcher
        private var page: [MediaItem] = []
        private var index = 0

        fileprivate init(prefetcher: Prefetcher) {
            self.prefetcher = prefetcher
        }

        public mutating func next() async throws -> MediaItem? {
            try await next(isolation: nil)
        }

        /// Runs where its caller runs (`for try await` passes its isolation): an item of the
        /// page in hand is returned without leaving the caller's executor, so a consumer on an
        /// actor (a program's main code is on the main actor) pays no hop to the global
        /// executor and back per item, only per page. Measured: 3 futex calls an item before.
        public mutating func next(isolation actor: isolated (any Actor)?) async throws -> MediaItem? {
            while true {
                if index < page.count {
                    defer { index += 1 }
                    return page[index]
                }
                guard let next = try await prefetcher.nextPage() else { return nil }
                page = next
                index = 0
            }
        }
    }
}

/// The cursor and count of one iteration. Only ever called by one fetch at a time.
private final class Pager<Cursor: Sendable>: @unchecked Sendable {
    private var cursor: Cursor?
    private var delivered = 0
    private let limit: Int?
    private let nextPage: @Sendable (Cursor) async throws -> (items: [MediaItem], next: Cursor?)

    init(cursor: Cursor, limit: Int?, nextPage: @escaping @Sendable (Cursor) async throws -> (items: [MediaItem], next: Cursor?)) {
        self.cursor = cursor
        self.limit = limit
        self.nextPage = nextPage
    }

    func fetch() async throws -> [MediaItem]? {
        guard let current = cursor else { return nil }
        if let limit, delivered >= limit { return nil }
        try Task.checkCancellation()
        let (items, next) = try await nextPage(current)
        cursor = next
        delivered += items.count
        return items
    }
}

/// Fetches pages ahead in a task of its own, one page past what the consumer holds: page k+1
/// is asked for the moment page k is handed over, by the task that fetched page k, so a
/// consumer that is already waiting costs the next request no wake-up of its own (over HTTP,
/// the next request leaves as soon as a page is read). A page nobody has taken yet holds the
/// fetching back, so at most one page waits beyond the one being consumed. Dropping the
/// iterator cancels the fetch in flight.
private final class Prefetcher: @unchecked Sendable {
    private let handoff = Handoff()
    private let fetch: @Sendable () async throws -> [MediaItem]?
    /// Started by the first `nextPage`, so that making an iterator fetches nothing.
    private var producer: Task<Void, Never>?
    private var finished = false

    init(fetch: @escaping @Sendable () async throws -> [MediaItem]?) {
        self.fetch = fetch
    }

    deinit {
        producer?.cancel()
        handoff.close()
    }

    private func startProducing() -> Task<Void, Never> {
        if let producer { return producer }
        let started = Task { [handoff, fetch] in
            while true {
                let page: Result<[MediaItem]?, any Error>
                do {
                    page = .success(try await MediaItemSequence.$demand.withValue(handoff) { try await fetch() })
                } catch { page = .failure(error) }
                // Hands the page over and waits until it is taken; false when nobody will take it.
                let taken = await handoff.put(page)
                if !taken || (try? page.get()) == nil { return }
            }
        }
        producer = started
        return started
    }

    func nextPage() async throws -> [MediaItem]? {
        if finished { return nil }
        let producer = startProducing()
        let page: [MediaItem]?
        do {
            page = try await withTaskCancellationHandler {
                try await handoff.take()
            } onCancel: { [producer] in
                producer.cancel()
            }
        } catch {
            finished = true
            throw error
        }
        if page == nil { finished = true }
        return page
    }
}

/// One page passing from the fetching task to the consumer: `put` returns once the page is
/// taken (at once when the consumer is already waiting), `take` once there is a page.
private final class Handoff: Sendable {
    typealias Page = Result<[MediaItem]?, any Error>

    private enum State {
        case idle
        /// The consumer waits for a page.
        case taking(CheckedContinuation<[MediaItem]?, any Error>)
        /// A page waits for the consumer; `producer` goes on once it is taken.
        case holding(Page, producer: CheckedContinuation<Bool, Never>)
        /// The iterator is gone: nothing will be taken.
        case closed
    }

    private let state = Mutex(State.idle)

    func put(_ page: Page) async -> Bool {
        await withCheckedContinuation { (producer: CheckedContinuation<Bool, Never>) in
            enum Step { case handTo(CheckedContinuation<[MediaItem]?, any Error>), hold, refuse }
            let step: Step = state.withLock { state in
                switch state {
                case .taking(let consumer):
                    state = .idle
                    return .handTo(consumer)
                case .idle:
                    state = .holding(page, producer: producer)
                    return .hold
                case .holding, .closed:
                    return .refuse
                }
            }
            switch step {
            case .handTo(let consumer):
                consumer.resume(with: page)
                producer.resume(returning: true)
            case .hold: break
            case .refuse: producer.resume(returning: false)
            }
        }
    }

    func take() async throws -> [MediaItem]? {
        try await withCheckedThrowingContinuation { (consumer: CheckedContinuation<[MediaItem]?, any Error>) in
            let held: (Page, CheckedContinuation<Bool, Never>)? = state.withLock { state in
                if case .holding(let page, let producer) = state {
                    state = .idle
                    return (page, producer)
                }
                state = .taking(consumer)
                return nil
            }
            if let (page, producer) = held {
                producer.resume(returning: true)
                consumer.resume(with: page)
            }
        }
    }

    /// The consumer waits for a page (and so holds none).
    var isTaking: Bool {
        state.withLock { state in
            if case .taking = state { return true }
            return false
        }
    }

    /// The iterator is gone: a waiting producer stops, and so does any later one.
    func close() {
        let producer: CheckedContinuation<Bool, Never>? = state.withLock { state in
            defer { state = .closed }
            if case .holding(_, let producer) = state { return producer }
            return nil
        }
        producer?.resume(returning: false)
    }
}
