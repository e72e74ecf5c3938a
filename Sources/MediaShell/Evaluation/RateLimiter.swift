import Foundation
import MediaAPI

/// Shares one action's pace among its requests: on a rate limit the whole action halves its
/// concurrency and holds new requests for as long as the service asks; clean answers raise the
/// concurrency back one step per round of answers (additive increase, multiplicative decrease).
///
/// Every request, a retried one too, holds a permit while it runs, so a lowered limit bounds
/// what is in flight at once, not only which items start. It hears of rate limits twice over:
/// from the binding while it retries a request by itself (`RateLimitListener`, as
/// MediaHTTPClient does), and from errors the binding gave up on.
actor RateLimiter: RateLimitListener {
    private let maximum: Int
    private(set) var limit: Int
    private var inUse = 0
    private var cleanStreak = 0
    private var pausedUntil: ContinuousClock.Instant?
    private var waiting: [CheckedContinuation<Void, Never>] = []
    /// The longest pause a Retry-After can impose on the action.
    static let longestPause: Duration = .seconds(60)

    init(maximum: Int) {
        self.maximum = max(1, maximum)
        self.limit = max(1, maximum)
    }

    /// Waits until the action is not paused and a permit is free, and takes it.
    func acquire() async throws {
        while true {
            do { try Task.checkCancellation() } catch {
                // A wake-up meant for this request goes to the next one instead.
                wakeOne()
                throw error
            }
            if let until = pausedUntil, until > .now {
                try await Task.sleep(until: until, clock: .continuous)
                continue
            }
            if inUse < limit {
                inUse += 1
                return
            }
            // Every permit taken is given back, and each return wakes one waiting request.
            await withCheckedContinuation { waiting.append($0) }
        }
    }

    func release() {
        inUse -= 1
        wakeOne()
    }

    private func wakeOne() {
        if !waiting.isEmpty { waiting.removeFirst().resume() }
    }

    func rateLimited(retryAfter: Double?) {
        let now = ContinuousClock.now
        // Requests in flight when the first 429 came were sent at the old pace: their 429s,
        // arriving during the pause, are the same signal and do not halve again.
        if pausedUntil.map({ $0 <= now }) ?? true {
            limit = max(1, limit / 2)
        }
        cleanStreak = 0
        let wait = min(Duration.seconds(max(retryAfter ?? 1, 0.01)), Self.longestPause)
        let until = now + wait
        if pausedUntil.map({ $0 < until }) ?? true { pausedUntil = until }
    }

    func succeeded() {
        cleanStreak += 1
        if limit < maximum, cleanStreak >= limit {
            limit += 1
            cleanStreak = 0
            wakeOne()
        }
    }
}
