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
    /// The tables by application; each has a lock of its own, so applications do not wait for each other.
    private let tables = NIOLockedValueBox<[String: NIOLockedValueBox<Table>]>([:])

    init(capacity: Int = defaultCapacity) {
        self.capacity = max(1, capacity)
    }

    /// Records `jti` of `application`, remembered until `forgetAt`; says whether it was seen before.
    /// Costs O(log n) per token, amortised: expired entries leave in order of expiry, each once.
    func admit(application: String, jti: String, forgetAt: Date, now: Date) -> Verdict {
        table(application).withLockedValue { table in
            table.admit(jti: jti, forgetAt: forgetAt, now: now, capacity: capacity)
        }
    }

    /// How many tokens are remembered for `application` (expired ones not yet swept included).
    func count(application: String) -> Int {
        tables.withLockedValue { $0[application] }?.withLockedValue { $0.forgetAt.count } ?? 0
    }

    private func table(_ application: String) -> NIOLockedValueBox<Table> {
        tables.withLockedValue { tables in
            if let table = tables[application] { return table }
            let table = NIOLockedValueBox(Table())
            tables[application] = table
            return table
        }
    }

    struct Table: Sendable {
        var forgetAt: [String: Date] = [:]
        /// Every entry's expiry, soonest first (an entry re-admitted after it expired leaves a stale
        /// one behind, skipped when it comes up).
        var expiries = ExpiryHeap()

        mutating func admit(jti: String, forgetAt expiry: Date, now: Date, capacity: Int) -> Verdict {
            // Entries whose tokens would be refused anyway leave, soonest first: each one once.
            while let soonest = expiries.first, soonest.at <= now {
                expiries.removeFirst()
                if forgetAt[soonest.jti] == soonest.at { forgetAt[soonest.jti] = nil }
            }
            if let seen = forgetAt[jti], seen > now { return .replayed }
            guard forgetAt.count < capacity else {
                let next = expiries.first?.at ?? now
                return .full(retryAfter: max(1, next.timeIntervalSince(now).rounded(.up)))
            }
            forgetAt[jti] = expiry
            expiries.insert((expiry, jti))
            return .fresh
        }
    }
}

/// A binary min-heap of (expiry, jti), soonest expiry first.
struct ExpiryHeap: Sendable {
    private var items: [(at: Date, jti: String)] = []

    var first: (at: Date, jti: String)? { items.first }
    var count: Int { items.count }

    mutating func insert(_ item: (at: Date, jti: String)) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].at < items[parent].at else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func removeFirst() {
        guard !items.isEmpty else { return }
        items.swapAt(0, items.count - 1)
        items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < items.count, items[left].at < items[smallest].at { smallest = left }
            if right < items.count, items[right].at < items[smallest].at { smallest = right }
            guard smallest != parent else { return }
            items.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
