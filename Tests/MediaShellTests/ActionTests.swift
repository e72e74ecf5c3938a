import Foundation
import MediaAPI
import Testing
@testable import MediaShell

/// delete, update and download: concurrency, accountability, confirmation, dry runs, failures.
@Suite struct ActionTests: ShellRunning {
    @Test func journalLinesAreJSONWithEveryFieldAsGiven() throws {
        let time = Date(timeIntervalSince1970: 1_700_000_000.123)
        let full = ActionRecord(time: time, verb: "delete", id: "a\"b", name: "say \"hi\"\\ \u{01}\n日本.wav", size: 1234,
                                status: "failed", error: "HTTP 500: \"boom\"")
        let line = full.jsonLine
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["verb"] as? String == "delete")
        #expect(object["id"] as? String == "a\"b")
        #expect(object["name"] as? String == full.name)
        #expect(object["size"] as? Int == 1234)
        #expect(object["status"] as? String == "failed")
        #expect(object["error"] as? String == full.error)
        #expect(object["time"] as? String == MediaTime.format(time))
        // Absent fields are left out, and the keys come sorted.
        let bare = ActionRecord(time: time, verb: "update", id: "x", name: nil, size: nil, status: "updated", error: nil).jsonLine
        #expect(bare == #"{"id":"x","status":"updated","time":"\#(MediaTime.format(time))","verb":"update"}"#)
    }

    @Test func deleteWithYesDeletesEachAndSummarises() async throws {
        let f = try await Fixture.make(items: 10)
        let recorder = Recorder()
        let s = shell(f, f.service) { $0.journal = recorder; $0.progress = recorder; $0.output = .jsonl }
        let r = await run(s, "list | where size < 1MB | delete --yes concurrency 3")
        #expect(r.outcome.status == .success)
        let rows = r.out.split(separator: "\n")
        #expect(rows.count == 9)
        #expect(rows.allSatisfy { $0.contains("\"status\":\"deleted\"") && $0.contains("\"error\":null") })
        let bytes = (1..<10).map(Fixture.size).reduce(0, +)
        #expect(r.err == "delete: 9 deleted (\(Value.humanSize(Int64(bytes))))\n")
        #expect(try await f.shell().evaluate("list | count") == [.int(1)])
        #expect(recorder.entries.count == 9 && recorder.entries.allSatisfy { $0.verb == "delete" && $0.status == "deleted" })
        #expect(recorder.updates.last?.done == 9 && recorder.updates.last?.bytes == Int64(bytes))
    }

    @Test func withoutYesOrATerminalNothingIsSent() async throws {
        let f = try await Fixture.make(items: 3)
        let service = InstrumentedService(f.service)
        let r = await run(shell(f, service), "list | delete")
        // A usage mistake found before any request: exit 2, as documented.
        #expect(r.outcome.status == .usage)
        #expect(r.err == "<input>:1: error: 'delete' changes items and there is no terminal to ask at: add --yes to go ahead, or --dry-run to see what it would do\n")
        #expect(service.calls == 0)
        #expect(try await f.shell().evaluate("list | count") == [.int(3)])
    }

    @Test func confirmationIsAskedWithCountAndBytes() async throws {
        let f = try await Fixture.make(items: 4)
        let asked = Locked<[ConfirmationRequest]>([])
        let no = shell(f, f.service) { env in env.confirm = { req in asked.with { $0.append(req) }; return false } }
        let r = await run(no, "list | where size < 1MB | delete")
        #expect(r.err == "delete: not confirmed, nothing changed\n" && r.outcome.status == .success)
        let bytes = Int64((1..<4).map(Fixture.size).reduce(0, +))
        #expect(asked.with { $0 } == [ConfirmationRequest(verb: "delete", itemCount: 3, totalBytes: bytes)])
        #expect(asked.with { $0.first?.question } == "delete 3 items (\(Value.humanSize(bytes)))?")
        let yes = shell(f, f.service) { $0.confirm = { _ in true } }
        _ = await run(yes, "list | where size < 1MB | delete")
        #expect(try await f.shell().evaluate("list | count") == [.int(1)])
    }

    @Test func dryRunChangesNothingAndTotals() async throws {
        let f = try await Fixture.make(items: 5)
        let service = InstrumentedService(f.service)
        let r = await run(shell(f, service) { $0.output = .csv }, "list | delete --dry-run")
        #expect(r.out.split(separator: "\n").count == 6)
        #expect(r.out.split(separator: "\n").dropFirst().allSatisfy { $0.hasSuffix(",would delete,,") })
        #expect(r.err == "delete --dry-run: would delete 5 items (\(Value.humanSize(Int64((0..<5).map(Fixture.size).reduce(0, +)))))\n")
        #expect(service.calls == 0)
        let env = await run(shell(f, service) { $0.dryRun = true }, "list | update set title=\"x\"")
        #expect(env.err.hasPrefix("update --dry-run: would update 5 items"))
        #expect(service.calls == 0)
    }

    @Test func failuresAreReportedAndTheRestGoOn() async throws {
        let f = try await Fixture.make(items: 4)
        let ids = try await f.shell().evaluate("list | select id").compactMap { $0.record?["id"] }
        let list = ids.map(\.sourceText).joined(separator: ", ")
        let r = await run(shell(f, f.service) { $0.output = .jsonl }, "[\(list), \"no-such-id\", 42] | delete --yes")
        #expect(r.outcome.status == .failure)
        #expect(r.err == "delete: 4 deleted, 1 skipped, 1 failed (0 B)\n")
        #expect(r.out.contains("{\"id\":\"no-such-id\",\"name\":null,\"size\":null,\"status\":\"skipped\",\"error\":null,\"note\":\"already gone\"}"))
        #expect(r.out.contains("\"status\":\"failed\",\"error\":\"not a media item or an id: 42\",\"note\":null"))
        // An upload that succeeds feeds an update that fails: the item stays as uploaded.
        try Data("hello\n".utf8).write(to: f.directory.appendingPathComponent("hello.txt"))
        let u = await run(shell(f, f.service), "upload hello.txt | update set mime=\"nonsense\" --yes")
        #expect(u.outcome.status == .failure)
        #expect(u.err.contains("'nonsense' is not a MIME type"), "\(u.err)")
        let hello = try await f.shell().evaluate("list | where name == \"hello.txt\"")
        #expect(hello.count == 1)
        #expect(hello.first?.record?["size"] == .size(6) && hello.first?.record?["mime"] == .string("text/plain"))
    }

    @Test func updateComputesValuesPerItem() async throws {
        let f = try await Fixture.make(items: 3)
        let r = await run(shell(f, f.service), "list | update set title=(name + \"!\") public=true max_downloads_allowed=2 --yes")
        #expect(r.outcome.status == .success, "\(r.err)")
        let titles = try await f.shell().evaluate("list | where public and max_downloads_allowed == 2 | sort by name | select title")
        #expect(titles.map { $0.record?["title"] } == [.string("file0.wav!"), .string("file1.mp3!"), .string("file2.txt!")])
        let bad = await run(shell(f, f.service), "list | update set mime=\"nonsense\" --yes")
        #expect(bad.outcome.status == .failure)
        #expect(bad.err.contains("'nonsense' is not a MIME type"))
    }

    @Test func concurrencyIsBoundedAndUsed() async throws {
        let f = try await Fixture.make(items: 12)
        let service = InstrumentedService(f.service)
        // Long enough that four requests overlap even on a loaded machine.
        service.latency = 0.2
        let r = await run(shell(f, service), "list | delete --yes concurrency 4")
        #expect(r.outcome.status == .success)
        #expect(service.peak == 4)
        let g = try await Fixture.make(items: 12)
        let serial = InstrumentedService(g.service)
        serial.latency = 0.01
        _ = await run(shell(g, serial) { $0.concurrency = 1 }, "list | delete --yes")
        #expect(serial.peak == 1)
    }

    @Test func rateLimitsSlowDownAndEveryItemStillFinishes() async throws {
        let f = try await Fixture.make(items: 30)
        let service = InstrumentedService(f.service)
        service.fault = { n in n % 7 == 0 ? .rateLimited(retryAfter: 0.05) : nil }
        let r = await run(shell(f, service), "list | delete --yes concurrency 8")
        #expect(r.outcome.status == .success, "\(r.err)")
        #expect(r.err == "delete: 30 deleted (\(Value.humanSize(Int64((0..<30).map(Fixture.size).reduce(0, +)))))\n")
        #expect(try await f.shell().evaluate("list | count") == [.int(0)])

        // One at a time, the request after a rate limit waits out its Retry-After (a lower
        // bound: a loaded machine only makes the gap longer).
        let g = try await Fixture.make(items: 8)
        let serial = InstrumentedService(g.service)
        serial.fault = { n in n == 3 || n == 6 ? .rateLimited(retryAfter: 0.3) : nil }
        let s = await run(shell(g, serial), "list | delete --yes concurrency 1")
        #expect(s.outcome.status == .success, "\(s.err)")
        let starts = serial.callStarts
        #expect(starts.count == 10)
        for limited in [3, 6] where starts.count > limited {
            let gap = starts[limited] - starts[limited - 1]
            #expect(gap >= .milliseconds(300), "call \(limited + 1) began \(gap) after the 429 of call \(limited)")
        }
    }

    /// Retrying a request is the binding's job (MediaHTTPClient has a budget for it): a transient
    /// error that reaches the action has spent that budget, and the action does not multiply it.
    @Test func aTransientErrorTheBindingGaveUpOnFailsTheItemWithoutMoreRequests() async throws {
        let f = try await Fixture.make(items: 5)
        let service = InstrumentedService(f.service)
        service.fault = { n in n == 3 ? .server(status: 503, message: "busy") : nil }
        let r = await run(shell(f, service) { $0.output = .jsonl }, "list | delete --yes concurrency 1")
        #expect(r.outcome.status == .failure)
        #expect(service.calls == 5)
        #expect(r.out.split(separator: "\n").filter { $0.contains("\"failed\"") && $0.contains("(HTTP 503): busy") }.count == 1)
        #expect(try await f.shell().evaluate("list | count") == [.int(1)])
    }

    @Test func persistentFailuresAreListedAndARerunFinishes() async throws {
        let f = try await Fixture.make(items: 6)
        let service = InstrumentedService(f.service)
        service.fault = { _ in .server(status: 500, message: "down") }
        let r = await run(shell(f, service) { $0.output = .jsonl }, "list | delete --yes")
        #expect(r.outcome.status == .failure)
        #expect(r.err == "delete: 6 failed (0 B)\n")
        #expect(r.out.split(separator: "\n").allSatisfy { $0.contains("the service failed (HTTP 500): down") })
        let again = await run(shell(f, f.service), "list | delete --yes")
        #expect(again.outcome.status == .success)
        #expect(try await f.shell().evaluate("list | count") == [.int(0)])
    }

    @Test func downloadNamesFilesSkipsUnchangedAndMakesNamesUnique() async throws {
        let f = try await Fixture.make(items: 3)
        let s = shell(f, f.service) { $0.output = .jsonl }
        let first = await run(s, "list | download to out")
        #expect(first.err.hasPrefix("download: 3 downloaded"))
        for i in 0..<3 {
            let data = try Data(contentsOf: f.directory.appendingPathComponent("out/\(Fixture.name(i))"))
            #expect(data.count == Fixture.size(i))
        }
        let second = await run(s, "list | download to out")
        #expect(second.err == "download: 3 skipped (0 B)\n")
        #expect(second.out.contains("already there with the same content"))
        // Another item with the same original name gets its own file.
        let other = f.directory.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try Data("different".utf8).write(to: other.appendingPathComponent("file0.wav"))
        _ = await run(s, "upload elsewhere/file0.wav")
        let third = await run(s, "list | where name == \"file0.wav\" | download to out")
        #expect(third.err == "download: 1 downloaded, 1 skipped (9 B)\n")
        #expect(try String(contentsOf: f.directory.appendingPathComponent("out/file0 (2).wav"), encoding: .utf8) == "different")
    }

    @Test func bareIdsAreAccepted() async throws {
        let f = try await Fixture.make(items: 2)
        let id = try await f.shell().evaluate("list | first 1").first?.record?["id"]
        guard case .string(let text)? = id else { Issue.record("no id"); return }
        let r = await run(shell(f, f.service), "info \(text) | select name")
        #expect(r.out.contains("file1.mp3"))
        let d = await run(shell(f, f.service), "\"\(text)\" | delete --yes")
        #expect(d.err.hasPrefix("delete: 1 deleted"))
    }
}
