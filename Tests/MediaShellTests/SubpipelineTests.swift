import Foundation
import Testing
@testable import MediaShell

/// A pipeline in parentheses as a value: `where etag in (list | group by etag | where count > 1 | select key)`.
/// Checked with the pipeline holding it, run once before it, shown by `explain`.
@Suite struct SubpipelineTests: ShellRunning {
    /// The fixture's store behind a shell that counts its listings.
    private func counted(items: Int) async throws -> (Fixture, InstrumentedService, Shell) {
        let f = try await Fixture.make(items: items)
        let service = InstrumentedService(f.service)
        return (f, service, shell(f, service))
    }

    @Test func duplicatesByContentInOneLine() async throws {
        let f = try await Fixture.make(items: 3)
        try await f.uploadTwins()
        let r = await f.run("list | where etag in (list | group by etag | where count > 1 | select key) | sort by name | select name")
        #expect(r.out == "name\n─────\na.txt\nb.txt\n", "\(r.err)")
        #expect(r.outcome.status == .success)
        // `not in` the same list: the other three.
        #expect(await f.run("list | where etag not in (list | group by etag | where count > 1 | select key) | count").out == "3\n")
    }

    @Test func itRunsOncePerRunNotOncePerRecord() async throws {
        let (f, service, shell) = try await counted(items: 40)
        let r = await f.run("list | where mime in (list | group by mime | where count > 8 | select key) | count", shell: shell)
        // 40 items, extensions cycling wav, mp3, txt, png, wav: 16 wav, 8 each of the rest.
        #expect(r.out == "16\n", "\(r.err)")
        #expect(service.listCount == 2, "one listing for the pipeline, one for the part in parentheses")
        // Each run of the statement runs it again: its value is never stale.
        _ = await f.run("list | where mime in (list | group by mime | where count > 8 | select key) | count", shell: shell)
        #expect(service.listCount == 4)
    }

    @Test func oneValueIsThatValueAnywhereAnExpressionGoes() async throws {
        let f = try await Fixture.make(items: 10)
        let sizes = (0..<10).map(Fixture.size)
        let average = Double(sizes.reduce(0, +)) / 10
        let above = sizes.filter { Double($0) > average }.count
        #expect(await f.run("list | where size > (list | avg size) | count").out == "\(above)\n")
        // As a let's value, and as a stage of its own.
        #expect(sizes.max() == Fixture.size(0))
        #expect(await f.run("let big = (list | max size); list | where size == $big | select name").out == "name\n─────────\nfile0.wav\n")
        #expect(await f.run("(list | count) * 2").out == "20\n")
        #expect(await f.run("list | first 1 | select name, of = (list | count)").out == "name       of\n─────────  ──\nfile9.wav  10\n")
        // A source alone needs no '|': (list since 30d) is a pipeline too.
        #expect(await f.run("(list since 30d) | count").out == "10\n")
        #expect(await f.run("list | where id in (list since 30d | first 3 | select id) | count").out == "3\n")
    }

    @Test func aUserVerbIsAPipelineInParentheses() async throws {
        let f = try await Fixture.make(items: 3)
        try await f.uploadTwins()
        let r = await f.run("def dups [] { list | group by etag | where count > 1 | select key }\nlist | where etag in (dups) | count")
        #expect(r.out == "2\n", "\(r.err)")
    }

    @Test func recordsAgainstAValueIsACheckErrorBeforeAnyRequest() async throws {
        let (f, service, shell) = try await counted(items: 3)
        let r = await f.run("list | where etag in (list | group by etag | where count > 1) | count", shell: shell)
        #expect(r.outcome.status == .usage)
        #expect(r.err.contains("error: this pipeline gives records, so a string is never one of them: end it with one field — did you mean '(list | group by etag | where count > 1 | select key)'?"), "\(r.err)")
        #expect(r.out.isEmpty)
        #expect(service.listCount == 0)
    }

    @Test func fieldsKnownOnlyWhenItRunsAreCheckedThen() async throws {
        let f = try await Fixture.make(items: 4)
        _ = await f.run("list | first 2 | save two.jsonl")
        // `open`'s records have their fields only once read: one field each gives its values.
        let r = await f.run("list | where name in (open two.jsonl | select name) | count")
        #expect(r.out == "2\n", "\(r.err)")
        let several = await f.run("list | where name in (open two.jsonl) | count")
        #expect(several.outcome.status == .failure)
        #expect(several.err.contains("'in' compares a string with a list of records: name one of their fields ($list.key, or end a pipeline in parentheses with | select key)"), "\(several.err)")
    }

    @Test func mistakesInsideArePlacedInTheOuterLine() async throws {
        let (f, service, shell) = try await counted(items: 3)
        let line = "list | where etag in (list | where sise > 1MB | select etag) | count"
        let column = try #require(line.range(of: "sise")).lowerBound.utf16Offset(in: line) + 1
        let r = await f.run(line, shell: shell)
        #expect(r.outcome.status == .usage)
        #expect(r.err.contains("<input>:1:\(column): error: unknown field 'sise' — did you mean 'size'?"), "\(r.err)")
        // A parenthesis left open names the one it belongs to.
        let open = await f.run("list | where etag in (list | select etag | count", shell: shell)
        #expect(open.outcome.status == .usage)
        #expect(open.err.contains("expected '|' or ')' to close the pipeline in '(' at column 22"), "\(open.err)")
        // It starts with a source, like any pipeline.
        let noSource = await f.run("list | where size > (where size > 1MB | count) | count", shell: shell)
        #expect(noSource.err.contains("'where' needs input"), "\(noSource.err)")
        #expect(service.listCount == 0)
    }

    @Test func itOnlyReads() async throws {
        let (f, service, shell) = try await counted(items: 3)
        for (source, verb) in [
            ("list | where id in (list | delete --yes | select id) | count", "delete"),
            ("list | where size > (upload x.txt | count) | count", "upload"),
            ("list | where size > (list | count | json) | count", "json"),
            ("list | where size > (list | update set public=true --yes | count) | count", "update"),
        ] {
            let r = await f.run(source, shell: shell)
            #expect(r.outcome.status == .usage, "\(source)")
            #expect(r.err.contains("'\(verb)' cannot run in a pipeline in parentheses: it only reads"), "\(source): \(r.err)")
        }
        #expect(service.listCount == 0)
        #expect(await f.run("list | count").out == "3\n")
    }

    @Test func explainShowsItsPlanAndRunsNothing() async throws {
        let (f, service, shell) = try await counted(items: 3)
        let r = await f.run("explain list since 7d | where mime in (list since 1d | group by mime | where count > 1 | select key) | count", shell: shell)
        #expect(r.outcome.status == .success, "\(r.err)")
        #expect(r.out.contains("""
            Pipeline in parentheses 1, run once before the rest: (list since 1d | group by mime | where count > 1 | select key)
              API requests:
                GET /v3/media?order=descending&page_size=100&start_time=2026-11-27T00:00:00.000Z  (pages from page_index=0 until the last)
            """), "\(r.out)")
        #expect(r.out.contains("  where mime in (list since 1d | group by mime | where count > 1 | select key)\n"), "\(r.out)")
        #expect(service.listCount == 0)
    }
}

extension SubpipelineTests {
    @Test(arguments: [
        "list | where etag in (", "list | where etag in (list |", "list | where etag in (list | )", "list | where etag in (list | where ) | count",
        "list | where etag in (list | frob) | count", "list | where size > ((list | count) | count", "list | where size > (list | count)) | count",
        "(list | count", "(| list)", "list | where size in (list | select size\n| count", "def d [] { (list | count }",
    ])
    func brokenOnesAreUsageErrorsBeforeAnyRequest(_ source: String) async throws {
        let (f, service, shell) = try await counted(items: 2)
        let r = await f.run(source, shell: shell)
        #expect(r.outcome.status == .usage, "\(source): \(r.err)")
        #expect(r.err.contains("error:"), "\(source): \(r.err)")
        #expect(service.listCount == 0)
    }

    @Test func aBarBeforeTheCloseAsksForAVerb() async throws {
        let f = try await Fixture.make(items: 1)
        #expect(await f.run("list | where etag in (list | ) | count").err.contains("<input>:1:30: error: expected a verb after '|', found ')'"))
    }

    @Test func aRunbooksExplainShowsItToo() async throws {
        let (_, service, shell) = try await counted(items: 2)
        let plans = try shell.explain([SourceText(text: "list | where mime in (list | group by mime | where count > 1 | select key) | count")])
        #expect(plans.first?.contains("  Pipeline in parentheses 1, run once before the rest: (list | group by mime | where count > 1 | select key)\n") == true, "\(plans)")
        #expect(service.listCount == 0)
    }
}
