import MediaAPI
import NIOConcurrencyHelpers

/// Pages handed from the tasks that list them to the one consumer, at most `capacity` waiting
/// and at most `byteBudget` bytes of items (by `approximateBytes`) waiting: a sender waits while
/// either is full, so memory does not grow with the listing, whatever size a server's items are.
/// One page always fits in an empty channel, however large (a page is at most `page_size` items).
///
/// Cancelling a sender closes the channel for every sender (a sender is only cancelled when the
/// whole listing is being torn down); cancelling the receiver ends its wait with CancellationError.
final class PageChannel: @unchecked Sendable {
    private let lock = NIOLock()
    private let capacity: Int
    private let byteBudget: Int
    private var buffer: [(page: [MediaItem], bytes: Int)] = []
    /// The bytes of the pages waiting.
    private var bytesWaiting = 0
    private var head = 0
    private var receiver: CheckedContinuation<[MediaItem]?, any Error>?
    private var receiverCancelled = false
    private var senders: [CheckedContinuation<Void, Never>] = []
    private var closed = false
    /// Set once the senders are done: nil when they finished cleanly.
    private var end: Result<Void, any Error>?

    init(capacity: Int, byteBudget: Int = .max) {
        self.capacity = max(1, capacity)
        self.byteBudget = max(1, byteBudget)
    }

    private var waiting: Int { buffer.count - head }

    /// Whether a page of `bytes` may wait now.
    private func hasRoom(for bytes: Int) -> Bool {
        waiting == 0 || (waiting < capacity && bytesWaiting + bytes <= byteBudget)
    }

    /// The bytes waiting (for tests).
    var bytesBuffered: Int { lock.withLock { bytesWaiting } }

    /// About what an item holds in memory: its text's bytes and a fixed part for the rest.
    static func approximateBytes(_ page: [MediaItem]) -> Int {
        page.reduce(0) { total, item in
            var n = 160 + item.id.utf8.count
            for text in [item.accountID, item.storeID, item.etag, item.mimeType, item.originalFileName, item.title,
                         item.description, item.metadataPrimary, item.metadataSecondary] {
                n += text?.utf8.count ?? 0
            }
            return total + n
        }
    }

    /// Senders waiting for room (for tests, which wait for a sender to be parked).
    var sendersWaiting: Int { lock.withLock { senders.count } }

    /// Hands a page over, waiting while `capacity` pages wait already. Throws CancellationError
    /// once the listing is torn down.
    func send(_ page: [MediaItem]) async throws {
        let bytes = Self.approximateBytes(page)
        while true {
            try Task.checkCancellation()
            enum Step { case done, wait, stop }
            let step: Step = lock.withLock {
                if closed { return .stop }
                if hasRoom(for: bytes) || receiver != nil {
                    if let receiver {
                        self.receiver = nil
                        receiver.resume(returning: page)
                    } else {
                        buffer.append((page, bytes))
                        bytesWaiting += bytes
                    }
                    return .done
                }
                return .wait
            }
            switch step {
            case .done: return
            case .stop: throw CancellationError()
            case .wait:
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                        let resumeNow = lock.withLock {
                            if closed || hasRoom(for: bytes) { return true }
                            senders.append(c)
                            return false
                        }
                        if resumeNow { c.resume() }
                    }
                } onCancel: {
                    close()
                }
            }
        }
    }

    /// Stops every sender: those waiting resume and throw CancellationError.
    func close() {
        let woken: [CheckedContinuation<Void, Never>] = lock.withLock {
            closed = true
            defer { senders = [] }
            return senders
        }
        for s in woken { s.resume() }
    }

    /// The senders are done; the receiver gets the pages still waiting, then nil (or `error`).
    func finish(_ error: (any Error)? = nil) {
        let waiter: CheckedContinuation<[MediaItem]?, any Error>? = lock.withLock {
            if end == nil { end = error.map { .failure($0) } ?? .success(()) }
            guard waiting == 0, let r = receiver else { return nil }
            receiver = nil
            return r
        }
        guard let waiter else { return }
        if let error { waiter.resume(throwing: error) } else { waiter.resume(returning: nil) }
    }

    /// The next page, nil at the end. One receiver, one call at a time.
    func receive() async throws -> [MediaItem]? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<[MediaItem]?, any Error>) in
                enum Answer { case page([MediaItem]), end(Result<Void, any Error>), cancelled, wait }
                var sender: CheckedContinuation<Void, Never>?
                let answer: Answer = lock.withLock {
                    if waiting > 0 {
                        let (page, bytes) = buffer[head]
                        bytesWaiting -= bytes
                        head += 1
                        if head > 64, head * 2 > buffer.count {
                            buffer.removeFirst(head)
                            head = 0
                        }
                        if !senders.isEmpty { sender = senders.removeFirst() }
                        return .page(page)
                    }
                    if let end { return .end(end) }
                    if receiverCancelled { return .cancelled }
                    receiver = c
                    return .wait
                }
                sender?.resume()
                switch answer {
                case .page(let p): c.resume(returning: p)
                case .end(.success): c.resume(returning: nil)
                case .end(.failure(let e)): c.resume(throwing: e)
                case .cancelled: c.resume(throwing: CancellationError())
                case .wait: break
                }
            }
        } onCancel: {
            let waiter: CheckedContinuation<[MediaItem]?, any Error>? = lock.withLock {
                receiverCancelled = true
                defer { receiver = nil }
                return receiver
            }
            waiter?.resume(throwing: CancellationError())
        }
    }
}
