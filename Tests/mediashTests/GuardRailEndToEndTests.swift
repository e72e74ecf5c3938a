import Foundation
import Testing

/// The guard rails and the update preview over HTTP, against a real media-server: a delete over
/// `--max-delete` (a flag, a profile's key, `set`) deletes nothing, and an update that changes
/// nothing is not sent (the server's time_last_updated stays).
@Suite struct GuardRailEndToEndTests {
    let credentials = ["--api-key", "k", "--api-secret", "s"]

    func withServer(items: Int, _ body: (Sandbox, ServerProcess, [String]) async throws -> Void) async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let server = try await ServerProcess.start(["--data", sandbox.root.appendingPathComponent("server").path, "--account", "k:s"])
        defer { server.stop() }
        let endpoint = ["--endpoint", server.endpoint] + credentials
        let files = try (0..<items).map { try sandbox.write(String(repeating: "x", count: 10 + $0), to: "f\($0).txt").path }
        let upload = try await sandbox.mediash(endpoint + ["-c", "upload \(files.joined(separator: " ")) | count"])
        #expect(upload.status == 0, "\(upload.stderr)")
        try await body(sandbox, server, endpoint)
    }

    func count(_ sandbox: Sandbox, _ endpoint: [String]) async throws -> String {
        try await sandbox.mediash(endpoint + ["-c", "list | count"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func aDeleteOverMaxDeleteDeletesNothing() async throws {
        try await withServer(items: 6) { sandbox, _, endpoint in
            let flag = try await sandbox.mediash(endpoint + ["--max-delete", "3", "--yes", "-c", "list | delete"])
            #expect(flag.status == 1)
            #expect(flag.stderr.contains("-c:1: error: 'delete' would delete more than 3 items (found 4 before it stopped counting; max-delete 3): nothing was sent"), "\(flag.stderr)")
            #expect(try await count(sandbox, endpoint) == "6")

            // The command line wins over the program's own `set`.
            let pinned = try await sandbox.mediash(endpoint + ["--max-delete", "3", "--yes", "-c", "set max-delete 100; list | delete"])
            #expect(pinned.status == 1)
            #expect(pinned.stderr.contains("note: set max-delete 100: the command line's --max-delete 3 stays (flags win)"), "\(pinned.stderr)")
            #expect(try await count(sandbox, endpoint) == "6")

            let set = try await sandbox.mediash(endpoint + ["--yes", "-c", "set max-delete 5\nlist | delete"])
            #expect(set.status == 1 && set.stderr.contains("-c:2: error: 'delete' would delete more than 5 items"), "\(set.stderr)")
            #expect(try await count(sandbox, endpoint) == "6")

            let within = try await sandbox.mediash(endpoint + ["--max-delete", "2", "--yes", "-c", "list | first 2 | delete"])
            #expect(within.status == 0, "\(within.stderr)")
            #expect(try await count(sandbox, endpoint) == "4")
        }
    }

    @Test func aProfileSetsTheLimit() async throws {
        try await withServer(items: 3) { sandbox, server, _ in
            try FileManager.default.createDirectory(at: sandbox.config.deletingLastPathComponent(), withIntermediateDirectories: true)
            try """
                [profile.guarded]
                endpoint = "\(server.endpoint)"
                api_key = "k"
                api_secret = "s"
                max_delete = 2
                """.write(to: sandbox.config, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: sandbox.config.path)
            let r = try await sandbox.mediash(["--profile", "guarded", "--yes", "-c", "list | delete"])
            #expect(r.status == 1 && r.stderr.contains("more than 2 items (found 3"), "\(r.stderr)")
            #expect(!r.stderr.contains("notice"), "the profile's limit counts: \(r.stderr)")
            #expect(try await count(sandbox, ["--profile", "guarded"]) == "3")

            try "[profile.bad]\nmax_delete = \"many\"\n".write(to: sandbox.config, atomically: true, encoding: .utf8)
            let bad = try await sandbox.mediash(["--profile", "bad", "-c", "list | count"])
            #expect(bad.status == 2 && bad.stderr.contains("'max_delete' in [profile.bad] must be a whole number of items"), "\(bad.stderr)")
        }
    }

    /// Waits for each mediash off the cooperative pool (Sandbox.mediash's async form).
    @Test func yesWithoutALimitIsANotice() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let store = ["--store", sandbox.store.path]
        let notice = "mediash: notice: --yes with no --max-delete: nothing limits how many items a delete removes\n"
        let bare = try await sandbox.mediash(store + ["--yes", "-c", "list | delete"])
        #expect(bare.status == 0)
        #expect(bare.stderr == notice + "delete: nothing to do (0 B)\n", "\(bare.stderr)")
        // A user verb that deletes counts too.
        let inDef = try await sandbox.mediash(store + ["--yes", "-c", "def tidy [] { where size > 1GB | delete }; list | tidy"])
        #expect(inDef.stderr.hasPrefix(notice), "\(inDef.stderr)")
        // Only where the program deletes, and no limit is in force from any source.
        for program in ["list | count", "list | update set title=\"x\"", "set max-delete 20; list | delete"] {
            let quiet = try await sandbox.mediash(store + ["--yes", "-c", program])
            #expect(!quiet.stderr.contains("notice"), "\(program): \(quiet.stderr)")
        }
        let lifted = try await sandbox.mediash(store + ["--yes", "-c", "set max-delete none; list | delete"])
        #expect(lifted.stderr.hasPrefix(notice), "\(lifted.stderr)")
        let script = try sandbox.write("set max-delete 20\nlist | delete\n", to: "limited.msh")
        let scripted = try await sandbox.mediash(store + ["--yes", script.path])
        #expect(!scripted.stderr.contains("notice"), "\(scripted.stderr)")
        let limited = try await sandbox.mediash(store + ["--yes", "--max-delete", "10", "-c", "list | delete"])
        #expect(!limited.stderr.contains("notice"), "\(limited.stderr)")
        let dry = try await sandbox.mediash(store + ["--yes", "--dry-run", "-c", "list | delete"])
        #expect(!dry.stderr.contains("notice"), "a dry run deletes nothing: \(dry.stderr)")
        let negative = try await sandbox.mediash(store + ["--max-delete", "-1", "-c", "list | count"])
        #expect(negative.status == 2)
    }

    @Test func aNoOpUpdateIsNotSentAndTheDryRunShowsTheChange() async throws {
        try await withServer(items: 3) { sandbox, _, endpoint in
            let first = try await sandbox.mediash(endpoint + ["--yes", "--max-delete", "0", "-c", "list | first 1 | update set public=true"])
            #expect(first.status == 0, "\(first.stderr)")
            let before = try await sandbox.mediash(endpoint + ["-o", "jsonl", "-c", "list | sort by id | select id time_last_updated public"]).stdout

            let dry = try await sandbox.mediash(endpoint + ["--dry-run", "-o", "jsonl", "-c", "list | update set public=true"])
            #expect(dry.status == 0, "\(dry.stderr)")
            #expect(dry.stdout.components(separatedBy: "\"change\":\"public: false → true\"").count == 3, "\(dry.stdout)")
            #expect(dry.stdout.components(separatedBy: "\"status\":\"unchanged\"").count == 2, "\(dry.stdout)")
            #expect(dry.stderr.contains("update --dry-run: would update 2 items") && dry.stderr.contains(", 1 unchanged"), "\(dry.stderr)")

            let noop = try await sandbox.mediash(endpoint + ["--yes", "--max-delete", "0", "-c", "list | where public == true | update set public=true"])
            #expect(noop.status == 0 && noop.stderr.hasPrefix("update: 1 unchanged ("), "\(noop.stderr)")
            let after = try await sandbox.mediash(endpoint + ["-o", "jsonl", "-c", "list | sort by id | select id time_last_updated public"]).stdout
            #expect(after == before)

            let over = try await sandbox.mediash(endpoint + ["--yes", "--max-update", "1", "--max-delete", "0", "-c", "list | update set public=true"])
            #expect(over.status == 1 && over.stderr.contains("'update' would update more than 1 item (found 2"), "\(over.stderr)")
            let unchanged = try await sandbox.mediash(endpoint + ["-o", "jsonl", "-c", "list | sort by id | select id time_last_updated public"]).stdout
            #expect(unchanged == before)
        }
    }
}
