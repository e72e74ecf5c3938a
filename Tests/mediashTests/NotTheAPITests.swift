import Foundation
import Testing

/// Issue 31 point 3: a 404 is "no items" or "already gone" only when it is the Media API's own
/// JSON answer. A mistyped endpoint, a proxy's page, a login portal or a redirect ends the run
/// with exit 1 and an error naming the request, the status, the content type and the first bytes
/// (escaped), and nothing is acted on. The real mediash against a real server over loopback.
@Suite(.serialized) struct NotTheAPITests {
    /// What an error about a foreign answer must say, and what it must not let through.
    static func expectForeign(_ run: ProcessResult, status: String, contentType: String, bytes: String,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        let all = run.stderr + run.stdout
        #expect(run.status == 1, "exit 1: \(run.status) \(run.stderr) \(run.stdout)", sourceLocation: sourceLocation)
        #expect(all.contains("not the Media API's answer"), "\(all)", sourceLocation: sourceLocation)
        #expect(all.contains("gave HTTP \(status)"), "\(all)", sourceLocation: sourceLocation)
        #expect(all.contains(contentType), "\(all)", sourceLocation: sourceLocation)
        #expect(all.contains(bytes), "\(all)", sourceLocation: sourceLocation)
        #expect(!all.unicodeScalars.contains { $0 == "\u{1b}" || $0 == "\u{07}" }, "escaped: \(all.debugDescription)", sourceLocation: sourceLocation)
    }

    @Test func aListThatIsNotTheAPIsIsAnErrorNotAnEmptyAccount() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let server = try await ImpostorServer.start()
        let cases: [(manner: String, status: String, type: String, bytes: String)] = [
            ("html404", "404", "'text/html; charset=utf-8'", #"<html><head><title>404 Not Found</title></head><body>\x1B]0;pwned\x07<h1>"#),
            ("text404", "404", "'text/plain'", #"body starting "404 page not found\n""#),
            ("empty404", "404", "Content-Type none", "empty body"),
            ("login", "200", "'text/html'", #"<!DOCTYPE html><html><body><form action=\"/login\">"#),
            ("jsonlogin", "200", "'application/json'", #"{\"error\":\"login required\"}"#),
            ("moved", "302", "redirecting to 'http://127.0.0.2:9/v3/media'", #"<a href=\"http://127.0.0.2:9/v3/media\">"#),
        ]
        for c in cases {
            let count = try await sandbox.mediash(server.flags(c.manner) + ["-c", "list | count"])
            Self.expectForeign(count, status: c.status, contentType: c.type, bytes: c.bytes)
            #expect(count.stdout.isEmpty, "\(c.manner): no count printed: \(count.stdout)")
            #expect(count.stderr.contains("GET \(server.endpoint(c.manner))"), "\(c.manner): names the request: \(count.stderr)")

            let delete = try await sandbox.mediash(server.flags(c.manner) + ["--yes", "-c", "list | delete"])
            Self.expectForeign(delete, status: c.status, contentType: c.type, bytes: c.bytes)
            #expect(!delete.stdout.contains("nothing to do") && !delete.stderr.contains("nothing to do"), "\(delete.stderr)")
        }
        // Nothing but listing was ever asked: the redirect was not followed, nothing was deleted.
        #expect(server.requests.allSatisfy { $0.hasPrefix("GET ") && $0.hasSuffix("/v3/media") }, "\(server.requests)")

        // The API's own "nothing" is still nothing.
        let empty = try await sandbox.mediash(server.flags("api") + ["-c", "list | count"])
        #expect(empty.status == 0, "\(empty.stderr)")
        #expect(empty.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        await server.stop()
    }

    @Test(arguments: ["html404", "login", "moved"])
    func anItemAnswerThatIsNotTheAPIsActsOnNothing(manner: String) async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let server = try await ImpostorServer.start()
        let flags = server.flags("items-" + manner)
        let id = ImpostorServer.itemID
        let folder = sandbox.work.appendingPathComponent("downloads")
        let runs = [
            ("delete", try await sandbox.mediash(flags + ["--yes", "-o", "jsonl", "-c", "list | delete"])),
            ("update", try await sandbox.mediash(flags + ["--yes", "-o", "jsonl", "-c", #"list | update set title="new""#])),
            ("download", try await sandbox.mediash(flags + ["-o", "jsonl", "-c", "list | download to downloads"])),
            ("info", try await sandbox.mediash(flags + ["-c", "info \(id)"])),
        ]
        for (verb, run) in runs {
            let all = run.stderr + run.stdout
            #expect(run.status == 1, "\(manner) \(verb): exit 1: \(run.status) \(all)")
            #expect(all.contains("not the Media API's answer"), "\(manner) \(verb): \(all)")
            #expect(!all.contains("already gone") && !all.contains("\"deleted\"") && !all.contains("\"updated\""), "\(manner) \(verb): \(all)")
            #expect(!all.unicodeScalars.contains { $0 == "\u{1b}" || $0 == "\u{07}" }, "\(manner) \(verb): \(all.debugDescription)")
        }
        let written = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        #expect(written.isEmpty, "no file written from a foreign answer: \(written)")
        await server.stop()
    }

    /// The issue's own case: a real media-server, the endpoint mistyped (`/v3/medi`).
    @Test func aMistypedEndpointOnMediaServerFailsTheRun() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let server = try await MediaServerProcess.start(sandbox: sandbox)
        defer { server.stop() }
        let typo = String(server.endpoint.dropLast())
        #expect(typo.hasSuffix("/v3/medi"))
        let flags = ["--api-key", MediaServerProcess.apiKey, "--api-secret", MediaServerProcess.apiSecret]
        let count = try await sandbox.mediash(["--endpoint", typo] + flags + ["-c", "list | count"])
        #expect(count.status == 1, "\(count.stderr) \(count.stdout)")
        #expect(count.stdout.isEmpty, "\(count.stdout)")
        #expect(count.stderr.contains("not the Media API's answer: GET \(typo) gave HTTP 404"), "\(count.stderr)")
        // The right endpoint, empty account: 0, exit 0.
        let right = try await sandbox.mediash(["--endpoint", server.endpoint] + flags + ["-c", "list | count"])
        #expect(right.status == 0, "\(right.stderr)")
        #expect(right.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }
}
