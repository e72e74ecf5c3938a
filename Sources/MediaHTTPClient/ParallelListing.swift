import Foundation
import MediaAPI
import NIOConcurrencyHelpers

/// Lists a query as disjoint time windows paged side by side, for a consumer that takes the
/// items in any order (`list | count`, `list | delete`). Paging one window is a chain (page k+1
/// needs page k's last time); N windows make N shorter chains.
///
/// - The range comes from two one-item probes sent at once (the newest and the oldest item),
///   cut into `query.windows` equal windows. The outer two are open-ended, so an item created
///   meanwhile, or older than the oldest seen, still has a window.
/// - Each window is half-open, [lower, upper), paged newest first by `Listing`, which keeps each
///   of its items exactly once even while items are deleted or added.
/// - When a window runs dry, its task takes the older half of what remains of the window with
///   the most time left: an empty window costs a request, and a dense one is split until every
///   task is busy (down to a few milliseconds, below which it is paged alone).
/// - An item counts for the window that holds its time when its page arrives, so a split
///   neither loses nor repeats one. An item without a time counts only in the newest window.
/// - Pages wait in a channel of `2 × windows` pages and `Configuration.listingBufferBytes` bytes
///   at most: memory does not grow with the listing. A page larger than its `page_size` is refused
///   (`Listing`), so each window task holds one page of at most that many items besides.
/// - The server's page cap is learned once for all windows: a page shorter than the longest
///   any window was given ends its window.
struct ParallelListing: Sendable {
    let client: MediaHTTPClient
    let query: MediaQuery

    /// A window is not split when less time than this remains in it.
    static let smallestSplit: TimeInterval = 0.004

    func items() -> MediaItemSequence {
        let client = client, query = query
        return MediaItemSequence(makeFetch: {
            let run = Run(client: client, query: query)
            return { try await run.nextPage() }
        })
    }

    /// One iteration: the tasks start with the first page asked for, and stop when it is dropped.
    private final class Run: @unchecked Sendable {
        let client: MediaHTTPClient
        let query: MediaQuery
        let channel: PageChannel
        private let producer = NIOLockedValueBox<Task<Void, Never>?>(nil)

        init(client: MediaHTTPClient, query: MediaQuery) {
            self.client = client
            self.query = query
            self.channel = PageChannel(capacity: 2 * query.windows, byteBudget: client.configuration.listingBufferBytes)
        }

        deinit {
            producer.withLockedValue { $0?.cancel() }
            channel.close()
        }

        func nextPage() async throws -> [MediaItem]? {
            producer.withLockedValue { task in
                guard task == nil else { return }
                let listing = ParallelListing(client: client, query: query), channel = channel
                task = Task {
                    do {
                        try await listing.produce(into: channel)
                        channel.finish()
                    } catch {
                        channel.finish(error)
                    }
                }
            }
            return try await channel.receive()
        }
    }

    /// Probes the range, then pages the windows into `channel`.
    func produce(into channel: PageChannel) async throws {
        async let newestProbe = probe(.descending)
        async let oldestProbe = probe(.ascending)
        let (newest, oldest) = try await (newestProbe, oldestProbe)
        guard case .time(let hi) = newest, case .time(let lo) = oldest else {
            if case .empty = newest, case .empty = oldest { return }
            // Items without times (or a range that moved under the probes): one window, in order.
            return try await page(Plan(spans: [Span()], newest: .distantFuture, oldest: .distantPast, pageSize: query.pageSize), channel: channel)
        }
        try await page(Plan(windows: query.windows, newest: max(hi, lo), oldest: min(hi, lo), pageSize: query.pageSize), channel: channel)
    }

    enum Probe { case empty, untimed, time(Date) }

    /// The query as one sequential `Listing` pages it: in `order`, no limit, one window.
    private func inOrder(_ order: MediaQuery.Order) -> MediaQuery {
        var q = query
        q.order = order
        q.limit = nil
        q.windows = 1
        return q
    }

    /// The newest (or oldest) item's time, from a one-item page.
    private func probe(_ order: MediaQuery.Order) async throws -> Probe {
        var q = inOrder(order)
        q.pageSize = 1
        q.limit = 1
        let (items, _) = try await Listing(client: client, query: q).page(after: Listing.Cursor())
        guard let first = items.first else { return .empty }
        return first.timeCreated.map { .time($0) } ?? .untimed
    }

    /// Runs one task per window (at most `query.windows`), each taking windows until none is left.
    /// The first task to fail ends the listing: the others are cancelled. (`waitForAll` would wait
    /// for them, and a task waiting to split the failed window, whose pages will never come, would
    /// wait for ever: `list | count` hung on a page that failed for good.)
    private func page(_ plan: Plan, channel: PageChannel) async throws {
        let windows = Windows(plan)
        let tasks = max(1, min(query.windows, plan.spans.count))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<tasks {
                group.addTask { try await self.work(windows, channel: channel) }
            }
            do {
                while try await group.next() != nil {}
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    /// One task: pages a window to its end, then takes another.
    private func work(_ windows: Windows, channel: PageChannel) async throws {
        while let id = try await windows.take() {
            var cursor = Listing.Cursor()
            while true {
                try Task.checkCancellation()
                let (span, largest) = windows.read { ($0.spans[id], $0.largestPage) }
                cursor.largestPage = max(cursor.largestPage, largest)
                var q = inOrder(.descending)
                if let lower = span.lower { q.startTime = max(q.startTime ?? lower, lower) }
                if let upper = span.upper { q.endTime = min(q.endTime ?? upper, upper) }
                if let s = q.startTime, let e = q.endTime, e < s { break }
                let (items, next) = try await Listing(client: client, query: q).page(after: cursor)
                let (kept, more) = windows.arrived(id, items: items, next: next)
                if !kept.isEmpty { try await channel.send(kept) }
                guard more, let next else { break }
                cursor = next
            }
            windows.finished(id)
        }
    }

    /// A window: the items created at or after `lower` and before `upper` (nil: open).
    struct Span {
        var lower: Date?
        var upper: Date?
        /// The newest and the last (oldest) time its pages have shown, and how many items they held.
        var first: Date?
        var reached: Date?
        var seen = 0
        var taken = false
        var done = false

        func holds(_ time: Date?) -> Bool {
            guard let time else { return upper == nil }
            if let lower, time < lower { return false }
            if let upper, time >= upper { return false }
            return true
        }
    }

    /// The windows and who pages them.
    struct Plan {
        var spans: [Span]
        /// The probes' times: where the open ends are taken to be when splitting.
        let newest: Date
        let oldest: Date
        let pageSize: Int
        var largestPage = 0

        init(spans: [Span], newest: Date, oldest: Date, pageSize: Int) {
            self.spans = spans
            self.newest = newest
            self.oldest = oldest
            self.pageSize = pageSize
        }

        /// `windows` equal windows from `oldest` to `newest` (fewer when the range is only a few ms long).
        init(windows: Int, newest: Date, oldest: Date, pageSize: Int) {
            let width = newest.timeIntervalSince(oldest)
            let n = max(1, min(windows, Int(width / ParallelListing.smallestSplit)))
            var spans: [Span] = []
            var lower: Date? = nil
            for k in stride(from: 1, to: n, by: 1) {
                let edge = oldest.addingTimeInterval(width * Double(k) / Double(n))
                guard edge > (lower ?? oldest) else { continue }
                spans.append(Span(lower: lower, upper: edge))
                lower = edge
            }
            spans.append(Span(lower: lower, upper: nil))
            self.init(spans: spans, newest: newest, oldest: oldest, pageSize: pageSize)
        }

        enum Next { case window(Int), wait, finished }

        /// A window not taken yet, else the older half of the window likely to hold the most
        /// items still to come (by the density its pages showed so far), when that is worth
        /// two pages or more; else wait for the next page to know more; else the end.
        mutating func take() -> Next {
            if let id = spans.indices.first(where: { !spans[$0].taken }) {
                spans[id].taken = true
                return .window(id)
            }
            var best: (id: Int, from: Date, to: Date, estimate: Double)?
            for (id, s) in spans.enumerated() where s.taken && !s.done {
                guard let reached = s.reached, let first = s.first, s.seen > 0 else { continue }
                let from = s.lower ?? min(oldest, reached)
                let left = reached.timeIntervalSince(from)
                guard left >= 2 * ParallelListing.smallestSplit else { continue }
                let covered = max(first.timeIntervalSince(reached), ParallelListing.smallestSplit)
                let estimate = Double(s.seen) * left / covered
                guard estimate >= 2 * Double(max(1, largestPage > 0 ? largestPage : pageSize)) else { continue }
                if estimate > (best?.estimate ?? 0) { best = (id, from, reached, estimate) }
            }
            if let best {
                let mid = best.from.addingTimeInterval(best.to.timeIntervalSince(best.from) / 2)
                spans.append(Span(lower: spans[best.id].lower, upper: mid, taken: true))
                spans[best.id].lower = mid
                return .window(spans.count - 1)
            }
            return spans.allSatisfy(\.done) ? .finished : .wait
        }
    }

    /// The plan under a lock, and the tasks waiting for a window to split.
    final class Windows: @unchecked Sendable {
        private let lock = NIOLock()
        private var plan: Plan
        private var idle: [CheckedContinuation<Void, Never>] = []
        private var cancelled = false

        init(_ plan: Plan) { self.plan = plan }

        func read<T>(_ body: (Plan) -> T) -> T { lock.withLock { body(plan) } }

        /// The next window to page; nil when every window is done.
        func take() async throws -> Int? {
            while true {
                try Task.checkCancellation()
                switch lock.withLock({ plan.take() }) {
                case .window(let id): return id
                case .finished: return nil
                case .wait:
                    await withTaskCancellationHandler {
                        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                            // Waits only if nothing changed since `take` looked.
                            let now = lock.withLock {
                                if cancelled { return true }
                                if case .wait = plan.take() {
                                    idle.append(c)
                                    return false
                                }
                                return true
                            }
                            if now { c.resume() }
                        }
                    } onCancel: {
                        wake { $0.cancelled = true }
                    }
                }
            }
        }

        /// A page of window `id` arrived: the items it keeps (those whose time lies in the window
        /// now), and whether to go on (false once the window was split below where the page ended).
        func arrived(_ id: Int, items: [MediaItem], next: Listing.Cursor?) -> (kept: [MediaItem], more: Bool) {
            var result: (kept: [MediaItem], more: Bool) = ([], false)
            wake { w in
                var s = w.plan.spans[id]
                result.kept = items.filter { s.holds($0.timeCreated) }
                if s.first == nil { s.first = items.first?.timeCreated }
                s.seen += items.count
                // How far down the window is done: its pages' last time, or lower when a page
                // (out of order) held an older item, so that no split ever lands above an item
                // already delivered.
                if let oldest = result.kept.compactMap(\.timeCreated).min() { s.reached = min(s.reached ?? oldest, oldest) }
                if let next {
                    w.plan.largestPage = max(w.plan.largestPage, next.largestPage)
                    if let bound = next.bound { s.reached = min(s.reached ?? bound, bound) }
                    result.more = !(s.lower.map { l in next.bound.map { $0 < l } ?? false } ?? false)
                }
                w.plan.spans[id] = s
            }
            return result
        }

        /// Window `id` is done.
        func finished(_ id: Int) {
            wake { $0.plan.spans[id].done = true }
        }

        /// Changes the plan and wakes every waiting task to look again.
        private func wake(_ change: (Windows) -> Void) {
            let woken: [CheckedContinuation<Void, Never>] = lock.withLock {
                change(self)
                defer { idle = [] }
                return idle
            }
            for c in woken { c.resume() }
        }
    }
}
