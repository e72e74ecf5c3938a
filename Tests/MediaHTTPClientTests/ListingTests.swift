import Foundation
import MediaAPI
@testable import MediaHTTPClient
import MediaServer
import MediaStore
import Testing

/// Paging through what a real server sends: capped pages, deletes while listing, early stops.
@Suite("listing over HTTP")
struct ListingTests {
    /// Puts `count` small items straight into the server's store (no HTTP requests counted).
    static func seed(_ count: Int, into server: LiveServer) async throws -> [MediaItem] {
        let file = try server.file("seed.bin", size: 10)
        var items: [MediaItem] = []
        for index in 0..<count {
            items.append(try await server.account.upload(MediaUpload(source: .file(file), fileName: "item-\(index).bin")))
        }
        return items
    }

    @Test("a server capping pages at 100 still lists all 250 items, in 3 requests")
    func cappedPages() async throws {
        try await withLiveServer({ $0.maxPageSize = 100 }) { server in
            let seeded = try await Self.seed(250, into: server)
            var listed: [MediaItem] = []
            for try await item in server.client.list(MediaQuery(pageSize: 1000)) { listed.append(item) }
            #expect(listed.count == 250)
            #expect(Set(listed.map(\.id)) == Set(seeded.map(\.id)))
            #expect(listed.compactMap(\.timeCreated) == listed.compactMap(\.timeCreated).sorted(by: >))
            // 100 + 100 + a short last page; nothing trusted but the items themselves.
            #expect(server.client.requestsSent == 3)
        }
    }

    @Test("list | delete of 250 items with pages capped at 100 deletes all 250", arguments: MediaQuery.Order.allCases)
    func listAndDelete(order: MediaQuery.Order) async throws {
        try await withLiveServer({ $0.maxPageSize = 100 }) { server in
            _ = try await Self.seed(250, into: server)
            var deleted = 0
            for try await item in server.client.list(MediaQuery(order: order, pageSize: 1000)) {
                try await server.client.delete(id: item.id)
                deleted += 1
            }
            #expect(deleted == 250)
            var left = 0
            for try await _ in server.account.list(MediaQuery()) { left += 1 }
            #expect(left == 0)
            let listRequests = server.client.requestsSent - 250
            #expect(listRequests >= 3 && listRequests <= 5, "listed in \(listRequests) requests")
        }
    }

    @Test("first 5 costs one request")
    func firstFive() async throws {
        try await withLiveServer { server in
            _ = try await Self.seed(30, into: server)
            let client = try MediaHTTPClient(endpoint: server.endpoint, credentials: .apiKey(key: LiveServer.apiKey, secret: LiveServer.apiSecret))
            var taken: [MediaItem] = []
            for try await item in client.list(MediaQuery(pageSize: 100, limit: 5)) {
                taken.append(item)
                if taken.count == 5 { break }
            }
            // Shutting the client down ends whatever it still had under way; the count is final.
            try await client.shutdown()
            #expect(taken.count == 5)
            #expect(client.requestsSent == 1)
        }
    }

    @Test("a listing stopped early fetches at most one page ahead, and nothing once its client is shut down")
    func stopsFetching() async throws {
        try await withLiveServer { server in
            _ = try await Self.seed(30, into: server)
            // A client of its own, so only this listing's requests are counted.
            let client = try MediaHTTPClient(endpoint: server.endpoint, credentials: .apiKey(key: LiveServer.apiKey, secret: LiveServer.apiSecret))
            var taken = 0
            for try await _ in client.list(MediaQuery(pageSize: 3)) {
                taken += 1
                if taken == 4 { break }
            }
            // Shutting the client down ends whatever it still had under way; the count is final.
            try await client.shutdown()
            #expect(taken == 4)
            // Pages 1 and 2 were consumed; page 3 may have been asked for ahead; not one more.
            #expect((2...3).contains(client.requestsSent), "a listing stopped after 4 of 30 items sent \(client.requestsSent) requests")
        }
    }

    /// A store in `folder` whose clock stands still, holding `count` items: every one has the same
    /// time_created (2023-11-14T22:13:20.000Z), as a server that sends ever more ids at one instant looks.
    static func oneInstant(_ count: Int, in folder: URL) async throws -> (store: MediaStore, ids: Set<String>) {
        let instant = Date(timeIntervalSince1970: 1_700_000_000)
        let store = try MediaStore(directory: folder, now: { instant })
        let file = folder.appendingPathComponent("x.bin")
        try Data("x".utf8).write(to: file)
        var ids: Set<String> = []
        for _ in 0..<count { ids.insert(try await store.service(account: LiveServer.apiKey).upload(MediaUpload(source: .file(file))).id) }
        return (store, ids)
    }

    @Test("items sharing one instant, more than a page of them, are all listed once")
    func sharedInstant() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("shared-instant-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (store, ids) = try await Self.oneInstant(25, in: folder)
        try await withLiveServer(store: store, { $0.maxPageSize = 10 }) { server in
            var listed: [String] = []
            for try await item in server.client.list(MediaQuery(pageSize: 10)) { listed.append(item.id) }
            #expect(listed.count == 25)
            #expect(Set(listed) == ids)
        }
    }

    @Test("more items at one instant than the client keeps ids for fail the listing with the reason, each item listed once until then")
    func endlessInstant() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("endless-instant-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (store, _) = try await Self.oneInstant(45, in: folder)
        for (limit, fails) in [(20, true), (45, false)] {
            var configuration = MediaHTTPClient.Configuration.forTests
            configuration.maxItemsAtOneInstant = limit
            try await withLiveServer(store: store, client: configuration, { $0.maxPageSize = 10 }) { server in
                var listed: [String] = []
                let error = await mediaError {
                    for try await item in server.client.list(MediaQuery(pageSize: 10)) { listed.append(item.id) }
                }
                #expect(Set(listed).count == listed.count, "an item listed twice")
                if fails {
                    guard case .server(_, let message) = error else {
                        Issue.record("expected the listing to fail, got \(String(describing: error)) after \(listed.count) items")
                        return
                    }
                    #expect(message.contains("more than 20 items at one instant (2023-11-14T22:13:20.000Z)"), "\(message)")
                    // The ids kept stay within the limit and one page: the listing stops at the page that passes it.
                    #expect(listed.count <= limit + 10, "\(listed.count) listed")
                } else {
                    #expect(error == nil)
                    #expect(listed.count == 45)
                }
            }
        }
    }

    /// What `list | delete` does with pages fetched ahead: the consumer deletes the pages it was
    /// given a page or a few behind the listing. Driven page by page here, so the deletes land
    /// between two pages of one instant every time, not when the scheduler happens to put them there.
    @Test("deletes between the pages of one shared instant skip nothing, with pages asked for ahead or not",
          arguments: MediaQuery.Order.allCases, [(1, false), (2, false), (3, false), (1, true), (2, true), (3, true)])
    func sharedInstantUnderDeletes(order: MediaQuery.Order, lagAndAhead: (Int, Bool)) async throws {
        let (lag, ahead) = lagAndAhead
        let clock = ParallelListingTests.Clock()
        try await ParallelListingTests.withClockedServer(clock, { $0.maxPageSize = 5 }) { server in
            let base = Date(timeIntervalSince1970: 1_790_000_000)
            let times = (0..<3).map { base.addingTimeInterval(Double($0)) }
                + Array(repeating: base.addingTimeInterval(10.5), count: 30)
                + (0..<3).map { base.addingTimeInterval(20 + Double($0)) }
            let seeded = try await ParallelListingTests.seed(times, clock: clock, into: server)
            var listing = Listing(client: server.client, query: MediaQuery(order: order, pageSize: 5))
            // As if the consumer always waited: every full page sends the next page's request early.
            listing.consumerIsWaiting = { ahead }
            var cursor: Listing.Cursor? = Listing.Cursor()
            var listed: [String] = []
            var behind: [[MediaItem]] = []
            var pages = 0
            while let current = cursor, pages < 300 {
                let (items, next) = try await listing.page(after: current, lookingAhead: ahead)
                listed += items.map(\.id)
                behind.append(items)
                if behind.count > lag {
                    for item in behind.removeFirst() { try await server.client.delete(id: item.id) }
                }
                cursor = next
                pages += 1
            }
            #expect(cursor == nil, "the listing ended")
            #expect(listed.count == Set(listed).count, "no item twice")
            let skipped = Set(seeded.map(\.id)).subtracting(listed)
            #expect(skipped.isEmpty, "\(skipped.count) of \(seeded.count) items skipped")
            #expect(server.client.instantRewalks.withLockedValue { $0 } > 0, "the deletes did land between pages")
            if ahead { #expect(server.client.pagesAskedAhead.withLockedValue { $0 } > 0, "pages were asked for ahead") }
        }
    }

    @Test("the older camelCase shape with epoch-millisecond times reads the same")
    func legacyShape() async throws {
        try await withLiveServer({ $0.legacyShape = true }) { server in
            let file = try server.file("a.wav", size: 1234)
            let uploaded = try await server.client.upload(MediaUpload(
                source: .file(file), info: MediaUpdate(title: "Old", mimeType: "audio/wav", isPublic: true, maxDownloadsAllowed: 4)))
            _ = try await Self.seed(12, into: server)
            let stored = try await server.account.info(id: uploaded.id)
            #expect(uploaded == stored)
            #expect(try await server.client.info(id: uploaded.id) == stored)
            var listed: [MediaItem] = []
            for try await item in server.client.list(MediaQuery(order: .ascending, pageSize: 5)) { listed.append(item) }
            #expect(listed.count == 13)
            #expect(listed.first == stored)
        }
    }

    /// Issue 31 point 3: a 404 from a path that is not the API's list is not "nothing matched"
    /// (it was, and a mistyped endpoint listed an empty account). The API's own 404 on its list
    /// route still is: `APIAnswerTests.theAPIsOwn404StillMeansNothing`.
    @Test("a 404 from a path that is not the API's list is an error, not nothing")
    func notFoundList() async throws {
        try await withLiveServer { server in
            let elsewhere = try MediaHTTPClient(
                endpoint: URL(string: "http://127.0.0.1:\(server.port)/v3/no-such-collection")!,
                credentials: .apiKey(key: LiveServer.apiKey, secret: LiveServer.apiSecret))
            var count = 0
            let outcome = await mediaError { for try await _ in elsewhere.list(MediaQuery()) { count += 1 } }
            try await elsewhere.shutdown()
            let text = outcome.map { "\($0)" } ?? "no error"
            #expect(text.contains("not the Media API's answer") && text.contains("/v3/no-such-collection") && text.contains("HTTP 404"), "\(text)")
            #expect(count == 0)
        }
    }
}

