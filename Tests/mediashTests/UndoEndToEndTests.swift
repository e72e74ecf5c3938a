import Foundation
import Testing

/// `undo` and `delete --backup` as a user runs them: mediash processes against a real
/// media-server process (and the embedded store), the journal in the sandbox's state folder.
@Suite struct UndoEndToEndTests {
    static let credentials = ["--api-key", "k", "--api-secret", "s"]

    /// The journal's lines as JSON objects.
    static func journal(_ sandbox: Sandbox) throws -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: sandbox.journal.path) else { return [] }
        return try data.split(separator: UInt8(ascii: "\n")).map {
            try #require(try JSONSerialization.jsonObject(with: Data($0)) as? [String: Any])
        }
    }

    /// Each item's fields, from `list -o jsonl`, by name.
    static func items(_ sandbox: Sandbox, _ backend: [String]) async throws -> [String: [String: Any]] {
        let r = try await sandbox.mediash(backend + ["-o", "jsonl", "-c", "list"])
        #expect(r.status == 0, "\(r.stderr)")
        var out: [String: [String: Any]] = [:]
        for line in r.stdout.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let name = try #require(object["original_file_name"] as? String)
            #expect(out[name] == nil, "\(name) is there twice")
            out[name] = object
        }
        return out
    }

    static func files(_ sandbox: Sandbox, count: Int) throws -> [String] {
        try (0..<count).map { try sandbox.write("content of f\($0) " + String(repeating: "z", count: 50 * $0), to: "f\($0).txt").path }
    }

    /// A mass update undone: every title as it was, except the one changed since (a note says so).
    func massUpdateUndone(_ sandbox: Sandbox, _ backend: [String]) async throws {
        let files = try Self.files(sandbox, count: 6)
        #expect(try await sandbox.mediash(backend + ["-c", "upload \(files.joined(separator: " ")) | count"]).status == 0)
        #expect(try await sandbox.mediash(backend + ["--yes", "-c", "list | update set title=(\"t-\" + name)"]).status == 0)
        let before = try await Self.items(sandbox, backend)
        let mass = try await sandbox.mediash(backend + ["--yes", "-c", "list | update set title=\"oops\""])
        #expect(mass.status == 0, "\(mass.stderr)")
        let run = try #require(try Self.journal(sandbox).last?["run"] as? String)
        #expect(try await sandbox.mediash(backend + ["--yes", "-c", "list | where name == \"f2.txt\" | update set title=\"by hand\""]).status == 0)

        let undo = try await sandbox.mediash(backend + ["--yes", "-o", "jsonl", "-c", "undo \(run)"])
        #expect(undo.status == 0, "\(undo.stderr)")
        #expect(undo.stderr.contains("undo: 5 reverted, 1 skipped"), "\(undo.stderr)")
        let after = try await Self.items(sandbox, backend)
        for (name, item) in before where name != "f2.txt" {
            #expect(after[name]?["title"] as? String == item["title"] as? String, "\(name)")
        }
        #expect(after["f2.txt"]?["title"] as? String == "by hand")
        let row = try #require(undo.stdout.split(separator: "\n").first { $0.contains("f2.txt") })
        #expect(row.contains("\"status\":\"skipped\"") && row.contains("changed since: title"), "\(row)")
        // The undo's rows are journaled with the run they reverse.
        let undone = try Self.journal(sandbox).filter { $0["verb"] as? String == "undo" }
        #expect(undone.count == 6 && undone.allSatisfy { $0["undoes"] as? String == run && $0["origin"] as? String == "-c" })
    }

    /// `delete --backup` then `undo`: the same bytes and information, under new ids.
    func deleteBackupUndone(_ sandbox: Sandbox, _ backend: [String]) async throws {
        let files = try Self.files(sandbox, count: 4)
        #expect(try await sandbox.mediash(backend + ["-c", "upload \(files.joined(separator: " ")) metadata \"m\" | count"]).status == 0)
        #expect(try await sandbox.mediash(backend + ["--yes", "-c", "list | update set title=(\"t-\" + name) description=\"d\" public=true"]).status == 0)
        let before = try await Self.items(sandbox, backend)
        let delete = try await sandbox.mediash(backend + ["--yes", "-c", "list | delete --backup kept"])
        #expect(delete.status == 0, "\(delete.stderr)")
        #expect(try await Self.items(sandbox, backend).isEmpty)
        let undo = try await sandbox.mediash(backend + ["--yes", "-o", "jsonl", "-c", "undo"])
        #expect(undo.status == 0, "\(undo.stderr)")
        #expect(undo.stdout.split(separator: "\n").count == 4 && undo.stdout.split(separator: "\n").allSatisfy { $0.contains("restored as ") })
        let after = try await Self.items(sandbox, backend)
        #expect(after.count == 4)
        for (name, item) in before {
            let restored = try #require(after[name])
            #expect(restored["id"] as? String != item["id"] as? String)
            for field in ["etag", "media_size", "mime_type", "title", "description", "metadata_primary", "public"] {
                #expect("\(restored[field] ?? "nil")" == "\(item[field] ?? "nil")", "\(name) \(field)")
            }
        }
        let fetched = try await sandbox.mediash(backend + ["-c", "list | download to back | count"])
        #expect(fetched.status == 0, "\(fetched.stderr)")
        for file in files {
            let name = URL(fileURLWithPath: file).lastPathComponent
            #expect(FileManager.default.contents(atPath: sandbox.work.appendingPathComponent("back/\(name)").path) == FileManager.default.contents(atPath: file))
        }
    }

    @Test func massUpdateUndoneOverHTTP() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let server = try await ServerProcess.start(["--data", sandbox.root.appendingPathComponent("server").path, "--account", "k:s"])
        defer { server.stop() }
        try await massUpdateUndone(sandbox, ["--endpoint", server.endpoint] + Self.credentials)
    }

    @Test func massUpdateUndoneOnTheEmbeddedStore() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try await massUpdateUndone(sandbox, ["--store", sandbox.store.path])
    }

    @Test func deleteWithBackupUndoneOverHTTP() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let server = try await ServerProcess.start(["--data", sandbox.root.appendingPathComponent("server").path, "--account", "k:s"])
        defer { server.stop() }
        try await deleteBackupUndone(sandbox, ["--endpoint", server.endpoint] + Self.credentials)
    }

    @Test func deleteWithBackupUndoneOnTheEmbeddedStore() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try await deleteBackupUndone(sandbox, ["--store", sandbox.store.path])
    }

    /// kill -9 after the first restore is journaled, then run `undo` again: each item restored once.
    @Test func aKilledUndoRerunRestoresEachItemOnce() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let data = sandbox.root.appendingPathComponent("server").path
        let total = 8
        let files = try Self.files(sandbox, count: total)
        let clean = try await ServerProcess.start(["--data", data, "--account", "k:s"])
        let backend = ["--endpoint", clean.endpoint] + Self.credentials
        #expect(try await sandbox.mediash(backend + ["-c", "upload \(files.joined(separator: " ")) | count"]).status == 0)
        let delete = try await sandbox.mediash(backend + ["--yes", "-c", "list | delete --backup kept"])
        #expect(delete.status == 0, "\(delete.stderr)")
        await clean.stopped()

        // Every request slow, so the undo is caught mid-way: once a restore is journaled and the
        // next one's 'restoring' line is there (journaled before its request), mediash is stopped;
        // when the server then holds the item that upload made, which the journal does not know
        // of, it is killed: the worst moment, an upload done and not journaled.
        let slow = try await ServerProcess.start(["--data", data, "--account", "k:s", "--fault-latency", "300ms"])
        let slowBackend = ["--endpoint", slow.endpoint] + Self.credentials
        let undo = try sandbox.start(slowBackend + ["--yes", "-c", "undo concurrency 1"])
        let deadline = ContinuousClock.now + .seconds(90)
        var caught = false
        var tried = 0
        while !caught, ContinuousClock.now < deadline, undo.process.isRunning {
            let lines = try Self.journal(sandbox)
            let restored = lines.filter { $0["status"] as? String == "restored" }.count
            let begun = lines.filter { $0["status"] as? String == "restoring" }.count
            guard restored > 0, begun > restored, begun > tried else {
                try await Task.sleep(for: .milliseconds(2))  // polls the journal file for the event; bounded by the deadline
                continue
            }
            tried = begun
            // Stop mediash and ask the server; when the request had not left yet, let mediash run
            // a little (while the journal is read) and stop it again: each round is an event, the
            // listing's answer, and at most 40 of them.
            for _ in 0..<40 {
                undo.signal(SIGSTOP)
                let count = try await sandbox.mediash(slowBackend + ["-c", "list | count"])
                if Int(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) == restored + 1 { caught = true; break }
                undo.signal(SIGCONT)
                let now = try Self.journal(sandbox).filter { $0["status"] as? String == "restored" }.count
                if now > restored { break }  // this one finished: try at the next item
            }
            if caught || begun >= total - 1 { break }  // kill before the last item in any case
        }
        undo.signal(SIGKILL)
        _ = try? await undo.wait(timeout: .seconds(10))
        await slow.stopped()
        #expect(caught, "never caught an upload done and not journaled: the test proves less than it says")
        let firstRun = try Self.journal(sandbox).filter { $0["status"] as? String == "restored" }.count
        #expect(firstRun > 0 && firstRun < total, "the kill did not come mid-way: the test proves nothing")

        let again = try await ServerProcess.start(["--data", data, "--account", "k:s"])
        defer { again.stop() }
        let rerun = try await sandbox.mediash(["--endpoint", again.endpoint] + Self.credentials + ["--yes", "-o", "jsonl", "-c", "undo"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let items = try await Self.items(sandbox, ["--endpoint", again.endpoint] + Self.credentials)
        #expect(items.keys.sorted() == (0..<total).map { "f\($0).txt" })
        let restores = try Self.journal(sandbox).filter { $0["status"] as? String == "restored" }
        var perItem: [String: Int] = [:]
        for r in restores { perItem[r["undone_id"] as? String ?? "?", default: 0] += 1 }
        #expect(perItem.count == total && perItem.values.allSatisfy { $0 == 1 }, "\(perItem)")
    }

    @Test func aProfilesBackupKeepsWhatEveryDeleteRemoves() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let kept = sandbox.root.appendingPathComponent("kept")
        try FileManager.default.createDirectory(at: sandbox.config.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "[profile.safe]\nbackup = \"\(kept.path)\"\n".write(to: sandbox.config, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: sandbox.config.path)
        let backend = ["--store", sandbox.store.path]
        let files = try Self.files(sandbox, count: 2)
        #expect(try await sandbox.mediash(backend + ["-c", "upload \(files.joined(separator: " ")) | count"]).status == 0)
        let delete = try await sandbox.mediash(["--profile", "safe"] + backend + ["--yes", "-c", "list | delete"])
        #expect(delete.status == 0, "\(delete.stderr)")
        let saved = try FileManager.default.contentsOfDirectory(atPath: kept.path)
        #expect(saved.count == 2)
        for id in saved {
            #expect(FileManager.default.fileExists(atPath: kept.appendingPathComponent("\(id)/item.json").path))
        }
        let undo = try await sandbox.mediash(backend + ["--yes", "-c", "undo | count"])
        #expect(undo.stdout == "2\n" && undo.stderr.contains("undo: 2 restored"), "\(undo.stderr)")
        #expect(try await Self.items(sandbox, backend).count == 2)
    }

    @Test func olderJournalLinesReadAndABrokenLineIsNamed() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try FileManager.default.createDirectory(at: sandbox.journal.deletingLastPathComponent(), withIntermediateDirectories: true)
        let old = [
            #"{"id":"a1","name":"x.wav","size":12,"status":"deleted","time":"2026-11-28T10:00:00.000Z","verb":"delete"}"#,
            #"{"error":"already gone","id":"a2","name":"y.wav","size":3,"status":"skipped","time":"2026-11-28T10:00:01.000Z","verb":"delete"}"#,
        ]
        // A crash mid-write can leave the last line cut short: it is passed over.
        try (old.joined(separator: "\n") + "\n{\"id\":\"a3\",\"na").write(to: sandbox.journal, atomically: true, encoding: .utf8)
        let backend = ["--store", sandbox.store.path]
        let read = try await sandbox.mediash(backend + ["-o", "jsonl", "-c", "journal | select id verb status run error"])
        #expect(read.status == 0, "\(read.stderr)")
        #expect(read.stdout == """
            {"id":"a1","verb":"delete","status":"deleted","run":null,"error":null}
            {"id":"a2","verb":"delete","status":"skipped","run":null,"error":"already gone"}

            """, "\(read.stdout)")
        let nothing = try await sandbox.mediash(backend + ["-c", "undo"])
        #expect(nothing.status == 1 && nothing.stderr.contains("the journal holds no run that changed items"), "\(nothing.stderr)")
        try (old[0] + "\nnot json\n" + old[1] + "\n").write(to: sandbox.journal, atomically: true, encoding: .utf8)
        let broken = try await sandbox.mediash(backend + ["-c", "journal | count"])
        #expect(broken.status == 1 && broken.stderr.contains("journal.jsonl, line 2:"), "\(broken.stderr)")
    }
}
