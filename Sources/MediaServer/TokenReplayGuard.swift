import Foundation
import NIOConcurrencyHelpers

/// Remembers the `jti` of every application token this server accepted, until the token expires,
/// so each token is accepted once: a token copied off the wire cannot be sent again.
///
/// Memory is bounded: an entry leaves when its token would be refused anyway (expiry plus the
/// allowed clock skew), and each application holds at most `capacity` live entries. When an
/// application's table is full of live tokens its new tokens get 429 with the time until the
/// oldest entry leaves; other applications are not affected.
final class TokenReplayGuard: Sendable {
    /// Live tokens remembered per application: at 5-minute tokens (mediash's), about 300 requests a second, sustained.
    static let defaultCapacity = 100_000

    enum Verdict: Equatable {
        /// First use: accepted and remembered.
        case fresh
        /// Seen before and not yet expired.
        case replayed
        /// The application's table is full of live tokens; try again after this many seconds.
        case full(retryAfter: TimeInterval)
    }

    let capacity: Int
    private let tables = NIOLockedValueBox<[String: Table]>([:])

    init(capacity: Int = defaultCapacity) {
        self.capacity = max(1, capacity)
    }

    /// Records `jti` of `application`, remembered until `forgetAt`; says whether it was seen before.
    func admit(application: String, jti: String, forgetAt: Date, now: Date) -> Verdict {
        tables.withLockedValue { tables in
            tables[application, default: Table()].admit(jti: jti, forgetAt: forgetAt, now: now, capacity: capacity)
        }
    }

    /// How many tokens are remembered for `application` (expired ones not yet swept included).
    func count(application: String) -> Int {
        tables.withLockedValue { $0[application]?.forgetAt.count ?? 0 }
    }

    private struct Table {
        var forgetAt: [String: Date] = [:]
        /// No entry expires before this, so sweeping earlier frees nothing.
        var nextExpiry: Date = .distantPast

        mutating func admit(jti: String, forgetAt expiry: Date, now: Date, capacity: Int) -> Verdict {
            if let seen = forgetAt[jti], seen > now { return .replayed }
            if forgetAt.count >= capacity, now >= nextExpiry {
                forgetAt = forgetAt.filter { $0.value > now }
                nextExpiry = forgetAt.values.min() ?? .distantPast
            }
            guard forgetAt.count < capacity || forgetAt[jti] != nil else {
                return .full(retryAfter: max(1, nextExpiry.timeIntervalSince(now).rounded(.up)))
            }
            forgetAt[jti] = expiry
            nextExpiry = min(nextExpiry == .distantPast ? expiry : nextExpiry, expiry)
            return .fresh
        }
    }
}
