import Foundation
import MediaAPI
import Testing
@testable import MediaShell

/// The journal's runs and what reversing needs, `journal`, `delete --backup` and `undo`, over the
/// in-memory store (held to the same contract as the embedded store and media-server).
@Suite struct UndoTests: ShellRunning {
    /// A shell over the fixture with a journal kept in memory; one shell for the whole test, as a session.
    func session(_ f: Fixture, _ journal: MemoryJournal, _ configure: (inout ShellEnvironment) -> Void = { _ in }) -> Shell {
        shell(f, f.service) { $0.journal = journal; $0.output = .jsonl; configure(&$0) }
    }

    func items(_ f: Fixture) async throws -> [MediaItem] {
        var out: [MediaItem] = []
        for try await item in f.service.list(MediaQuery()) { out.append(item) }
        return out
    }

    func titles(_ f: Fixture) async throws -> [String: String] {
        var out: [String: String] = [:]
        for try await item in f.service.list(MediaQuery()) { out[item.id] = item.title ?? "" }
        return out
    }

    @Test func olderJournalLinesStillRead() throws {
        let old = #"{"id":"a1","name":"x.wav","size":12,"status":"failed","error":"HTTP 500","time":"2026-11-28T10:00:00.000Z","verb":"delete"}"#
        let e = try ActionRecord(jsonLine: old)
        #expect(e.id == "a1" && e.verb == "delete" && e.size == 12 && e.error == "HTTP 500" && e.run == nil && e.changes == nil)
        #expect(throws: RunError.self) { try ActionRecord(jsonLine: #"{"id":"a1"}"#) }
    }

    @Test func aRecordWithWhatReversingNeedsReadsBackAsWritten() throws {
        var e = ActionRecord(time: date("2026-11-28T10:00:00.123Z"), verb: "update", id: "i\"d", name: "n", size: 3, status: "updated", error: nil)
        e.run = "r20261128_100000_00aa"
        e.origin = ###"book.md:12 "## Retitle""###
        e.changes = [FieldChange(field: "public", old: .bool(false), new: .bool(true)), FieldChange(field: "title", old: .null, new: .string("new \"t\""))]
        e.item = MediaItem(id: "i\"d", etag: "abc", size: 3, originalFileName: "n", title: "t", isPublic: true, maxDownloadsAllowed: 4,
                           timeCreated: date("2026-11-01T00:00:00Z"))
        e.backup = "/tmp/b/i"
        let back = try ActionRecord(jsonLine: e.jsonLine)
        #expect(back == e)
    }

    @Test func eachItemIsJournaledWithItsRunOriginAndOldAndNewValues() async throws {
        let f = try await Fixture.make(items: 3)
        let journal = MemoryJournal()
        let s = session(f, journal)
        #expect(await run(s, "list | update set title=\"a\" --yes").outcome.status == .success)
        #expect(await run(s, "list | update set title=\"b\" --yes").outcome.status == .success)
        let e = try journal.entries()
        #expect(e.count == 6)
        let runs = e.map(\.run)
        #expect(Set(runs[0..<3]).count == 1 && Set(runs[3..<6]).count == 1 && runs[0] != runs[3])
        #expect(e.allSatisfy { $0.origin == "<input>:1" })
        #expect(e[0..<3].allSatisfy { $0.changes == [FieldChange(field: "title", old: .null, new: .string("a"))] })
        #expect(e[3..<6].allSatisfy { $0.changes == [FieldChange(field: "title", old: .string("a"), new: .string("b"))] })
    }

    @Test func aSkippedItemsReasonIsItsNoteNotAnError() async throws {
        let f = try await Fixture.make(items: 2)
        let journal = MemoryJournal()
        let s = session(f, journal)
        let ids = try await items(f).map(\.id)
        _ = await run(s, "[\"\(ids[0])\"] | delete --yes")
        #expect(await run(s, "[\"\(ids[0])\"] | delete --yes").outcome.status == .success)
        let skipped = try #require(try journal.entries().last)
        #expect(skipped.status == "skipped" && skipped.note == "already gone" && skipped.error == nil)
    }

    @Test func journalIsASourceWithTheLastRun() async throws {
        let f = try await Fixture.make(items: 4)
        let journal = MemoryJournal()
        let s = session(f, journal)
        _ = await run(s, "list | first 1 | update set title=\"x\" --yes")
        _ = await run(s, "list | first 3 | update set title=\"y\" --yes")
        let last = await run(s, "journal | where run == last | count")
        #expect(last.out == "3\n", "\(last.err)")
        let all = await run(s, "journal since 1h | group by verb | select key count")
        #expect(all.out == "{\"key\":\"update\",\"count\":4}\n", "\(all.err)")
    }

    @Test func undoRestoresEveryTitleAndLeavesAloneAnItemChangedSince() async throws {
        let f = try await Fixture.make(items: 5)
        let journal = MemoryJournal()
        let s = session(f, journal)
        #expect(await run(s, "list | update set title=(\"t-\" + name) --yes").outcome.status == .success)
        let before = try await titles(f)
        #expect(await run(s, "list | update set title=\"oops\" --yes").outcome.status == .success)
        let mass = try #require(try journal.entries().last?.run)
        let changed = try #require(before.keys.sorted().first)
        try await f.service.update(id: changed, MediaUpdate(title: "changed by hand"))
        let r = await run(s, "undo \(mass) --yes")
        #expect(r.outcome.status == .success, "\(r.err)")
        let after = try await titles(f)
        for (id, title) in before where id != changed { #expect(after[id] == title) }
        #expect(after[changed] == "changed by hand")
        let rows = r.out.split(separator: "\n").map(String.init)
        #expect(rows.filter { $0.contains("\"status\":\"reverted\"") }.count == 4)
        let left = try #require(rows.first { $0.contains(changed) })
        #expect(left.contains("\"status\":\"skipped\"") && left.contains("changed since: title"), "\(left)")
        #expect(r.err.contains("undo: 4 reverted, 1 skipped"), "\(r.err)")
        // Run again: nothing is done twice.
        let again = await run(s, "undo \(mass) --yes")
        #expect(again.out.split(separator: "\n").filter { $0.contains("already undone") }.count == 4, "\(again.out)")
        #expect(try await titles(f) == after)
    }

    @Test func undoIsAnActionDryRunAndLimitsSendNothing() async throws {
        let f = try await Fixture.make(items: 3)
        let journal = MemoryJournal()
        let s = session(f, journal)
        _ = await run(s, "list | update set title=\"oops\" --yes")
        let dry = await run(s, "undo --dry-run")
        #expect(dry.err.contains("undo --dry-run: would undo 3 items"), "\(dry.err)")
        let limited = await run(s, "set max-update 2; undo --yes")
        #expect(limited.outcome.status != .success && limited.err.contains("max-update 2"), "\(limited.err)")
        let asked = await run(s, "set max-update none; undo")
        #expect(asked.err.contains("no terminal to ask at"), "\(asked.err)")
        #expect(try await titles(f).values.allSatisfy { $0 == "oops" })
    }

    @Test func deleteWithBackupKeepsPrivateCheckedCopiesAndUndoRestoresThem() async throws {
        let f = try await Fixture.make(items: 3)
        let journal = MemoryJournal()
        let s = session(f, journal)
        _ = await run(s, "list | update set title=(\"t-\" + name) description=\"d\" public=true --yes")
        let before = try await items(f).sorted { $0.originalFileName ?? "" < $1.originalFileName ?? "" }
        let del = await run(s, "list | delete --backup kept --yes")
        #expect(del.outcome.status == .success, "\(del.err)")
        #expect(try await items(f).isEmpty)
        let kept = f.directory.appendingPathComponent("kept")
        #expect(try FileManager.default.attributesOfItem(atPath: kept.path)[.posixPermissions] as? Int == 0o700)
        for item in before {
            let content = kept.appendingPathComponent(item.id).appendingPathComponent("content")
            #expect(try FileManager.default.attributesOfItem(atPath: content.path)[.posixPermissions] as? Int == 0o600)
            #expect(try FileManager.default.attributesOfItem(atPath: content.deletingLastPathComponent().path)[.posixPermissions] as? Int == 0o700)
            #expect(try MD5.hex(of: content) == item.etag)
        }
        let undo = await run(s, "undo --yes")
        #expect(undo.outcome.status == .success, "\(undo.err)")
        #expect(undo.out.split(separator: "\n").allSatisfy { $0.contains("restored as ") }, "\(undo.out)")
        let after = try await items(f).sorted { $0.originalFileName ?? "" < $1.originalFileName ?? "" }
        #expect(after.count == 3)
        for (a, b) in zip(before, after) {
            #expect(a.id != b.id)
            #expect(a.etag == b.etag && a.size == b.size && a.originalFileName == b.originalFileName && a.title == b.title
                    && a.description == b.description && a.isPublic == b.isPublic && a.mimeType == b.mimeType)
        }
        // The undo is itself undoable: undoing it deletes the restored items again, keeping the backup.
        let undoRun = try #require(try journal.entries().last?.run)
        let redo = await run(s, "undo \(undoRun) --yes")
        #expect(redo.outcome.status == .success, "\(redo.err)")
        #expect(try await items(f).isEmpty)
    }

    @Test func aDeleteWithoutBackupCannotBeUndoneAndSaysSo() async throws {
        let f = try await Fixture.make(items: 2)
        let journal = MemoryJournal()
        let s = session(f, journal)
        _ = await run(s, "list | delete --yes")
        let r = await run(s, "undo --yes")
        #expect(r.out.split(separator: "\n").count == 2 && r.out.split(separator: "\n").allSatisfy { $0.contains("cannot undo: no backup") }, "\(r.out)")
        #expect(try journal.entries().filter { $0.verb == "delete" }.allSatisfy { $0.item?.etag != nil })
    }

    @Test func anItemWhoseBackupFailsIsNotDeleted() async throws {
        let f = try await Fixture.make(items: 2)
        let journal = MemoryJournal()
        let s = session(f, journal)
        let ids = try await items(f).map(\.id)
        let kept = f.directory.appendingPathComponent("kept")
        try FileManager.default.createDirectory(at: kept, withIntermediateDirectories: true)
        // A file where the item's backup folder would go.
        try Data("in the way".utf8).write(to: kept.appendingPathComponent(ids[0]))
        let r = await run(s, "list | delete --backup kept --yes")
        #expect(r.outcome.status == .failure)
        #expect(r.out.contains("not deleted: the backup failed"), "\(r.out)")
        #expect(try await items(f).map(\.id) == [ids[0]])
    }

    @Test func setBackupAppliesToEveryDelete() async throws {
        let f = try await Fixture.make(items: 1)
        let journal = MemoryJournal()
        let s = session(f, journal)
        let r = await run(s, "set backup \"kept\"; list | delete --yes")
        #expect(r.outcome.status == .success, "\(r.err)")
        let e = try #require(try journal.entries().last)
        #expect(e.backup == f.directory.appendingPathComponent("kept").appendingPathComponent(e.id).path)
    }

    @Test func eachRunbookBlockIsARunWithItsHeadingAsOrigin() async throws {
        let f = try await Fixture.make(items: 4)
        let journal = MemoryJournal()
        let shell = Shell(service: f.service, environment: ShellEnvironment(now: { Fixture.now }, assumeYes: true, workingDirectory: f.directory, journal: journal))
        let markdown = "# Book\n\n## Retitle\n```mediash\nlist | first 2 | update set title=\"a\"\n```\n## Clean\n```mediash\n\nlist | first 1 | delete\n```\n"
        let (outcome, _) = await RunbookRun().run(try Runbook(name: "book.md", text: markdown), in: shell, out: TextBuffer(), err: TextBuffer())
        #expect(outcome.status == .success)
        let e = try journal.entries()
        #expect(e.map(\.origin) == [###"book.md:5 "## Retitle""###, ###"book.md:5 "## Retitle""###, ###"book.md:10 "## Clean""###])
        #expect(e[0].run == e[1].run && e[1].run != e[2].run && e[2].run != nil)
    }
}
