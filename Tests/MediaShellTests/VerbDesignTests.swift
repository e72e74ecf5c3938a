import Foundation
import MediaAPI
import Testing
@testable import MediaShell

/// The bugs of issue 12: each was a verb known by name outside its own file.
@Suite struct VerbDesignTests {
    // MARK: Settings: one table

    @Test func setDryRunTrueParsesAndTakesEffect() async throws {
        let f = try await SharedFixture.shared.get()
        let shell = f.shell { $0.assumeYes = false }
        let set = await f.run("set dry-run true", shell: shell)
        #expect(set.outcome.status == .success, "\(set.err)")
        // With dry-run on, delete only reports (no confirmation is asked, nothing is deleted).
        let run = await f.run("list | first 2 | delete", shell: shell)
        #expect(run.outcome.status == .success, "\(run.err)")
        #expect(run.err.contains("delete --dry-run: would delete 2 items"))
        #expect(try await shell.evaluate("list | count") == [.int(300)])
    }

    @Test func theDryrunAliasReachesTheSameSetting() async throws {
        let f = try await SharedFixture.shared.get()
        let shell = f.shell()
        #expect(await f.run("set dryrun true", shell: shell).outcome.status == .success)
        let run = await f.run("list | first 1 | delete", shell: shell)
        #expect(run.err.contains("delete --dry-run: would delete 1 item"))
    }

    @Test func anUnknownSettingSuggestsOneThatParses() async throws {
        let f = try await SharedFixture.shared.get()
        let r = await f.run("set dry-rn true")
        #expect(r.outcome.status == .usage)
        #expect(r.err.contains("found 'dry-rn' — did you mean 'dry-run'?"), "\(r.err)")
        // …and the suggestion itself is accepted.
        #expect(await f.run("set dry-run false").outcome.status == .success)
    }

    @Test func concurrencyHasOneRange() async throws {
        let f = try await SharedFixture.shared.get()
        let range = ShellSettings.concurrency
        #expect(range.usage == "1…256")
        let tooMany = await f.run("set concurrency 300")
        #expect(tooMany.outcome.status == .usage)
        #expect(tooMany.err.contains("concurrency takes 1…256"))
        #expect(await f.run("set concurrency 256").outcome.status == .success)
        // The same range, checked before anything runs.
        let action = await f.run("list | first 1 | delete --dry-run concurrency 1000")
        #expect(action.outcome.status == .usage)
        #expect(action.err.contains("concurrency must be 1…256"))
    }

    @Test func helpSetAndCompletionReadTheTable() async throws {
        let f = try await SharedFixture.shared.get()
        let shell = f.shell()
        let page = try await shell.evaluate("help set").first?.humanText ?? ""
        for s in ShellSettings.all { #expect(page.contains(s.name) && page.contains(s.usage), "\(s.name)") }
        #expect(shell.completions(line: "set ", cursor: 4).candidates == ShellSettings.all.map(\.name).sorted())
        #expect(shell.completions(line: "set output ", cursor: 11).candidates == ["csv", "csv-exact", "json", "jsonl", "table"])
        #expect(shell.completions(line: "set dry-run ", cursor: 12).candidates == ["false", "true"])
    }

    // MARK: Output verbs render, and only at the end

    @Test func anOutputVerbThatIsNotLastIsACheckError() async throws {
        let f = try await SharedFixture.shared.get()
        let r = await f.run("list | json | select name size")
        #expect(r.outcome.status == .usage)
        #expect(r.err.contains("'json' prints the results as json, so it must be the last stage"))
        #expect(r.out.isEmpty)
    }

    @Test func theLastStageChoosesTheFormatByItsShape() async throws {
        let f = try await SharedFixture.shared.get()
        let r = await f.run("list | first 1 | select name | csv")
        #expect(r.out == "name\nfile299.wav\n")
        // A host verb named like a format is not taken for one.
        let shell = f.shell()
        struct PassThrough: Verb {
            let signature = VerbSignature("json", .filter, summary: "not an output verb", output: .same)
            func run(_ call: VerbCall) async throws -> ValueStream { call.input }
        }
        shell.register(PassThrough())
        let table = await f.run("list | first 1 | select name | json", shell: shell)
        #expect(table.out.contains("file299.wav") && !table.out.contains("\"name\""))
    }

    // MARK: Completion walks the signatures

    @Test func completionByParameterShape() async throws {
        let f = try await SharedFixture.shared.get()
        let shell = f.shell()
        #expect(shell.completions(line: "list order ", cursor: 11).candidates == ["asc", "desc"])
        #expect(shell.completions(line: "list | sort by size ", cursor: 20).candidates.contains("desc"))
        #expect(shell.completions(line: "help de", cursor: 7).candidates == ["def", "delete"])
        #expect(shell.completions(line: "upload ", cursor: 7).wantsPath)
        #expect(!shell.completions(line: "upload a.wav title ", cursor: 19).wantsPath)
        #expect(shell.completions(line: "explain list | wh", cursor: 17).candidates == ["where"])
        #expect(shell.completions(line: "list | update set pub", cursor: 21).candidates == ["public"])
        _ = await f.run("list | first 1", shell: shell)
        let ids = shell.completions(line: "info ", cursor: 5).candidates
        #expect(ids.count == 1)
    }

    // MARK: User verbs and topics

    @Test func userVerbsHaveTheirOwnCategory() async throws {
        let f = try await SharedFixture.shared.get()
        let shell = f.shell()
        _ = try await shell.evaluate("def big [limit] { where size > $limit }")
        #expect(shell.verbs.first { $0.name == "big" }?.category == .user)
        let overview = try await shell.evaluate("help").first?.humanText ?? ""
        #expect(overview.contains("your verbs:\n  big"))
        // A user verb may be defined again; a built-in may not.
        #expect(await f.run("def big [n] { first $n }", shell: shell).outcome.status == .success)
        #expect(await f.run("def list [] { first 1 }", shell: shell).outcome.status == .usage)
    }

    @Test func helpCoversTheKeywords() async throws {
        let f = try await SharedFixture.shared.get()
        let shell = f.shell()
        for (topic, words) in [("def", "def NAME [PARAM"), ("let", "let NAME = PIPELINE"), ("syntax", "operators"), ("fields", "media_size (size)")] {
            let r = await f.run("help \(topic)", shell: shell)
            #expect(r.outcome.status == .success, "\(topic): \(r.err)")
            #expect(r.out.contains(words), "\(topic)")
        }
        let typo = await f.run("help dfe", shell: shell)
        #expect(typo.err.contains("did you mean 'def'"))
    }

    // MARK: Actions: typed status, policy

    @Test func statusesRankDoneThenSkippedThenFailed() {
        let sorted = [ActionStatus.failed, .skipped, .done("deleted")].sorted { $0.rank < $1.rank }
        #expect(sorted.map(\.text) == ["deleted", "skipped", "failed"])
        #expect(DeleteVerb.policy.destructive && UpdateVerb.policy.destructive && !DownloadVerb.policy.destructive)
        if case .skipped = DeleteVerb.policy.notFound {} else { Issue.record("deleting a missing item is not a failure") }
        if case .failure = UpdateVerb.policy.notFound {} else { Issue.record("updating a missing item fails") }
    }
}
