import Foundation

/// Shares one action's pace among its requests: on a rate limit the whole action halves its
/// concurrency and waits as the service asks; clean answers raise it back step by step.
actor RateLimiter {
    private let maximum: Int
    private(set) var limit: Int
    private var cleanStreak = 0
    private var pausedUntil: Date?

    init(maximum: Int) {
        self.maximum = max(1, maximum)
        self.limit = max(1, maximum)
    }

    func waitIfPaused() async throws {
        while let until = pausedUntil, until > Date() {
            try await Task.sleep(nanoseconds: UInt64(until.timeIntervalSinceNow * 1e9))
        }
    }

    func rateLimited(retryAfter: Double?) {
        limit = max(1, limit / 2)
        cleanStreak = 0
        let wait = min(max(retryAfter ?? 1, 0.05), 60)
        let until = Date().addingTimeInterval(wait)
        if pausedUntil.map({ $0 < until }) ?? true { pausedUntil = until }
    }

    func succeeded() {
        cleanStreak += 1
        if limit < maximum, cleanStreak >= limit {
            limit += 1
            cleanStreak = 0
        }
    }
}
