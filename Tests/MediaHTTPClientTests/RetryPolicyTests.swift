import Foundation
@testable import MediaHTTPClient
import Testing

@Suite("retry policy")
struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 5, initialBackoff: .milliseconds(100), maxBackoff: .seconds(1), maxRetryAfter: .seconds(60))

    @Test("Retry-After in seconds or as an HTTP date")
    func retryAfter() {
        let now = Date(timeIntervalSince1970: 784_111_777) // Sun, 06 Nov 1994 08:49:37 GMT
        #expect(RetryPolicy.parseRetryAfter("3", now: now) == 3)
        #expect(RetryPolicy.parseRetryAfter("0.5", now: now) == 0.5)
        #expect(RetryPolicy.parseRetryAfter("Sun, 06 Nov 1994 08:49:47 GMT", now: now) == 10)
        #expect(RetryPolicy.parseRetryAfter("Sunday, 06-Nov-94 08:49:42 GMT", now: now) == 5)
        #expect(RetryPolicy.parseRetryAfter("Sun, 06 Nov 1994 08:00:00 GMT", now: now) == 0)
        #expect(RetryPolicy.parseRetryAfter("soon", now: now) == nil)
        #expect(RetryPolicy.parseRetryAfter(nil, now: now) == nil)
        #expect(RetryPolicy.parseRetryAfter("-4", now: now) == nil)
    }

    @Test("backoff grows exponentially with jitter, capped")
    func backoff() {
        for attempt in 1...8 {
            let ceiling = min(0.1 * pow(2, Double(attempt - 1)), 1)
            let wait = policy.backoff(afterAttempt: attempt).seconds
            #expect(wait >= ceiling / 2 - 1e-9 && wait <= ceiling + 1e-9, "attempt \(attempt): \(wait)")
        }
        #expect(policy.delay(retryAfter: 2, afterAttempt: 1) == .seconds(2))
        #expect(policy.delay(retryAfter: 61, afterAttempt: 1) == nil)
    }

    @Test("a hostile Retry-After (1e300, a far date) is declined, never traps")
    func hostileRetryAfter() {
        let huge = RetryPolicy.parseRetryAfter("1e300")
        #expect(huge == 1e300)
        #expect(policy.delay(retryAfter: huge, afterAttempt: 1) == nil)
        #expect(policy.delay(retryAfter: .infinity, afterAttempt: 1) == nil)
        #expect(policy.delay(retryAfter: .nan, afterAttempt: 1) == nil)
        #expect(policy.delay(retryAfter: RetryPolicy.parseRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT"), afterAttempt: 1) == nil)
        #expect(policy.delay(retryAfter: 60, afterAttempt: 1) == .seconds(60))
    }
}
