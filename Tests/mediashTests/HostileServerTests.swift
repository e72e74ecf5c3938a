import Foundation
import Testing

/// The real mediash against a server that lies (HostileServer): nothing it sends may write
/// outside the download folder, crash the shell, or steer the terminal.
@Suite(.serialized) struct HostileServerTests {
    static let etag = "\"etag\":\"00000000000000000000000000000000\",\"media_size\":16"

    @Test func downloadWritesOnlyPlainFilesInsideItsFolder() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let victim = sandbox.work.appendingPathComponent("victim")
        let media = victim.appendingPathComponent("media")
        let hooks = victim.appendingPathComponent(".git/hooks")
        for folder in [media, hooks] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        // Planted in the folder by someone else: links to a file outside it, one where the
        // download would go and one where its partial file would (a resumed download appends).
        let outside = sandbox.root.appendingPathComponent("outside-target.txt")
        try Data("ORIGINAL\n".utf8).write(to: outside)
        try FileManager.default.createSymbolicLink(atPath: media.appendingPathComponent("planted.wav").path, withDestinationPath: outside.path)
        try FileManager.default.createSymbolicLink(atPath: media.appendingPathComponent("resume.wav.partial").path, withDestinationPath: outside.path)

        let long = String(repeating: "a", count: 300) + ".wav"
        let items = [
            #"{"id":"../.git/hooks/pre-commit","original_file_name":"..","#,
            #"{"id":"../../escape-2","original_file_name":"","#,
            #"{"id":"../escape-3","original_file_name":".","#,
            #"{"id":"win","original_file_name":"..\\..\\win.wav","#,
            #"{"id":"ctl","original_file_name":"a\u001b]0;x\u0007\r.wav","#,
            #"{"id":"nul","original_file_name":"nul\u0000.wav","#,
            #"{"id":"long","original_file_name":"\#(long)","#,
            #"{"id":"dot","original_file_name":".bashrc","#,
            #"{"id":"bidi","original_file_name":"invoice\u202Efdp.exe","#,
            #"{"id":"link","original_file_name":"planted.wav","#,
            #"{"id":"resume","original_file_name":"resume.wav","#,
        ].map { $0 + Self.etag + "}" }
        let server = try await HostileServer.start(items: items)
        let state = sandbox.root.appendingPathComponent("state")
        let before = snapshot(of: sandbox.root, excluding: [media, state])

        let run = try await sandbox.mediash(server.flags + ["-o", "json", "-c", "list | download to victim/media"])
        await server.stop()

        #expect(snapshot(of: sandbox.root, excluding: [media, state]) == before, "nothing outside the folder changed")
        #expect(try String(contentsOf: outside, encoding: .utf8) == "ORIGINAL\n")
        #expect(!FileManager.default.fileExists(atPath: hooks.appendingPathComponent("pre-commit").path))
        #expect(run.status == 0, "\(run.stderr) \(run.stdout)")
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: media.path))
        let expected: Set<String> = [
            "_.._.git_hooks_pre-commit", "_.._.._escape-2", "_.._escape-3", "_.._.._win.wav", "a_]0;x__.wav", "nul_.wav",
            String(repeating: "a", count: 196) + ".wav", "_.bashrc", "invoice_fdp.exe", "planted (2).wav", "resume (2).wav",
            // The planted links, left as they were.
            "planted.wav", "resume.wav.partial",
        ]
        #expect(names == expected, "\(names.subtracting(expected)) \(expected.subtracting(names))")
        for name in expected.intersection(names) where !name.hasPrefix("planted.") && !name.hasPrefix("resume.") {
            #expect(try String(contentsOf: media.appendingPathComponent(name), encoding: .utf8) == "HOSTILE CONTENT\n", "\(name)")
        }
    }

    @Test(arguments: [
        (#"{"id":"t1","time_created":1e300}"#, "time_created"),
        (#"{"id":"t2","time_last_updated":"99999-01-01T00:00:00Z"}"#, "time_last_updated"),
        (#"{"id":"t3","timeCreated":-1e300}"#, "timeCreated"),
        (#"{"id":"s1","media_size":1e300}"#, "media_size"),
        (#"{"id":"s2","media_size":-1}"#, "media_size"),
    ])
    func outOfRangeValuesEndTheRunWithAnErrorNamingTheField(item: String, field: String) async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let server = try await HostileServer.start(items: [#"{"id":"fine","time_created":"2026-01-01T00:00:00Z"}"#, item])
        for output in ["table", "json"] {
            let run = try await sandbox.mediash(server.flags + ["-o", output, "-c", "list"])
            #expect(run.status == 1, "exits 1, not on a signal: \(run.status) \(run.stderr)")
            #expect(run.stderr.contains(field), "\(run.stderr)")
            #expect(run.stderr.contains("-c:1: error:"), "\(run.stderr)")
        }
        await server.stop()
    }

    /// `.` and `..` as path segments name the folder or its parent: a DELETE of item `..` would
    /// be a DELETE of `/v3` to anything that resolves dot segments. mediash never sends one.
    @Test func dotSegmentIdsAreRefusedBeforeAnyRequest() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let server = try await HostileServer.start(items: [".", "..", "fine"].map { #"{"id":"\#($0)",\#(Self.etag)}"# })
        let run = try await sandbox.mediash(server.flags + ["--yes", "-o", "jsonl", "-c", "list | delete"])
        let info = try await sandbox.mediash(server.flags + ["-c", #"info "..""#])
        await server.stop()

        #expect(run.status == 1, "a failed item fails the run: \(run.status) \(run.stderr)")
        let rows = run.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let status = Dictionary(rows.map { ($0["id"] as? String ?? "?", $0["status"] as? String ?? "?") }, uniquingKeysWith: { a, _ in a })
        #expect(status == [".": "failed", "..": "failed", "fine": "deleted"], "\(run.stdout)")
        #expect(run.stdout.contains("is not a media id"), "\(run.stdout)")
        #expect(info.status == 1, "\(info.stderr)")
        #expect(info.stderr.contains("is not a media id"), "\(info.stderr)")
        let sent = server.requests.filter { !$0.hasPrefix("GET /v3/media?") && $0 != "GET /v3/media" }
        #expect(sent == ["DELETE /v3/media/fine"], "\(server.requests)")
    }

    static let hostileTitle = "evil\u{1b}]0;pwned\u{07} \u{08}\u{08}\r\u{9b}2J \u{202e}gnp.exe"

    @Test func serverTextIsEscapedOnTheTerminalAndExactInJSON() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let title = try String(decoding: JSONSerialization.data(withJSONObject: [Self.hostileTitle], options: [.fragmentsAllowed]), as: UTF8.self)
        let quoted = String(title.dropFirst().dropLast())
        let server = try await HostileServer.start(
            items: [#"{"id":"esc1","original_file_name":"x.wav","title":\#(quoted)}"#],
            problems: ["forbidden-item": (403, Self.hostileTitle)])
        let steering: [Unicode.Scalar] = ["\u{1b}", "\u{07}", "\u{08}", "\r", "\u{9b}", "\u{202e}"]

        let table = try await sandbox.mediash(server.flags + ["-c", "list | select id, title"])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(!table.stdout.unicodeScalars.contains { steering.contains($0) }, "\(table.stdout.debugDescription)")
        #expect(table.stdout.contains(#"evil\u{1b}]0;pwned\u{7} \u{8}\u{8}\u{d}\u{9b}2J \u{202e}gnp.exe"#), "\(table.stdout)")

        let scalar = try await sandbox.mediash(server.flags + ["-c", "list | first 1 | max title"])
        #expect(!scalar.stdout.unicodeScalars.contains { steering.contains($0) }, "\(scalar.stdout.debugDescription) \(scalar.stderr)")

        let error = try await sandbox.mediash(server.flags + ["-c", "info forbidden-item"])
        #expect(error.status == 1)
        #expect(!error.stderr.unicodeScalars.contains { steering.contains($0) }, "\(error.stderr.debugDescription)")
        #expect(error.stderr.contains(#"evil\u{1b}]0;pwned\u{7}"#), "\(error.stderr)")

        let json = try await sandbox.mediash(server.flags + ["-o", "json", "-c", "list"])
        #expect(json.status == 0, "\(json.stderr)")
        let items = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(items.first?["title"] as? String == Self.hostileTitle)

        // JSON escapes what steers a terminal (issue 32 point 8): the same value, read back above.
        #expect(!json.stdout.unicodeScalars.contains { steering.contains($0) }, "\(json.stdout.debugDescription)")
        #expect(json.stdout.contains(#"evil\u001b]0;pwned\u0007 \u0008\u0008\r\u009b2J \u202egnp.exe"#), "\(json.stdout)")

        // CSV escapes them too, to a pipe as to a terminal; csv-exact keeps every character.
        let csv = try await sandbox.mediash(server.flags + ["-o", "csv", "-c", "list | select title"])
        #expect(!csv.stdout.unicodeScalars.contains { steering.contains($0) }, "\(csv.stdout.debugDescription)")
        #expect(csv.stdout.contains(#"evil\u{1b}]0;pwned\u{7} \u{8}\u{8}\u{d}\u{9b}2J \u{202e}gnp.exe"#), "\(csv.stdout)")
        let exact = try await sandbox.mediash(server.flags + ["-o", "csv-exact", "-c", "list | select title"])
        #expect(exact.stdout.contains(Self.hostileTitle), "csv-exact keeps every character: \(exact.stdout.debugDescription)")
        await server.stop()
    }

    @Test func plainHTTPCredentialsToAnotherHostAreWarnedAboutOnce() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let credentials = ["--api-key", "k", "--api-secret", "s"]
        // `help` makes no request: nothing leaves this machine.
        for endpoint in ["http://10.0.0.1/v3/media", "HTTP://media.example.com/v3/media", "http://[fd00::1]:8080/v3/media"] {
            let run = try await sandbox.mediash(["--endpoint", endpoint] + credentials + ["-c", "help"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.components(separatedBy: "plain http").count == 2, "\(endpoint): \(run.stderr)")
        }
        for endpoint in ["https://10.0.0.1/v3/media", "http://localhost:9/v3/media", "http://127.0.0.2:9/v3/media", "http://[::1]:9/v3/media"] {
            let run = try await sandbox.mediash(["--endpoint", endpoint] + credentials + ["-c", "help"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(!run.stderr.contains("plain http"), "\(endpoint): \(run.stderr)")
        }
        // A real run over loopback: no warning.
        let server = try await HostileServer.start(items: [#"{"id":"a"}"#])
        let run = try await sandbox.mediash(server.flags + ["-c", "list | count"])
        await server.stop()
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        #expect(!run.stderr.contains("plain http"), "\(run.stderr)")
    }
}
