import Foundation
import MediaAPI
@testable import MediaHTTPClient
import Testing

/// The bounded hand-over between the tasks paging time windows and the listing's consumer.
@Suite("page channel", .timeLimit(.minutes(1)))
struct PageChannelTests {
    static func page(_ n: Int) -> [MediaItem] { [MediaItem(id: "item-\(n)")] }

    @Test("pages come out in the order they went in, then nil once the senders finish")
    func inOrderThenEnd() async throws {
        let channel = PageChannel(capacity: 4)
        for n in 0..<3 { try await channel.send(Self.page(n)) }
        channel.finish()
        var ids: [String] = []
        while let page = try await channel.receive() { ids += page.map(\.id) }
        #expect(ids == ["item-0", "item-1", "item-2"])
    }

    @Test("a sender waits while the channel is full, and goes on when a page is taken")
    func fullChannelWaits() async throws {
        let channel = PageChannel(capacity: 2)
        try await channel.send(Self.page(0))
        try await channel.send(Self.page(1))
        // The third send can only finish once the receiver has taken a page.
        let third = Task { try await channel.send(Self.page(2)) }
        #expect(try await channel.receive()?.first?.id == "item-0")
        try await third.value
        channel.finish()
        #expect(try await channel.receive()?.first?.id == "item-1")
        #expect(try await channel.receive()?.first?.id == "item-2")
        #expect(try await channel.receive() == nil)
    }

    @Test("closing wakes a sender waiting on a full channel with CancellationError")
    func closeWakesSenders() async throws {
        let channel = PageChannel(capacity: 1)
        try await channel.send(Self.page(0))
        let blocked = Task { try await channel.send(Self.page(1)) }
        while channel.sendersWaiting == 0 { await Task.yield() }
        channel.close()
        await #expect(throws: CancellationError.self) { try await blocked.value }
    }

    @Test("an error the senders finish with reaches the receiver after the pages before it")
    func errorAfterPages() async throws {
        let channel = PageChannel(capacity: 2)
        try await channel.send(Self.page(0))
        channel.finish(MediaError.transport("broken"))
        #expect(try await channel.receive()?.first?.id == "item-0")
        await #expect(throws: MediaError.self) { _ = try await channel.receive() }
    }

    @Test("a receiver waiting for a page is cancelled with its task")
    func receiverCancelled() async throws {
        let channel = PageChannel(capacity: 1)
        let waiting = Task { try await channel.receive() }
        waiting.cancel()
        await #expect(throws: CancellationError.self) { _ = try await waiting.value }
    }

    @Test("pages wait within the byte budget: a sender of big pages waits although pages would fit")
    func byteBudgetBoundsWhatWaits() async throws {
        // Pages of 10 items with 10 KB titles: about 100 KB each; budget 250 KB, capacity 100 pages.
        func big(_ n: Int) -> [MediaItem] {
            (0..<10).map { var item = MediaItem(id: "big-\(n)-\($0)"); item.title = String(repeating: "x", count: 10_000); return item }
        }
        let size = PageChannel.approximateBytes(big(0))
        #expect(size > 100_000)
        let channel = PageChannel(capacity: 100, byteBudget: 250_000)
        let sender = Task {
            for n in 0..<20 { try await channel.send(big(n)) }
            channel.finish()
        }
        // The sender parks once the budget is spent, with two pages waiting, not a hundred.
        while channel.sendersWaiting == 0 { await Task.yield() }
        #expect(channel.bytesBuffered == 2 * size)
        var received = 0
        while let page = try await channel.receive() {
            received += 1
            #expect(page.count == 10)
            #expect(channel.bytesBuffered <= 250_000)
        }
        try await sender.value
        #expect(received == 20)
        // One page larger than the whole budget still passes through an empty channel.
        let small = PageChannel(capacity: 4, byteBudget: 1)
        try await small.send(big(0))
        small.finish()
        #expect(try await small.receive()?.count == 10)
    }
}
