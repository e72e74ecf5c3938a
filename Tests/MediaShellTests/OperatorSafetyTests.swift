import Foundation
import MediaAPI
import MediaMemory
import Testing
@testable import MediaShell

/// Issue 31: a wrong command or a wrong answer never passes silently. Each test here failed
/// before the change it guards.
@Suite struct OperatorSafetyTests {
    // MARK: 1. One rule for names: a bare name is a field, text is quoted.

    @Test func aBareNameInAnUpdateReadsTheField() async throws {
        let f = try await Fixture.make(items: 2)
        let r = await f.run("list | sort by name | update set title=name --dry-run", { $0.output = .jsonl })
        #expect(r.outcome.status == .success, "\(r.err)")
        #expect(r.out.contains(#""change":"title: null → \"file0.wav\"""#), "\(r.out)")
        #expect(r.out.contains(#""change":"title: null → \"file1.mp3\"""#), "\(r.out)")
        #expect(!r.out.contains(#"→ \"name\""#), "the text 'name' is never stored: \(r.out)")
    }

    @Test func aNameThatIsNoFieldIsACheckErrorWithACaret() {
        #expect(diagnose("list | update set title=descr") == """
        <input>:1:25: error: unknown field 'descr' — did you mean 'description'?
         1 | list | update set title=descr
           |                         ^^^^^ a bare name is a field; text is quoted: "descr"

        """)
        for source in ["list | select x = nmae", "list | group by mim", "list | sort by lower(titel)", "list | where lower(nam) == \"a\""] {
            #expect(diagnose(source).contains("unknown field"), "\(source)")
        }
        #expect(diagnose("list | update set title=\"draft\" description=name") == "")
    }

    @Test func quotedTextIsStoredAsIt() async throws {
        let f = try await Fixture.make(items: 1)
        let r = await f.run("list | update set title=\"draft\" --yes | count")
        #expect(r.outcome.status == .success, "\(r.err)")
        #expect(await f.run("list | where title == \"draft\" | count").out == "1\n")
    }

    // MARK: 2. Empty is empty.

    @Test func anEmptyTextFieldIsNull() async throws {
        let f = try await Fixture.make(items: 3)
        var items: [MediaItem] = []
        for try await item in f.service.list(MediaQuery()) { items.append(item) }
        try await f.service.update(id: items[0].id, MediaUpdate(title: ""))
        try await f.service.update(id: items[1].id, MediaUpdate(title: "kept"))
        #expect(await f.run("list | where title == null | count").out == "2\n")
        #expect(await f.run("list | where title != null | select title").out.contains("kept"))
        #expect(diagnose("list | where title == \"\"").contains("an empty text field is null, so comparing it with \"\" never matches — did you mean '== null'?"))
        // Clearing a field that is already empty changes nothing, so nothing is sent.
        let clear = await f.run("list | where title == null | update set title=\"\" --yes | count")
        #expect(clear.err.contains("update: 2 unchanged"), "\(clear.err)")
    }

    // MARK: 4. Notices and exit codes that mean something.

    @Test func aDryRunOverALimitFailsWithTheRealRunsMessage() async throws {
        let f = try await Fixture.make(items: 3)
        let dry = await f.run("list | delete --dry-run", { $0.maxDelete = 1 })
        #expect(dry.outcome.status == .failure)
        #expect(dry.err.contains("'delete' would delete more than 1 item (3 in the preview; max-delete 1): a real run would send nothing"), "\(dry.err)")
        #expect(dry.out.components(separatedBy: "would delete").count == 4, "the preview is shown whole: \(dry.out)")
        let within = await f.run("list | delete --dry-run", { $0.maxDelete = 3 })
        #expect(within.outcome.status == .success, "\(within.err)")
        #expect(await f.run("list | count").out == "3\n")
    }

    @Test func anEmptyTableOnATerminalSaysSo() async throws {
        let f = try await Fixture.make(items: 2)
        #expect(await f.run("list | where size > 1TB", { $0.terminalWidth = 80 }).out == "no items\n")
        #expect(await f.run("list | where size > 1TB").out == "", "a pipe gets nothing")
        #expect(await f.run("list | where size > 1TB", { $0.terminalWidth = 80; $0.output = .json }).out == "[]\n")
    }

    @Test func anActionWithNothingToDoSaysSoAtAPromptAsUnderDashC() async throws {
        let f = try await Fixture.make(items: 2)
        let prompt = await f.run("list | where size > 1TB | delete", { $0.confirm = { _ in true }; $0.terminalWidth = 80 })
        let dashC = await f.run("list | where size > 1TB | delete --yes")
        #expect(prompt.err == "delete: nothing to do (0 B)\n", "\(prompt.err)")
        #expect(dashC.err == prompt.err)
        #expect(prompt.out == "" && dashC.out == "")
    }

    @Test func likeWithSQLWildcardsIsRefused() {
        #expect(diagnose("list | where title like \"%promo%\"").contains("'like' uses * and ?, not SQL's % and _: this pattern has no wildcard and matches only itself — did you mean '\"*promo*\"'?"))
        #expect(diagnose("list | where name like \"call_1.wav\"").contains("did you mean '\"call?1.wav\"'?"))
        #expect(diagnose("list | where name like \"call_*.wav\"") == "")
    }

    @Test func didYouMeanKnowsOtherToolsWords() {
        #expect(diagnose("list | head 5").contains("unknown verb 'head' — did you mean 'first'?"))
        #expect(diagnose("list | limit 5").contains("unknown verb 'limit' — did you mean 'first'?"))
        #expect(diagnose("list | take 5").contains("did you mean 'first'?"))
        #expect(diagnose("list | histogram").contains("did you mean 'group'?"))
        #expect(diagnose("list | delte").contains("did you mean 'delete'?"))
        let month = diagnose("list since 1mo")
        #expect(month.contains("no month unit") && !month.contains("1MB"), "\(month)")
    }

    @Test func aTimeIsNoText() async throws {
        #expect(diagnose("list | select lower(created)").contains("'lower' takes a string here, but this is a datetime"))
        #expect(diagnose("list | where created > \"2026-12-07T15:21:40\"").contains("cannot compare a datetime with a string"))
        // A file's records (the journal, a saved listing): `open` gives `time` its meaning back,
        // and the checker knows it before anything runs.
        let f = try await Fixture.make(items: 0)
        try Data(#"{"id":"a","time":"2026-12-07T15:00:00Z","verb":"delete"}"#.utf8).write(to: f.directory.appendingPathComponent("journal.jsonl"))
        let lower = await f.run("open journal.jsonl | select lower(time)")
        #expect(lower.outcome.status == .usage)
        #expect(lower.err.contains("'lower' takes a string here, but this is a datetime"), "\(lower.err)")
        let text = await f.run("open journal.jsonl | where time > \"2026-12-07T15:21:40\"")
        #expect(text.outcome.status == .usage)
        #expect(text.err.contains("cannot compare a datetime with a string") && text.err.contains("^") &&
                text.err.contains("a time is written without quotes: 2026-12-07T15:21:40"), "\(text.err)")
        #expect(await f.run("open journal.jsonl | where time > 2026-12-07T14:00:00Z | count").out == "1\n")
    }

    @Test func saveSaysWhyItCannotWrite() async throws {
        let f = try await Fixture.make(items: 1)
        let r = await f.run("list | save /nonexistent-\(UUID().uuidString)/out.csv")
        #expect(r.outcome.status == .failure)
        #expect(r.err.contains("No such file or directory (there is no folder /nonexistent-"), "\(r.err)")
    }

    @Test func explainWorksOutConstantsForLaterBlocks() throws {
        let shell = Shell(service: MemoryMediaService(account: "local"), environment: ShellEnvironment(arguments: ["7d"]))
        let plans = try shell.explain([
            SourceText(name: "a", text: "let keep = $1"),
            SourceText(name: "b", text: "list | where created < now - $keep | delete"),
        ])
        #expect(plans[0].contains("the value 1w, sends no request"), "\(plans[0])")
        #expect(!plans[1].contains("unknown variable"), "\(plans[1])")
        #expect(plans[1].contains("end_time="), "the bound is pushed down: \(plans[1])")
    }
}
