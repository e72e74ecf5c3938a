import AsyncHTTPClient
import Foundation
import MediaAPI
import NIOCore
import NIOHTTP1

/// How a request may be repeated when it fails.
enum Repeatability {
    /// GET, PUT, DELETE: the same request twice has the effect of once.
    case safe
    /// POST: repeated only when it certainly never reached the server (refused connection, 429).
    case onlyIfNotReceived
}

/// A response the operation did not accept, kept so the loop can decide whether to retry it.
struct UnexpectedResponse: Error {
    var status: Int
    var body: ByteBuffer?
    var retryAfter: Double?
    /// `Content-Type` and `Location`, to tell the API's own answers from anyone else's (`APIAnswer`).
    var contentType: String? = nil
    var location: String? = nil
}

/// Asks to run the request again at once, e.g. to restart a download whose partial file the
/// server would not continue; `reason` is the error if no attempts are left.
struct RestartRequest: Error {
    var reason: String
}

extension MediaHTTPClient {
    /// Sends a request, retrying transient failures, and hands the response to `handle`, which
    /// reads the body and returns the result or throws `UnexpectedResponse` for a status it does
    /// not accept. Errors thrown while reading the body (a dropped connection) are retried too.
    /// `attempt` (1-based) lets handlers treat a 404 after a retried DELETE as done.
    func perform<Result: Sendable>(
        _ method: HTTPMethod,
        _ url: String,
        id: String? = nil,
        repeatability: Repeatability = .safe,
        headers: @Sendable () async throws -> HTTPHeaders = { HTTPHeaders() },
        body: @Sendable () throws -> HTTPClientRequest.Body? = { nil },
        handle: @Sendable (HTTPClientResponse, _ attempt: Int) async throws -> Result
    ) async throws -> Result {
        var attempt = 0
        while true {
            attempt += 1
            try Task.checkCancellation()
            var request = HTTPClientRequest(url: url)
            request.method = method
            request.headers = try await headers()
            request.headers.add(name: "Authorization", value: try await authorization())
            request.headers.replaceOrAdd(name: "User-Agent", value: configuration.userAgent)
            request.body = try body()
            counter.withLockedValue { $0 += 1 }

            let failure: any Error
            do {
                let response = try await http.execute(request, deadline: .distantFuture)
                // Most answers are not retried: only those pay for a call that may read a body.
                if Self.isRetryable(response.status.code) {
                    failure = await Self.unexpected(response)
                } else {
                    return try await handle(response, attempt)
                }
            } catch let restart as RestartRequest {
                guard attempt < configuration.maxAttempts else { throw MediaError.transport("\(restart.reason) (\(url))") }
                continue
            } catch let error as UnexpectedResponse {
                throw ServiceErrors.error(error, id: id, method: method, url: url)
            } catch let error as MediaError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                failure = error
            }

            if Task.isCancelled { throw CancellationError() }
            let wait: Duration?
            switch failure {
            case let status as UnexpectedResponse:
                let mayRepeat = repeatability == .safe || status.status == 429
                wait = mayRepeat && attempt < configuration.maxAttempts
                    ? (status.status == 429
                        ? retry.delay(retryAfter: status.retryAfter, afterAttempt: attempt)
                        : retry.backoff(afterAttempt: attempt))
                    : nil
                guard let wait else {
                    throw ServiceErrors.error(status, id: id, method: method, url: url)
                }
                // A bulk action paces all its requests on this; each request alone would only slow itself.
                if status.status == 429 { await RateLimitReporting.listener?.rateLimited(retryAfter: wait.seconds) }
                try await Task.sleep(for: wait)
            default:
                let mayRepeat = repeatability == .safe || ServiceErrors.isConnectionRefused(failure)
                guard mayRepeat, attempt < configuration.maxAttempts else {
                    throw ServiceErrors.transport(failure, url: url)
                }
                try await Task.sleep(for: retry.backoff(afterAttempt: attempt))
            }
        }
    }

    /// 429 and the 5xx answers a retry may get past.
    static func isRetryable(_ status: UInt) -> Bool {
        status == 429 || status == 500 || status == 502 || status == 503 || status == 504
    }

    /// An answer the request did not accept, its body read (64 KiB at most) and wrapped: the
    /// loop retries it when it is retryable, and otherwise it becomes the error.
    static func unexpected(_ response: HTTPClientResponse) async -> UnexpectedResponse {
        let body = try? await response.body.collect(upTo: 64 * 1024)
        return UnexpectedResponse(
            status: Int(response.status.code), body: body,
            retryAfter: RetryPolicy.parseRetryAfter(response.headers.first(name: "Retry-After")),
            contentType: response.headers.first(name: "Content-Type"), location: response.headers.first(name: "Location"))
    }

    /// The body of a response as a buffer, for JSON answers (at most 32 MiB).
    static func collect(_ response: HTTPClientResponse) async throws -> ByteBuffer {
        try await response.body.collect(upTo: 32 * 1024 * 1024)
    }

    /// Throws `UnexpectedResponse` unless the status is one of `accepted`.
    static func expect(_ response: HTTPClientResponse, _ accepted: Set<Int>) async throws {
        let status = Int(response.status.code)
        guard accepted.contains(status) else { throw await unexpected(response) }
    }
}
