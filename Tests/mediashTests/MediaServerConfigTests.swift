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
    func quotedHashAndAWarning() async throws {
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
        let server = try await MediaServerProcess.start(sandbox: sandbox, extraArguments: ["--config", config.path], errorLog: errors)
        defer { server.stop() }
        for (key, secret) in [("k", "pa#ss"), ("k2", "x y#z"), ("k3", "it\"s#"), ("k4", "q\"#\\")] {
            let count = try await sandbox.mediash(["--endpoint", server.endpoint, "--api-key", key, "--api-secret", secret, "-c", "list | count"])
            #expect(count.status == 0, "account \(key) with secret \(secret): \(count.stderr)")
        }
        let warnings = try String(contentsOf: errors, encoding: .utf8).split(separator: "\n").filter { $0.contains("warning") }
        #expect(warnings.count == 1, "\(warnings)")
        let warning = try #require(warnings.first)
        #expect(warning.contains(config.path) && warning.contains("644") && warning.contains("chmod 600"), "\(warning)")
        #expect(!warning.contains("pa#ss"))
    }

    @Test("a file only its owner can read gets no warning")
    func privateFileNoWarning() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let config = try write("account k:secret\n", mode: 0o600, in: sandbox)
        let errors = sandbox.root.appendingPathComponent("server.err")
        let server = try await MediaServerProcess.start(sandbox: sandbox, extraArguments: ["--config", config.path], errorLog: errors)
        defer { server.stop() }
        let count = try await sandbox.mediash(["--endpoint", server.endpoint, "--api-key", "k", "--api-secret", "secret", "-c", "list | count"])
        #expect(count.status == 0, "\(count.stderr)")
        // stderr also carries the access log (one JSON line per request): no line may warn.
        let warnings = try String(contentsOf: errors, encoding: .utf8).split(separator: "\n").filter { $0.contains("warning") }
        #expect(warnings.isEmpty, "\(warnings)")
    }

    @Test("a quote left open is an error naming the line, and the server does not start")
    func openQuote() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let config = try write("port 0\naccount k:\"pa#ss\n", mode: 0o600, in: sandbox)
        let errors = sandbox.root.appendingPathComponent("server.err")
        await #expect(throws: (any Error).self) {
            _ = try await MediaServerProcess.start(sandbox: sandbox, extraArguments: ["--config", config.path], errorLog: errors)
        }
        let text = try String(contentsOf: errors, encoding: .utf8)
        #expect(text.contains("\(config.path):2:") && text.contains("quote"), "\(text)")
    }

    /// media-server with `arguments` and nothing else, to its end.
    private func mediaServer(_ arguments: [String], in sandbox: Sandbox) async throws -> ProcessResult {
        try await RunningProcess(
            executable: BuiltBinary.url("media-server"), arguments: arguments, environment: ["PATH": "/usr/bin:/bin"],
            directory: sandbox.root, stdin: nil
        ).wait(timeout: .seconds(60))
    }

    @Test("every flag of the command line is also a setting of the file (the list comes from --experimental-dump-help)")
    func everyFlagIsASetting() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let help = try await mediaServer(["--experimental-dump-help"], in: sandbox)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(help.stdout.utf8)) as? [String: Any])
        let arguments = try #require((root["command"] as? [String: Any])?["arguments"] as? [[String: Any]])
        let flags = arguments.flatMap { ($0["names"] as? [[String: Any]]) ?? [] }
            .filter { $0["kind"] as? String == "long" }.compactMap { $0["name"] as? String }
            .filter { !["config", "help", "version", "experimental-dump-help"].contains($0) }
        #expect(flags.count >= 22, "\(flags)")
        #expect(flags.contains("database") && flags.contains("shutdown-timeout"), "\(flags)")
        // Each flag as a line (the values do not matter yet), then one that is no setting: the
        // file is read line by line, so only the last line may be named unknown.
        let lines = flags.map { "\($0) x" } + ["no-such-setting 1"]
        let config = try write(lines.joined(separator: "\n") + "\n", mode: 0o600, in: sandbox)
        let run = try await mediaServer(["--config", config.path], in: sandbox)
        #expect(run.status != 0)
        #expect(run.stderr.contains("\(config.path):\(lines.count): unknown setting 'no-such-setting'"), "\(run.stderr)")
        #expect(!run.stderr.contains("unknown setting '") || run.stderr.components(separatedBy: "unknown setting '").count == 2, "\(run.stderr)")
    }

    @Test("no-access-log in the file leaves the access log out")
    func noAccessLogFromTheFile() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        for quiet in [false, true] {
            let config = try write("account k:secret\n" + (quiet ? "no-access-log\n" : ""), mode: 0o600, in: sandbox)
            let errors = sandbox.root.appendingPathComponent("server-\(quiet).err")
            let server = try await MediaServerProcess.start(sandbox: sandbox, extraArguments: ["--config", config.path], errorLog: errors)
            let count = try await sandbox.mediash(["--endpoint", server.endpoint, "--api-key", "k", "--api-secret", "secret", "-c", "list | count"])
            await server.stopped()
            #expect(count.status == 0, "\(count.stderr)")
            let logged = try String(contentsOf: errors, encoding: .utf8).split(separator: "\n").filter { $0.contains("\"request_id\"") }
            #expect(quiet ? logged.isEmpty : !logged.isEmpty, "no-access-log \(quiet): \(logged)")
            for line in logged { try expectAccessLogLine(String(line)) }
        }
    }

    /// One access-log line: a JSON object of strings with the README's fields, keys in byte order.
    private func expectAccessLogLine(_ line: String) throws {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String], "\(line)")
        for key in ["request_id", "method", "route", "status", "duration_ms", "bytes_in", "bytes_out", "account", "time", "level"] {
            #expect(object[key] != nil, "\(key) missing: \(line)")
        }
        #expect(object["account"] == "k" && object["method"] == "GET" && object["route"] == "/v3/media", "\(line)")
        // UTC with milliseconds, as the API writes times.
        #expect(object["time"]?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(line)")
        #expect(object["duration_ms"]?.wholeMatch(of: /\d+\.\d{3}/) != nil, "\(line)")
        let keys = line.matches(of: /"([a-z_]+)":/).map { String($0.output.1) }
        #expect(keys.count == object.count && keys == keys.sorted(), "keys out of order: \(keys)")
    }

    @Test("database, database-connections and shutdown-timeout come from the file; a database password there is a secret")
    func databaseSettingsFromTheFile() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let database = "database postgresql://media:pass%23word@127.0.0.1:1/media?sslmode=disable\n"
        let connections = try write(database + "database-connections 0\n", mode: 0o644, in: sandbox)
        let run = try await mediaServer(["--config", connections.path, "--port", "0"], in: sandbox)
        #expect(run.status != 0)
        #expect(run.stderr.contains("--database-connections must be between 1 and 1000, not 0"), "\(run.stderr)")
        #expect(run.stderr.contains("warning") && run.stderr.contains("database password") && run.stderr.contains("chmod 600"), "\(run.stderr)")
        #expect(!run.stderr.contains("pass#word") && !run.stderr.contains("pass%23word"), "\(run.stderr)")

        let timeout = try write(database + "shutdown-timeout soon\n", mode: 0o600, in: sandbox)
        let late = try await mediaServer(["--config", timeout.path, "--port", "0"], in: sandbox)
        #expect(late.status != 0)
        #expect(late.stderr.contains("--shutdown-timeout 'soon' is not a duration"), "\(late.stderr)")
        #expect(!late.stderr.contains("warning"), "\(late.stderr)")

        // MEDIA_SERVER_DATABASE_URL wins over the file's database (which here is not even a URL of PostgreSQL).
        let other = try write("database mysql://nobody@127.0.0.1/media\nshutdown-timeout soon\n", mode: 0o600, in: sandbox)
        let fromEnvironment = try await RunningProcess(
            executable: BuiltBinary.url("media-server"), arguments: ["--config", other.path, "--shutdown-timeout", "1s", "--port", "0"],
            environment: ["PATH": "/usr/bin:/bin", "MEDIA_SERVER_DATABASE_URL": "postgresql://media:pw@127.0.0.1:1/media?sslmode=disable"],
            directory: sandbox.root, stdin: nil
        ).wait(timeout: .seconds(120))
        #expect(fromEnvironment.status != 0)
        #expect(fromEnvironment.stderr.contains("cannot open the database") && !fromEnvironment.stderr.contains("mysql"), "\(fromEnvironment.stderr)")

        // The file's database is the store: with --data as well, the two are named.
        let both = try await mediaServer(["--config", timeout.path, "--data", sandbox.root.appendingPathComponent("d").path], in: sandbox)
        #expect(both.status != 0)
        #expect(both.stderr.contains("--data and --database both name a store"), "\(both.stderr)")
    }
}
