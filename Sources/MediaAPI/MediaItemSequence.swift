import Foundation

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

/// Holds the page being fetched ahead; cancels it when the iteration is dropped.
private final class Prefetcher: @unchecked Sendable {
    private let fetch: @Sendable () async throws -> [MediaItem]?
    private var pending: Task<[MediaItem]?, any Error>?
    private var finished = false

    init(fetch: @escaping @Sendable () async throws -> [MediaItem]?) {
        self.fetch = fetch
    }

    deinit { pending?.cancel() }

    func nextPage() async throws -> [MediaItem]? {
        if finished { return nil }
        let fetch = self.fetch
        let task = pending ?? Task { try await fetch() }
        pending = nil
        let page: [MediaItem]?
        do {
            page = try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
        } catch {
            finished = true
            throw error
        }
        guard let page else {
            finished = true
            return nil
        }
        pending = Task { try await fetch() }
        return page
    }
}
