import Foundation
import Hummingbird
import Logging
import MediaAPI
import NIOConcurrencyHelpers
import Prometheus

/// The server's Prometheus metrics, in a registry of its own (tests run several servers in one process).
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    private static func name(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
    private var requests: MetricNameDescriptor { Self.name("media_http_requests_total", "HTTP requests answered, by method, route and status") }
    private var durations: MetricNameDescriptor { Self.name("media_http_request_duration_seconds", "Time from request to response head, by method and route") }
    private var bytesIn: MetricNameDescriptor { Self.name("media_http_request_bytes_total", "Request body bytes (by Content-Length)") }
    private var bytesOut: MetricNameDescriptor { Self.name("media_http_response_bytes_total", "Response body bytes (by Content-Length)") }

    /// The series one kind of answer counts in: made once, then found by a single lookup (making
    /// them through the registry validated names and labels and hashed them on every request).
    private struct Series: Sendable {
        let requests: Counter
        let durations: DurationHistogram
        let bytesIn: Counter
        let bytesOut: Counter
        let event: Counter?
    }

    /// Method, route pattern and status: a bounded set (methods the server parses, its routes'
    /// patterns or "unmatched", the statuses it answers with), so the table stays small.
    private struct SeriesKey: Hashable, Sendable {
        let method: String
        let route: String
        let status: Int
    }

    private let series = NIOLockedValueBox<[SeriesKey: Series]>([:])

    /// One answered request. `route` is the route's pattern (never the raw path, so a client cannot make up label values).
    func record(method: String, route: String, status: Int, duration: Duration, bytesIn: Int, bytesOut: Int) {
        let key = SeriesKey(method: method, route: route, status: status)
        let found = series.withLockedValue { $0[key] } ?? make(key)
        found.requests.increment()
        found.durations.record(duration)
        found.bytesIn.increment(by: Int64(bytesIn))
        found.bytesOut.increment(by: Int64(bytesOut))
        found.event?.increment()
    }

    /// The series of `key`'s kind of answer, made in the registry (which hands back the one it
    /// has, should two requests make it at once) and kept.
    private func make(_ key: SeriesKey) -> Series {
        let labels = [("method", key.method), ("route", key.route)]
        let event: String? = switch (key.method, key.route) {
        case _ where !(200..<300).contains(key.status): nil
        case ("POST", "/v3/media"): "uploads"
        case ("GET", "/v3/media/{id}"): "downloads"
        case ("DELETE", "/v3/media/{id}"): "deletes"
        default: nil
        }
        let made = Series(
            requests: registry.makeCounter(descriptor: requests, labels: labels + [("status", String(key.status))]),
            durations: registry.makeDurationHistogram(descriptor: durations, labels: labels, buckets: buckets),
            bytesIn: registry.makeCounter(descriptor: self.bytesIn, labels: labels),
            bytesOut: registry.makeCounter(descriptor: self.bytesOut, labels: labels),
            event: event.map { registry.makeCounter(descriptor: Self.name("media_\($0)_total", "Successful \($0)")) })
        series.withLockedValue { $0[key] = made }
        return made
    }

    /// The text exposition, with the store's gauges as they are now.
    func exposition(store: any MediaServerStore) -> [UInt8] {
        for (name, help, value) in store.statistics {
            registry.makeGauge(descriptor: Self.name("media_store_\(name)", help)).set(value)
        }
        return registry.emitToBuffer()
    }
}

/// Just inside RequestIDMiddleware: the request's metrics and one access-log line, under its request id.
struct ObservabilityMiddleware: RouterMiddleware {
    typealias Context = MediaRequestContext
    let metrics: ServerMetrics
    let accessLog: Logger?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            // Below ProblemMiddleware nothing throws; should something, it is still counted and logged.
            response = Response(status: (error as? any HTTPResponseError)?.status ?? .internalServerError)
        }
        let duration = ContinuousClock.now - started
        // The route's pattern; a path no route matched is one label, whatever it was.
        let route = context.endpointPath.flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "unmatched"
        let bytesIn = request.headers[.contentLength].flatMap { Int($0) } ?? 0
        let bytesOut = response.body.contentLength ?? response.headers[.contentLength].flatMap { Int($0) } ?? 0
        metrics.record(method: request.method.rawValue, route: route, status: response.status.code, duration: duration,
                       bytesIn: bytesIn, bytesOut: bytesOut)
        accessLog?.info("request", metadata: [
            "request_id": .string(context.requestID),
            "method": .string(request.method.rawValue),
            "route": .string(route),
            "status": .stringConvertible(response.status.code),
            "duration_ms": .string(Self.milliseconds(duration)),
            "bytes_in": .stringConvertible(bytesIn),
            "bytes_out": .stringConvertible(bytesOut),
            // The API key only (an account's public name), never a secret or a token.
            "account": .string(context.account ?? "-"),
        ])
        return response
    }

    /// `duration` in milliseconds with three decimals (`20.763`), rounded to the microsecond:
    /// by integers, for String(format:) went through Foundation's formatter on every request.
    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        // Clamped at 2^40 s (35,000 years), so no duration can overflow the multiplication.
        let micro = min(max(0, seconds), 1 << 40) * 1_000_000 + (max(0, attoseconds) + 500_000_000_000) / 1_000_000_000_000
        let fraction = String(micro % 1000)
        return "\(micro / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}

/// `/healthz` (the process answers), `/readyz` (its store answers too) and `/metrics`, outside /v3/media and without credentials.
struct ServiceRoutes: Sendable {
    let store: any MediaServerStore
    let metrics: ServerMetrics
    let readinessTimeout: Duration

    func register(on router: Router<MediaRequestContext>) {
        router.get("/healthz") { _, _ in Self.text("ok\n") }
        router.get("/readyz") { _, _ in
            do {
                // A probe wants an answer now: a store that takes longer than this is not ready.
                try await withThrowingTaskGroup(of: Bool.self) { group in
                    group.addTask { try await store.checkReady(); return true }
                    group.addTask { try await Task.sleep(for: readinessTimeout); return false }
                    let ready = try await group.next() ?? false
                    group.cancelAll()
                    if !ready { throw CancellationError() }
                }
                return Self.text("ready\n")
            } catch {
                // Not why: a readiness probe is public.
                return Self.text("not ready: the store does not answer\n", status: .serviceUnavailable)
            }
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition(store: store))))
        }
    }

    static func text(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
