import Foundation
import MediaAPI
import Testing
@testable import MediaShell

/// Runbooks over the in-memory service: blocks run in order in one shell, are all checked
/// first, stop at the first failure, and say where in the Markdown file.
@Suite struct RunbookTests {
    struct Result {
        var out: String
        var err: String
        var outcome: RunOutcome
        var reports: [RunbookRun.BlockReport]
    }

    func run(_ f: Fixture, _ markdown: String, _ plan: RunbookRun = RunbookRun(), service: (any MediaService)? = nil,
             _ configure: (inout ShellEnvironment) -> Void = { _ in }) async throws -> Result {
        var env = ShellEnvironment(now: { Fixture.now }, assumeYes: true, workingDirectory: f.directory)
        configure(&env)
        let shell = Shell(service: service ?? f.service, environment: env)
        let runbook = try Runbook(name: "cleanup.md", text: markdown)
        let out = TextBuffer(), err = TextBuffer()
        let (outcome, reports) = await plan.run(runbook, in: shell, out: out, err: err)
        return Result(out: out.text, err: err.text, outcome: outcome, reports: reports)
    }

    func count(_ f: Fixture) async throws -> [Value] { try await f.shell().evaluate("list | count") }

    static let cleanup = """
        # Cleanup

        Prose is never run, and neither is a block of another language:

        ```bash
        list | delete --yes
        ```

        ## Count

        ```mediash name=count
        let small = list | where size < 1MB
        def tiny [n] { where size < $n }
        $small | count
        ```

        ## Remove the tiny ones

        ```mediash name=remove
        $small | tiny 20KB | delete
        ```

        ## Report

        ```mediash name=report
        list | count
        ```
        """

    @Test func blocksRunInOrderAndShareLetAndDef() async throws {
        let f = try await Fixture.make(items: 12)
        let tiny = (0..<12).filter { Fixture.size($0) < 20_000 }.count
        let r = try await run(f, Self.cleanup)
        #expect(r.outcome.status == .success, "\(r.err)")
        #expect(r.out.hasPrefix("11\n") && r.out.hasSuffix("deleted\n\(12 - tiny)\n"), "\(r.out)")
        #expect(r.reports.map(\.status) == [.ran, .ran, .ran])
        #expect(r.reports.map(\.line) == [11, 19, 25])
        #expect(r.reports[1].outcomes == [ActionTotals.Count(status: "deleted", count: tiny)])
        #expect(r.err.contains("\nrunbook cleanup.md: 3 ran, 0 failed, 0 skipped or not run\nline  block                    status  items      time\n"), "\(r.err)")
        #expect(r.err.contains("  19  ## Remove the tiny ones  ran     deleted \(tiny)"), "\(r.err)")
    }

    /// A mistake in the last block is found before the first runs: nothing is deleted.
    @Test func everyBlockIsCheckedBeforeAnyRuns() async throws {
        let f = try await Fixture.make(items: 5)
        let broken = Self.cleanup.replacingOccurrences(of: "```mediash name=report\nlist | count", with: "```mediash name=report\nlist | where sise > 1MB")
        let r = try await run(f, broken)
        #expect(r.outcome.status == .usage)
        #expect(r.err.hasPrefix("""
            cleanup.md:26:14: error: unknown field 'sise' — did you mean 'size'?
             26 | list | where sise > 1MB
                |              ^^^^ a bare name is a field; text is quoted: "sise"
              in "## Report" (block at line 25)
            cleanup.md: 1 error found before running: nothing ran

            """), "\(r.err)")
        #expect(r.reports.isEmpty && r.out.isEmpty)
        #expect(try await count(f) == [.int(5)])
    }

    /// The first failing block stops the runbook; its line and heading are named.
    @Test func theFirstFailureStops() async throws {
        let f = try await Fixture.make(items: 3)
        let markdown = """
            ## Fine
            ```mediash
            list | count
            ```
            ## Reads a file that is not there
            ```mediash
            open missing.csv | count
            ```
            ## Never reached
            ```mediash
            list | delete
            ```
            """
        let r = try await run(f, markdown)
        #expect(r.outcome.status == .failure && r.outcome.failedLine == 7)
        #expect(r.err.contains("cleanup.md:7: error: "), "\(r.err)")
        #expect(r.err.contains("  in \"## Reads a file that is not there\" (block at line 6)\n"), "\(r.err)")
        #expect(r.reports.map(\.status) == [.ran, .failed, .notRun])
        #expect(try await count(f) == [.int(3)])
    }

    /// `--from`: the blocks before run only their let, def and set, with actions only reporting.
    @Test func fromRunsEarlierBlocksDefinitionsOnly() async throws {
        let f = try await Fixture.make(items: 6)
        let markdown = """
            ## Setup
            ```mediash
            set max-delete 100
            let all = list
            list | first 2 | delete
            let gone = list | first 1 | delete
            ```
            ## Work
            ```mediash name=work
            $all | count
            ```
            """
        let service = InstrumentedService(f.service)
        let r = try await run(f, markdown, RunbookRun(selection: .from("work")), service: service)
        #expect(r.outcome.status == .success, "\(r.err)")
        #expect(r.out == "6\n")
        #expect(r.reports.map(\.status) == [.skipped, .ran])
        #expect(r.err.contains("delete --dry-run: would delete 1 item"), "\(r.err)")
        #expect(service.callCount == 0)
        #expect(try await count(f) == [.int(6)])

        let only = try await run(f, markdown, RunbookRun(selection: .only("work")), service: service)
        #expect(only.out == "6\n" && only.reports.map(\.status) == [.skipped, .ran])
        let unknown = try await run(f, markdown, RunbookRun(selection: .only("wrok")))
        #expect(unknown.outcome.status == .usage)
        #expect(unknown.err == "mediash: --only wrok: no block of cleanup.md has that name — did you mean 'work'? (names: work)\n")
    }

    @Test func stepSkipsAndQuits() async throws {
        let f = try await Fixture.make(items: 4)
        let answers = Locked<[RunbookRun.StepAnswer]>([.skip, .run, .quit])
        let plan = RunbookRun(step: { _ in answers.with { $0.removeFirst() } })
        let r = try await run(f, Self.cleanup, plan)
        // The first block is skipped, so the second has no $small: it fails when run.
        #expect(r.reports.map(\.status) == [.skipped, .failed, .notRun])
        #expect(try await count(f) == [.int(4)])
    }

    @Test func aDryRunDeletesNothingAndTheJournalNamesTheBlock() async throws {
        let f = try await Fixture.make(items: 8)
        let dry = try await run(f, Self.cleanup) { $0.dryRun = true }
        #expect(dry.outcome.status == .success)
        #expect(dry.reports[1].outcomes.first?.status == "would delete")
        #expect(try await count(f) == [.int(8)])

        let recorder = Recorder()
        let real = try await run(f, Self.cleanup) { $0.journal = recorder }
        #expect(real.outcome.status == .success)
        #expect(!recorder.entries.isEmpty && recorder.entries.allSatisfy { $0.runbook == "cleanup.md" && $0.block == 19 })
        #expect(recorder.entries.first?.jsonLine.contains(#""block":19,"#) == true)
    }

    @Test func aLimitSetInABlockHoldsForTheNext() async throws {
        let f = try await Fixture.make(items: 8)
        let markdown = "## Limits\n```mediash\nset max-delete 2\n```\n## Delete\n```mediash\nlist | delete\n```\n"
        let r = try await run(f, markdown)
        #expect(r.outcome.status == .failure && r.err.contains("cleanup.md:7: error: 'delete' would delete more than 2 items"), "\(r.err)")
        #expect(try await count(f) == [.int(8)])
    }

    @Test func problemsWithTheFileItself() {
        #expect(throws: Runbook.Problem.self) { try Runbook(name: "x.md", text: "```mediash\nlist\n") }
        do {
            _ = try Runbook(name: "x.md", text: "```mediash name=a\n```\n```mediash name=a\n```\n")
            Issue.record("two blocks of one name were taken")
        } catch {
            #expect(error.description == "x.md:3: error: a block named 'a' is already at line 1: names must differ")
        }
    }

    @Test func helpRunbooksExplainsThem() async throws {
        let f = try await SharedFixture.shared.get()
        let r = await f.run("help runbooks")
        #expect(r.out.hasPrefix("runbooks — a Markdown file is a program"), "\(r.out)")
        #expect(r.out.contains("--from NAME") && r.out.contains("max-delete"))
        #expect(await f.run("help").out.contains("runbooks"))
    }
}
