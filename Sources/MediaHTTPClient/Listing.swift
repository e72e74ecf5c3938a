import AsyncHTTPClient
import Foundation
import MediaAPI
import NIOCore

/// Lists items by moving a time window rather than by page index, which would skip items
/// whenever items before the cursor are deleted meanwhile (`list | delete`).
///
/// Each page asks for the items from the last time seen onwards (a bound that includes that
/// instant, widened by a millisecond for servers that keep finer times than they print), and
/// drops the ids it already delivered near that instant. More items than a page sharing one
/// instant are stepped through by `page_index`, each step checked (see `Anchor`) so that deletes
/// meanwhile cannot shift an item past the pages. Nothing the server says about paging is
/// trusted: `page_size` may be capped, `count` and `_links.next` may be absent, a 404 means
/// nothing matched. The list ends at an empty page, or at a page shorter than one the server
/// already gave in full.
struct Listing: Sendable {
    let client: MediaHTTPClient
    let query: MediaQuery
    /// Whether the consumer is waiting for the page being fetched; tests drive a listing page by
    /// page and say so themselves.
    var consumerIsWaiting: @Sendable () -> Bool = { MediaItemSequence.consumerIsWaiting }

    /// Where the next page starts.
    struct Cursor: Sendable {
        /// `time_created` of the last item delivered; nil before the first page.
        var bound: Date?
        /// Items delivered at (or within a few ms of) the bound, which the next page returns again.
        var nearBound: [String: Date?] = [:]
        /// Normally 0; counts up only while a whole page shares one instant (or has no times).
        var pageIndex = 0
        /// While stepping by index: the last item of the page before, which this page's check finds in place.
        var anchor: Anchor?
        /// Checks failed in a row with no new item delivered since: bounded, for a server whose order drifts.
        var idleRestarts = 0
        /// The most items the server has returned in one page: a shorter page is the last.
        var largestPage = 0
        /// The request for this page, when it was sent before the page before it was read.
        var ahead: Ahead?
    }

    /// The last item of a page taken by index, and its position in the listing's order. Positions
    /// only fall as items are deleted (nothing new gets an instant already past), so when the next
    /// page has been fetched and a one-item request finds this item still at its position, nothing
    /// before it went away in between and no item could slip from the next page into this one.
    /// Found elsewhere (or gone), the instant is walked again from its first page.
    struct Anchor: Sendable {
        let id: String
        let position: Int
    }

    /// Consecutive failed checks with nothing new delivered after which the listing moves on as if
    /// the check held: only a server whose order among equal times is not stable gets this far.
    static let idleRestartLimit = 16

    /// A page asked for ahead: the request for the page after `bound`, already on its way.
    /// Dropped unused (the page read differently than it looked), it is cancelled.
    final class Ahead: Sendable {
        let bound: Date
        let page: Task<(items: [MediaItem], ahead: Ahead?), any Error>

        init(bound: Date, page: Task<(items: [MediaItem], ahead: Ahead?), any Error>) {
            self.bound = bound
            self.page = page
        }

        deinit { page.cancel() }
    }

    /// Times on the wire have millisecond precision; a server may store finer ones.
    static let slack: TimeInterval = 0.001

    func items() -> MediaItemSequence {
        MediaItemSequence(start: Cursor(), limit: query.limit) { cursor in
            try await page(after: cursor, lookingAhead: true)
        }
    }

    var pageSize: Int {
        max(1, min(query.pageSize, query.limit ?? query.pageSize))
    }

    /// `lookingAhead`: while the consumer waits for this page (`MediaItemSequence.consumerIsWaiting`),
    /// the request for the next one is sent as soon as this one's bytes are in, before they are
    /// read: the next page's window starts at the last item's time, which a look at the end of the
    /// bytes finds. It is used only when the page, once read, moves the window exactly there.
    func page(after cursor: Cursor, lookingAhead: Bool = false) async throws -> (items: [MediaItem], next: Cursor?) {
        let (raw, ahead) = try await fetch(cursor, lookingAhead: lookingAhead)
        let fresh = raw.filter { cursor.nearBound[$0.id] == nil && ($0.timeCreated.map(query.contains) ?? true) }

        var next = cursor
        // A request sent ahead serves one page at most: this one (it was used to fetch it) or the next.
        next.ahead = nil
        next.anchor = nil
        // A server that sends more than was asked for cannot make later full pages look short.
        next.largestPage = max(cursor.largestPage, min(raw.count, pageSize))
        next.idleRestarts = fresh.isEmpty ? cursor.idleRestarts : 0
        if let anchor = cursor.anchor, cursor.idleRestarts < Self.idleRestartLimit, try await !holds(anchor, cursor) {
            // Something before this page went away since the page before it: items may have moved
            // from this page into that one. Take this page's new items at the instant, then walk
            // the instant again. Items past it wait for that walk to reach them: remembered now,
            // they would be forgotten when the window moves to a time before them, and listed twice.
            let atInstant = raw.filter { item in
                guard let bound = cursor.bound, let time = item.timeCreated else { return true }
                return abs(time.timeIntervalSince(bound)) <= 2 * Self.slack
            }
            for item in atInstant { next.nearBound[item.id] = item.timeCreated }
            let taken = fresh.filter { next.nearBound[$0.id] != nil }
            next.pageIndex = 0
            next.idleRestarts = taken.isEmpty ? cursor.idleRestarts + 1 : 0
            client.instantRewalks.withLockedValue { $0 += 1 }
            try bounded(next)
            return (taken, next)
        }
        guard !raw.isEmpty else { return ([], nil) }
        let exhausted = raw.count < cursor.largestPage
        if let last = raw.last?.timeCreated, last != cursor.bound {
            // The window moves to the last instant seen; remember only the ids close to it.
            next.bound = last
            next.pageIndex = 0
            next.nearBound = [:]
            for item in (cursor.nearBound.map { ($0.key, $0.value) } + raw.map { ($0.id, $0.timeCreated) }) {
                if let time = item.1, abs(time.timeIntervalSince(last)) <= 2 * Self.slack {
                    next.nearBound[item.0] = time
                }
            }
        } else {
            // The page did not get past the bound's instant (or carries no times): step through
            // that instant by index, the next page checked against this one's last item.
            for item in raw { next.nearBound[item.id] = item.timeCreated }
            if let last = raw.last {
                next.anchor = Anchor(id: last.id, position: cursor.pageIndex * next.largestPage + raw.count - 1)
                next.pageIndex += 1
            }
        }
        if let ahead, !exhausted, next.pageIndex == 0, next.bound == ahead.bound { next.ahead = ahead }
        try bounded(next)
        return (fresh, exhausted ? nil : next)
    }

    /// Fails once the ids kept near the bound pass the configured most (`maxItemsAtOneInstant`): a
    /// server that sends ever more items at one instant (or none with a time) would otherwise make
    /// the listing hold every id it ever sent. No real server stores that many items in one millisecond.
    private func bounded(_ cursor: Cursor) throws {
        let limit = client.configuration.maxItemsAtOneInstant
        guard cursor.nearBound.count > limit else { return }
        let instant = cursor.bound.map { MediaTime.format($0) } ?? "without a time"
        throw MediaError.server(
            status: 200,
            message: "the service listed more than \(limit) items at one instant (\(instant)); mediash keeps the id of each to list it only once, "
                + "and stops rather than keep more: the service is not paging by time_created")
    }

    /// Whether `anchor` is still where the page before found it, asked after this page arrived.
    private func holds(_ anchor: Anchor, _ cursor: Cursor) async throws -> Bool {
        let (items, _) = try await fetch(bound: cursor.bound, pageIndex: anchor.position, pageSize: 1, lookingAhead: nil)
        return items.count == 1 && items.first?.id == anchor.id
    }

    /// One raw page as the server sent it, and the request for the page after it when one was sent ahead.
    private func fetch(_ cursor: Cursor, lookingAhead: Bool) async throws -> (items: [MediaItem], ahead: Ahead?) {
        if let ahead = cursor.ahead, cursor.pageIndex == 0, cursor.bound == ahead.bound {
            return try await withTaskCancellationHandler { try await ahead.page.value } onCancel: { ahead.page.cancel() }
        }
        return try await fetch(bound: cursor.bound, pageIndex: cursor.pageIndex, pageSize: pageSize,
                               lookingAhead: lookingAhead ? (cursor.largestPage > 0 ? cursor.largestPage : pageSize) : nil)
    }

    /// The page after `bound` at `pageIndex`. `lookingAhead` (a page size): when the answer holds
    /// at least that many items and the consumer waits, the request for the page after it is sent first.
    private func fetch(bound: Date?, pageIndex: Int, pageSize: Int, lookingAhead fullPage: Int?) async throws -> (items: [MediaItem], ahead: Ahead?) {
        var start = query.startTime
        var end = query.endTime
        if let bound {
            switch query.order {
            case .descending: end = min(end ?? .distantFuture, bound)
            case .ascending: start = max(start ?? .distantPast, bound)
            }
        }
        // Bounds are widened by the slack (times print floored to the millisecond) and the
        // items outside the query's own bounds are dropped when the page arrives.
        let epoch = Date(timeIntervalSince1970: 0)
        var parameters = [
            ("order", query.order.rawValue),
            ("page_index", String(pageIndex)),
            ("page_size", String(pageSize)),
            // Without a start the API lists only the last 7 days; the contract says every item.
            ("start_time", MediaTime.format(max(epoch, (start ?? epoch).addingTimeInterval(-Self.slack)))),
        ]
        if let end { parameters.append(("end_time", MediaTime.format(end.addingTimeInterval(Self.slack)))) }
        var components = URLComponents()
        components.queryItems = parameters.map { URLQueryItem(name: $0.0, value: $0.1) }
        let url = client.base + "?" + (components.percentEncodedQuery ?? "")

        return try await client.perform(.GET, url, headers: { ["Accept": "application/json"] }) { response, _ in
            if response.status == .notFound {
                // The API's "nothing matched" is its JSON error document; any other 404 (a web
                // server's page for a mistyped path) is not an empty account.
                let answer = await MediaHTTPClient.unexpected(response)
                guard APIAnswer.isProblem(url: url, contentType: answer.contentType, body: answer.body) else {
                    throw APIAnswer.notTheAPI(.GET, url, response, body: answer.body)
                }
                return ([], nil)
            }
            try await MediaHTTPClient.expect(response, [200])
            let body = try await MediaHTTPClient.collect(response)
            let ahead = fullPage.flatMap { lookAhead(in: body, after: bound, fullPage: $0) }
            let items: [MediaItem]
            do {
                items = try MediaPage.items(from: body, atMost: pageSize)
            } catch {
                ahead?.page.cancel()
                // A login or proxy page, or JSON with none of a page's members: not the API's answer.
                if !APIAnswer.isMediaPage(body) { throw APIAnswer.notTheAPI(.GET, url, response, body: body) }
                throw error
            }
            // A page larger than asked for is a protocol error: taken, a server could make one
            // listing hold any number of items (200,000 in one page of 100 held 324 MB).
            guard items.count <= pageSize else {
                ahead?.page.cancel()
                throw MediaError.server(
                    status: 200,
                    message: "the service sent more than \(pageSize) items for a page of page_size=\(pageSize) "
                        + "(\(APIAnswer.request(.GET, url))): a page larger than asked for breaks the Media API's paging; "
                        + "mediash stops rather than keep them")
            }
            return (items, ahead)
        }
    }

    /// Sends the request for the page after this one, before this one is read, when the consumer
    /// waits and the bytes look like a full page: at least `fullPage` items' `"time_created":"`,
    /// the last of which is a time other than `bound` (the window moves there). The look is only
    /// a guess (the item could lack the member, an odd answer could fool it): the page, once read,
    /// decides whether the request is used.
    private func lookAhead(in body: ByteBuffer, after bound: Date?, fullPage: Int) -> Ahead? {
        guard query.limit == nil, consumerIsWaiting(), !Task.isCancelled else { return nil }
        let found: (count: Int, last: String?) = body.withUnsafeReadableBytes { bytes in
            let key = Array(#""time_created":""#.utf8)
            var count = 0
            var lastValue: Range<Int>?
            var i = 0
            while let at = Self.index(of: key, in: bytes, from: i) {
                count += 1
                let start = at + key.count
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: "\""), end - start < 40 { end += 1 }
                lastValue = start..<end
                i = end
            }
            return (count, lastValue.map { String(decoding: bytes[$0], as: UTF8.self) })
        }
        guard found.count >= fullPage, let text = found.last, let last = MediaTime.parse(text), last != bound else { return nil }
        client.pagesAskedAhead.withLockedValue { $0 += 1 }
        let next = Task { try await fetch(bound: last, pageIndex: 0, pageSize: pageSize, lookingAhead: fullPage) }
        return Ahead(bound: last, page: next)
    }

    private static func index(of key: [UInt8], in bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
        guard let first = key.first, bytes.count >= key.count else { return nil }
        var i = from
        while i <= bytes.count - key.count {
            if bytes[i] == first, (1..<key.count).allSatisfy({ bytes[i + $0] == key[$0] }) { return i }
            i += 1
        }
        return nil
    }
}

/// A list answer: HAL `_embedded.media`; `count`, `page_size` and `_links` are not relied on.
struct MediaPage: Decodable {
    var items: [MediaItem]

    /// The items of a list answer: read from the bytes by `ListPageReader` when it can, else
    /// (another shape, an odd value, an error to word) through JSONDecoder, which gives the same items.
    static func items(from body: ByteBuffer, atMost: Int = .max) throws -> [MediaItem] {
        if let items = body.withUnsafeReadableBytes({ ListPageReader.items($0, atMost: atMost) }) { return items }
        return try MediaHTTPClient.decode(MediaPage.self, from: body, what: "media list").items
    }

    private struct Embedded: Decodable {
        var media: [MediaItem]?
    }

    private enum Keys: String, CodingKey {
        case embedded = "_embedded"
        case media
    }

    /// The members of which a list answer has at least one; an object with none (`{}`, a login
    /// service's `{"error": …}`) is not a media page, and is not read as an empty one.
    static let members = ["_embedded", "media", "_links", "count", "page_index", "page_size"]

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let all = try decoder.container(keyedBy: AnyKey.self)
        guard Self.members.contains(where: { all.contains(AnyKey(stringValue: $0)) }) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: [], debugDescription: "not a media page: none of \(Self.members.joined(separator: ", "))"))
        }
        let c = try decoder.container(keyedBy: Keys.self)
        if let embedded = try c.decodeIfPresent(Embedded.self, forKey: .embedded) {
            items = embedded.media ?? []
        } else {
            items = try c.decodeIfPresent([MediaItem].self, forKey: .media) ?? []
        }
    }
}
