import Foundation
import Testing

/// media-server's standard error is JSON Lines: the access log, and also a request's own
/// warnings (they once came out in swift-log's text format among the JSON lines, so an
/// operator's log shipper choked on exactly the lines worth reading).
@Suite struct ServerLogTests {
    @Test("a request's warning is a JSON line carrying the request's id, like the access log")
    func warningIsAJSONLine() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let errors = sandbox.root.appendingPathComponent("server.err")
        let server = try await MediaServerProcess.start(sandbox: sandbox, errorLog: errors)
        // An upload by url from a loopback address: refused, and the reason goes to the log only.
        let curl = try RunningProcess(
            executable: URL(fileURLWithPath: "/usr/bin/env"),
            arguments: ["curl", "-sS", "-u", "\(MediaServerProcess.apiKey):\(MediaServerProcess.apiSecret)",
                        "-F", "url=http://127.0.0.1:1/nothing", server.endpoint],
            environment: ProcessInfo.processInfo.environment, directory: sandbox.root, stdin: nil)
        let answer = try await curl.wait(timeout: .seconds(60))
        await server.stopped()
        #expect(answer.stdout.contains("could not be fetched"), "\(answer.stdout) \(answer.stderr)")

        let lines = try String(contentsOf: errors, encoding: .utf8).split(separator: "\n").map(String.init)
        var objects: [[String: String]] = []
        for line in lines {
            let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: String]
            #expect(object != nil, "not a JSON object of strings: \(line)")
            if let object { objects.append(object) }
        }
        let warnings = objects.filter { $0["message"] == "upload by url refused" }
        #expect(warnings.count == 1, "\(lines)")
        let warning = try #require(warnings.first)
        #expect(warning["level"] == "warning" && warning["reason"]?.contains("loopback") == true, "\(warning)")
        // The same request's access-log line has the same id.
        let upload = objects.first { $0["method"] == "POST" && $0["route"] == "/v3/media" }
        #expect(upload?["request_id"] != nil && upload?["request_id"] == warning["hb.request.id"], "\(lines)")
    }
}
