import Foundation

/// When to try a request again and how long to wait first.
struct RetryPolicy: Sendable {
    var maxAttempts: Int
    var initialBackoff: Duration
    var maxBackoff: Duration
    var maxRetryAfter: Duration

    /// Exponential backoff with full jitter: a random wait up to initial × 2^(attempt-1), capped,
    /// so many clients retrying at once do not hit the service in lockstep.
    func backoff(afterAttempt attempt: Int) -> Duration {
        let base = initialBackoff.seconds * pow(2, Double(max(0, attempt - 1)))
        let ceiling = min(base, maxBackoff.seconds)
        return .seconds(Double.random(in: (ceiling / 2)...max(ceiling / 2, ceiling)))
    }

    /// The wait before retrying a 429: the server's Retry-After when it gives one, else the backoff.
    /// Nil when the server asks for longer than we are willing to wait.
    func delay(retryAfter: Double?, afterAttempt attempt: Int) -> Duration? {
        guard let retryAfter else { return backoff(afterAttempt: attempt) }
        // Compared as a number first: a Duration cannot hold the server's `Retry-After: 1e300`.
        guard !retryAfter.isNaN, retryAfter <= maxRetryAfter.seconds else { return nil }
        return .seconds(max(0, retryAfter))
    }

    /// `Retry-After` as seconds from now: either delta-seconds or an HTTP date (RFC 9110 §10.2.3).
    static func parseRetryAfter(_ value: String?, now: Date = Date()) -> Double? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value), seconds.isFinite, seconds >= 0 { return seconds }
        guard let date = httpDate(value) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }

    /// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) and the obsolete RFC 850 and asctime forms.
    static func httpDate(_ text: String) -> Date? {
        let formats = ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"]
        for format in formats {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}

extension Duration {
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
