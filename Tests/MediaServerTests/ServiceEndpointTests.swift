import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import MediaAPI
import MediaServer
import NIOConcurrencyHelpers
import Testing

/// What an operator runs the server with: health and readiness probes, Prometheus metrics, a
/// request id on every answer and one access-log line per request.
@Suite struct ServiceEndpointTests {
    @Test func healthAndReadinessNeedNoCredentials() async throws {
        // The probe's own 2 s deadline is not what this checks: a loaded CI machine once took longer.
        let server = try TestServer { $0.readinessTimeout = .seconds(120) }
        try await server.test { client in
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok && String(buffer: health.body) == "ok\n")
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .ok && String(buffer: ready.body) == "ready\n")
        }
    }

    @Test func metricsCountRequestsByRouteNotByPath() async throws {
        let server = try TestServer()
        let item = try await server.seed("twelve bytes")
        try await server.test { client in
            _ = try await client.execute(uri: "/v3/media/\(item.id)", method: .get, headers: basic(TestServer.alice))
            _ = try await client.execute(uri: "/v3/media/\(item.id)/info", method: .get, headers: basic(TestServer.alice))
            _ = try await client.execute(uri: "/made-up-\(UUID().uuidString)", method: .get)
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.status == .ok)
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = String(buffer: metrics.body)
            #expect(text.contains(#"media_http_requests_total{method="GET",route="/v3/media/{id}",status="200"} 1"#), "\(text)")
            #expect(text.contains(#"media_http_requests_total{method="GET",route="/v3/media/{id}/info",status="200"} 1"#))
            #expect(text.contains(#"media_http_requests_total{method="GET",route="unmatched",status="404"} 1"#))
            #expect(text.contains(#"media_http_response_bytes_total{method="GET",route="/v3/media/{id}"} 12"#))
            #expect(text.contains("media_downloads_total 1"))
            #expect(text.contains("media_http_request_duration_seconds_bucket"))
            #expect(!text.contains("made-up"), "a made-up path became a label")
            #expect(!text.contains(item.id), "an item id became a label")
        }
    }

    @Test func everyAnswerCarriesARequestIdAndOneAccessLogLine() async throws {
        let server = try TestServer()
        let lines = LogLines()
        let log = Logger(label: "access") { _ in lines }
        let app = buildMediaServer(store: server.store, configuration: server.configuration, accessLog: log)
        try await app.test(.router) { client in
            let mine = try await client.execute(uri: "/v3/media", method: .get, headers: basic(TestServer.alice) + [HTTPFields.Element.Name("X-Request-Id")!: "trace-42.a_b"])
            #expect(mine.headers[HTTPFields.Element.Name("X-Request-Id")!]?.hasPrefix("trace-42.a_b+") == true)
            let hostile = try await client.execute(
                uri: "/v3/media/nope/info", method: .get, headers: basic(TestServer.bob) + [HTTPFields.Element.Name("X-Request-Id")!: "evil\" id=x"])
            let replaced = try #require(hostile.headers[HTTPFields.Element.Name("X-Request-Id")!])
            #expect(replaced != "evil\" id=x" && !replaced.isEmpty)
            let anonymous = try await client.execute(uri: "/v3/media", method: .get)
            #expect(anonymous.headers[HTTPFields.Element.Name("X-Request-Id")!]?.isEmpty == false)
        }
        let events = lines.events
        try #require(events.count == 3)
        #expect(events[0]["request_id"]?.hasPrefix("trace-42.a_b+") == true && events[0]["route"] == "/v3/media" && events[0]["status"] == "200")
        #expect(events[0]["account"] == "alice" && events[0]["method"] == "GET")
        #expect(events[1]["status"] == "404" && events[1]["account"] == "bob" && events[1]["route"] == "/v3/media/{id}/info")
        #expect(events[2]["status"] == "401" && events[2]["account"] == "-")
        for event in events {
            #expect(event["duration_ms"].flatMap(Double.init) != nil)
            #expect(!event.values.contains { $0.contains("secret") }, "a secret reached the access log: \(event)")
        }
    }
}

/// Collects log events' metadata as text.
final class LogLines: LogHandler, @unchecked Sendable {
    private let lock = NIOLock()
    private var stored: [[String: String]] = []
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    var events: [[String: String]] { lock.withLock { stored } }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = (event.metadata ?? [:]).mapValues { "\($0)" }
        lock.withLock { stored.append(fields) }
    }
}

private func + (left: HTTPFields, right: [HTTPFields.Element.Name: String]) -> HTTPFields {
    var fields = left
    for (name, value) in right { fields[name] = value }
    return fields
}
