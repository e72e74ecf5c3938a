import Foundation
import Testing

/// media-server's --config file: a `#` inside quotes belongs to the value (a secret is not cut
/// short), and a file with account secrets that others can read gets a one-line warning.
@Suite struct MediaServerConfigTests {
    private func write(_ text: String, mode: Int, in sandbox: Sandbox) throws -> URL {
        let config = sandbox.root.appendingPathComponent("server.conf")
        try text.write(to: config, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: config.path)
        return config
    }

    @Test("quoted values keep their #; a file others can read gets one warning, and the server starts")
    func quotedHashAndAWarning() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let config = try write(#"""
            # the accounts of the test
            account k:"pa#ss"   # a comment after a quoted part
            account = "k2:x y#z"
            account k3:'it"s#'
            account k4:"q\"#\\"
            """#, mode: 0o644, in: sandbox)
        let errors = sandbox.root.appendingPathComponent("server.err")
        let server = try MediaServerProcess(sandbox: sandbox, extraArguments: ["--config", config.path], errorLog: errors)
        defer { server.stop() }
        for (key, secret) in [("k", "pa#ss"), ("k2", "x y#z"), ("k3", "it\"s#"), ("k4", "q\"#\\")] {
            let count = try sandbox.mediash(["--endpoint", server.endpoint, "--api-key", key, "--api-secret", secret, "-c", "list | count"])
            #expect(count.status == 0, "account \(key) with secret \(secret): \(count.stderr)")
        }
        let warnings = try String(contentsOf: errors, encoding: .utf8).split(separator: "\n").filter { $0.contains("warning") }
        #expect(warnings.count == 1, "\(warnings)")
        let warning = try #require(warnings.first)
        #expect(warning.contains(config.path) && warning.contains("644") && warning.contains("chmod 600"), "\(warning)")
        #expect(!warning.contains("pa#ss"))
    }

    @Test("a file only its owner can read gets no warning")
    func privateFileNoWarning() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let config = try write("account k:secret\n", mode: 0o600, in: sandbox)
        let errors = sandbox.root.appendingPathComponent("server.err")
        let server = try MediaServerProcess(sandbox: sandbox, extraArguments: ["--config", config.path], errorLog: errors)
        defer { server.stop() }
        let count = try sandbox.mediash(["--endpoint", server.endpoint, "--api-key", "k", "--api-secret", "secret", "-c", "list | count"])
        #expect(count.status == 0, "\(count.stderr)")
        // stderr also carries the access log (one JSON line per request): no line may warn.
        let warnings = try String(contentsOf: errors, encoding: .utf8).split(separator: "\n").filter { $0.contains("warning") }
        #expect(warnings.isEmpty, "\(warnings)")
    }

    @Test("a quote left open is an error naming the line, and the server does not start")
    func openQuote() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let config = try write("port 0\naccount k:\"pa#ss\n", mode: 0o600, in: sandbox)
        let errors = sandbox.root.appendingPathComponent("server.err")
        #expect(throws: (any Error).self) {
            _ = try MediaServerProcess(sandbox: sandbox, extraArguments: ["--config", config.path], errorLog: errors)
        }
        let text = try String(contentsOf: errors, encoding: .utf8)
        #expect(text.contains("\(config.path):2:") && text.contains("quote"), "\(text)")
    }
}
