import Foundation
@testable import MediaServer
import Testing

/// The replay table: each token once, expired entries leave, and a full table costs a request
/// no more than a few steps (it once swept all 100,000 entries on every request past the first expiry).
@Suite struct TokenReplayGuardTests {
    @Test("a token is accepted once; an expired entry leaves; a full table says when to retry")
    func onceThenForgotten() {
        let replays = TokenReplayGuard(capacity: 2)
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        #expect(replays.admit(application: "a", jti: "1", forgetAt: t0 + 10, now: t0) == .fresh)
        #expect(replays.admit(application: "a", jti: "1", forgetAt: t0 + 10, now: t0 + 1) == .replayed)
        #expect(replays.admit(application: "a", jti: "2", forgetAt: t0 + 20, now: t0 + 1) == .fresh)
        #expect(replays.admit(application: "a", jti: "3", forgetAt: t0 + 30, now: t0 + 2) == .full(retryAfter: 8))
        // Another application has a table of its own.
        #expect(replays.admit(application: "b", jti: "1", forgetAt: t0 + 10, now: t0 + 2) == .fresh)
        // Past the first expiry its entry leaves, and a new token fits.
        #expect(replays.admit(application: "a", jti: "3", forgetAt: t0 + 30, now: t0 + 11) == .fresh)
        #expect(replays.count(application: "a") == 2)
        // The first token, expired, is new again as far as the table goes (its exp refuses it elsewhere).
        #expect(replays.admit(application: "a", jti: "2", forgetAt: t0 + 20, now: t0 + 12) == .replayed)
        #expect(replays.admit(application: "a", jti: "1", forgetAt: t0 + 40, now: t0 + 21) == .fresh)
        #expect(replays.admit(application: "a", jti: "1", forgetAt: t0 + 40, now: t0 + 22) == .replayed)
    }

    @Test("at 100,000 live tokens, 20,000 more requests as the oldest expire one by one take no full sweep each", .timeLimit(.minutes(1)))
    func fullTableStaysCheap() {
        let capacity = 100_000
        let replays = TokenReplayGuard(capacity: capacity)
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        // Tokens expiring a millisecond apart.
        for n in 0..<capacity {
            _ = replays.admit(application: "a", jti: "old-\(n)", forgetAt: t0 + 300 + Double(n) / 1000, now: t0)
        }
        // Each new request comes as one old token expires: the old table swept all 100,000 entries
        // for every one of them (2·10⁹ steps, minutes in a debug build); a heap takes a few each.
        var fresh = 0
        for n in 0..<20_000 {
            let now = t0 + 300 + Double(n) / 1000 + 0.0005
            if replays.admit(application: "a", jti: "new-\(n)", forgetAt: now + 300, now: now) == .fresh { fresh += 1 }
        }
        #expect(fresh == 20_000)
        #expect(replays.count(application: "a") == capacity)
    }
}
