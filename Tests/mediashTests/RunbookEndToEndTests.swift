import Foundation
import Testing

/// Examples/nightly-cleanup.md, run by the built mediash against a real media-server: a dry
/// run and a run over --max-delete delete nothing, the failing block is named by its line and
/// heading in the file, and a real run does the work and journals each item with its block.
@Suite struct RunbookEndToEndTests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples/nightly-cleanup.md")

    /// The line of the fence that opens the block called `name`.
    func line(of name: String) throws -> Int {
        let lines = try String(contentsOf: Self.example, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let index = try #require(lines.firstIndex { $0 == "```mediash name=\(name)" })
        return index + 1
    }

    @Test func theNightlyCleanupExample() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let server = try await ServerProcess.start(["--data", sandbox.root.appendingPathComponent("server").path, "--account", "k:s"])
        defer { server.stop() }
        let endpoint = ["--endpoint", server.endpoint, "--api-key", "k", "--api-secret", "s"]
        let names = (0..<4).map { "scratch\($0).tmp" } + (0..<3).map { "take\($0).wav" }
        let files = try names.map { try sandbox.write("data of \($0)", to: $0).path }
        #expect(try await sandbox.mediash(endpoint + ["-c", "upload \(files.joined(separator: " ")) | count"]).status == 0)
        func count() async throws -> String {
            try await sandbox.mediash(endpoint + ["-c", "list | count"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let runbook = Self.example.path
        let remove = try line(of: "remove-temporary")

        let dry = try await sandbox.mediash(endpoint + ["--dry-run", runbook, "0s"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stderr.contains("delete --dry-run: would delete 4 items"), "\(dry.stderr)")
        #expect(dry.stderr.contains("update --dry-run: would update 3 items"), "\(dry.stderr)")
        let row = dry.stderr.split(separator: "\n").first { $0.hasPrefix("  \(remove)  ## Remove old temporary files ") }
        #expect(row?.split(separator: " ", omittingEmptySubsequences: true).suffix(5).joined(separator: " ").hasPrefix("ran would delete 4") == true, "\(dry.stderr)")
        #expect(try await count() == "7")

        // The command line's limit wins over the runbook's `set max-delete 50`, and stops the
        // delete block before its first request: the blocks after it do not run.
        let limited = try await sandbox.mediash(endpoint + ["--yes", "--max-delete", "2", runbook, "0s"])
        #expect(limited.status == 1)
        #expect(limited.stderr.contains("note: set max-delete 50: the command line's --max-delete 2 stays (flags win)"), "\(limited.stderr)")
        #expect(limited.stderr.contains("""
            \(runbook):\(remove + 1): error: 'delete' would delete more than 2 items (found 3 before it stopped counting; max-delete 2): nothing was sent.
            """), "\(limited.stderr)")
        #expect(limited.stderr.contains("  in \"## Remove old temporary files\" (block at line \(remove))\n"), "\(limited.stderr)")
        #expect(limited.stderr.contains("runbook \(runbook): 2 ran, 1 failed, 2 skipped or not run"), "\(limited.stderr)")
        #expect(try await count() == "7")

        let real = try await sandbox.mediash(endpoint + ["--yes", runbook, "0s"])
        #expect(real.status == 0, "\(real.stderr)")
        #expect(real.stdout.hasSuffix("\n3\n"), "\(real.stdout)")
        #expect(try await count() == "3")
        let titles = try await sandbox.mediash(endpoint + ["-o", "jsonl", "-c", "list | where title =~ \"^\\[archived\\] take\" | count"])
        #expect(titles.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "3", "\(titles.stderr)")
        // A second night: nothing temporary left, every title set: nothing is sent.
        let again = try await sandbox.mediash(endpoint + ["--yes", runbook, "0s"])
        #expect(again.status == 0 && again.stderr.contains("delete: nothing to do") && again.stderr.contains("update: nothing to do"), "\(again.stderr)")

        let journal = try String(contentsOf: sandbox.journal, encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let deleted = journal.filter { $0["status"] as? String == "deleted" }
        #expect(deleted.count == 4 && deleted.allSatisfy { $0["runbook"] as? String == runbook && $0["block"] as? Int == remove })
        #expect(journal.filter { $0["block"] as? Int == (try? line(of: "archive")) }.count == 3)
    }

    @Test func mistakesInARunbookAreFoundBeforeItRuns() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let store = ["--store", sandbox.store.path]
        let upload = try await sandbox.mediash(store + ["-c", "upload \(try sandbox.write("x", to: "a.tmp").path) | count"])
        #expect(upload.status == 0)
        let text = try String(contentsOf: Self.example, encoding: .utf8).replacingOccurrences(of: "list | count", with: "list | cuont")
        let broken = try sandbox.write(text, to: "broken.md")
        let r = try await sandbox.mediash(store + ["--yes", broken.path, "0s"])
        #expect(r.status == 2)
        let report = try line(of: "report") + 1
        #expect(r.stderr.contains("\(broken.path):\(report):8: error: unknown verb 'cuont' — did you mean 'count'?"), "\(r.stderr)")
        #expect(r.stderr.contains("  in \"## Report\" (block at line \(report - 1))"), "\(r.stderr)")
        #expect(try await sandbox.mediash(store + ["-c", "list | count"]).stdout == "1\n")

        let misplaced = try await sandbox.mediash(store + [Self.example.path, "--dry-run"])
        #expect(misplaced.status == 2 && misplaced.stderr.contains("put mediash's options before the file"), "\(misplaced.stderr)")
        let step = try await sandbox.mediash(store + ["--step", Self.example.path, "0s"])
        #expect(step.status == 2 && step.stderr.contains("--step asks before each block at a terminal"), "\(step.stderr)")
        let unclosed = try sandbox.write("# A\n\n```mediash\nlist\n", to: "unclosed.markdown")
        let u = try await sandbox.mediash(store + [unclosed.path])
        #expect(u.status == 2 && u.stderr.contains("\(unclosed.path):3: error: this ``` fence is never closed"), "\(u.stderr)")
        let explain = try await sandbox.mediash(store + ["--explain", Self.example.path, "7d"])
        #expect(explain.status == 0, "\(explain.stderr)")
        #expect(explain.stdout.contains("== line \(try line(of: "remove-temporary")): ## Remove old temporary files\n"), "\(explain.stdout)")
        #expect(explain.stdout.contains("DELETE /v3/media/{id}  for each item"), "\(explain.stdout)")
        #expect(try await sandbox.mediash(store + ["-c", "list | count"]).stdout == "1\n")
    }
}
