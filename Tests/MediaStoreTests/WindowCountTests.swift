import Foundation
import MediaAPI
import MediaStore
import Synchronization
import Testing

/// A page's `total` comes from per-second/minute/hour/day counters kept by triggers, not from
/// scanning the window: it must still equal the number of items in the window, whatever the
/// window's edges, after deletes, and at every moment while uploads and deletes run.
@Suite struct WindowCountTests {
    /// Times (ms since 1970) handed out to uploads one by one: the store's clock.
    final class Times: Sendable {
        private let queue: Mutex<[Int64]>
        init(_ times: [Int64]) { queue = Mutex(times) }
        func next() -> Date {
            let ms = queue.withLock { $0.isEmpty ? 0 : $0.removeFirst() }
            return Date(timeIntervalSince1970: Double(ms) / 1000)
        }
    }

    final class Flag: Sendable {
        private let value = Mutex(false)
        var isSet: Bool { value.withLock { $0 } }
        func set() { value.withLock { $0 = true } }
    }

    @Test func theTotalIsExactForWindowsWhoseEdgesCutDaysHoursMinutesAndSeconds() async throws {
        var random = SplitMix64(seed: 16)
        let day: Int64 = 86_400_000
        // Clusters around a day's, an hour's, a minute's and a second's edge, spread over days,
        // some before 1970 (bucket starts are floored, not truncated towards zero).
        var times: [Int64] = []
        let now: Int64 = 1_700_000_000_000
        let bases: [Int64] = [now - now % day, -3 * day, 7 * day + 3_600_000, now + 59_999]
        for base in bases {
            for _ in 0..<30 {
                let offset = Int64(random.next(upTo: 4_000)) - 2_000
                times.append(base + offset)
            }
            for _ in 0..<10 {
                let offset = Int64(random.next(upTo: 4 * Int(day))) - 2 * day
                times.append(base + offset)
            }
        }
        let folder = try TemporaryFolder()
        let clock = Times(times)
        let store = try MediaStore(directory: folder.store, now: { clock.next() })
        var items: [(id: String, ms: Int64)] = []
        for (index, ms) in times.enumerated() {
            let account = index % 5 == 4 ? "other" : "local"
            let item = try await store.service(account: account).uploadFile(folder, "t\(index).txt")
            let created = item.timeCreated.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
            #expect(created == ms)
            if account == "local" { items.append((item.id, ms)) }
        }

        func check(_ label: String) async throws {
            var edges: [Int64] = [-100 * day, 100 * day * 365]
            for item in items { edges += [item.ms - 1, item.ms, item.ms + 1] }
            for _ in 0..<150 {
                let a = edges[random.next(upTo: edges.count)], b = edges[random.next(upTo: edges.count)]
                let (from, to) = (min(a, b), max(a, b))
                let query = MediaQuery(
                    startTime: Date(timeIntervalSince1970: Double(from) / 1000), endTime: Date(timeIntervalSince1970: Double(to) / 1000))
                let page = try await store.page(account: "local", query: query, pageIndex: 0, pageSize: 1)
                let expected = items.filter { (from...to).contains($0.ms) }.count
                #expect(page.total == expected, "\(label): window \(from)…\(to) counted \(page.total), holds \(expected)")
            }
            let open = try await store.page(account: "local", query: MediaQuery(), pageIndex: 0, pageSize: 1)
            #expect(open.total == items.count, "\(label): no bounds")
            // Every page of a few windows, at sizes that leave the last page full, short or empty, and past
            // the end: a page short of full takes its total from itself, the others count.
            for _ in 0..<12 {
                let a = edges[random.next(upTo: edges.count)], b = edges[random.next(upTo: edges.count)]
                let (from, to) = (min(a, b), max(a, b))
                let query = MediaQuery(
                    startTime: Date(timeIntervalSince1970: Double(from) / 1000), endTime: Date(timeIntervalSince1970: Double(to) / 1000))
                let expected = items.filter { (from...to).contains($0.ms) }.count
                for size in [1, 3, 7, max(1, expected), expected + 1] {
                    for index in 0...(expected / size + 2) {
                        let page = try await store.page(account: "local", query: query, pageIndex: index, pageSize: size)
                        #expect(page.total == expected, "\(label): window \(from)…\(to), page \(index) of \(size): \(page.total) ≠ \(expected)")
                        #expect(page.items.count == max(0, min(size, expected - index * size)))
                    }
                }
            }
        }
        try await check("after uploads")
        for _ in 0..<40 {
            let victim = items.remove(at: random.next(upTo: items.count))
            try await store.service(account: "local").delete(id: victim.id)
        }
        try await check("after deletes")
    }

    @Test func everyPageCarriesTheTotalOfItsOwnSnapshotWhileUploadsAndDeletesRun() async throws {
        let folder = try TemporaryFolder()
        let store = try MediaStore(directory: folder.store)
        let service = store.service(account: "local")
        let source = try folder.file("source.txt", Data("x".utf8))
        for _ in 0..<20 { _ = try await service.upload(MediaUpload(source: .file(source))) }
        let finished = Flag()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    for round in 0..<25 {
                        let item = try await service.upload(MediaUpload(source: .file(source)))
                        if (round + writer) % 2 == 0 { try await service.delete(id: item.id) }
                    }
                }
            }
            group.addTask {
                // One page holds every item, so its length is the window's true count at that snapshot.
                var pages = 0
                while !finished.isSet || pages < 5 {
                    let page = try await store.page(account: "local", query: MediaQuery(), pageIndex: 0, pageSize: 10_000)
                    #expect(page.total == page.items.count, "a page of \(page.items.count) items said \(page.total)")
                    pages += 1
                }
            }
            for _ in 0..<4 { try await group.next() }
            finished.set()
            try await group.waitForAll()
        }
        let all = try await service.all()
        let page = try await store.page(account: "local", query: MediaQuery(), pageIndex: 0, pageSize: 1)
        let expected = 20 + 4 * 25 - 50
        #expect(all.count == expected)
        #expect(page.total == all.count)
    }
}
