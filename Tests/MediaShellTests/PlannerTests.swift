import Foundation
import MediaAPI
import Testing
@testable import MediaShell

/// Pushdown decisions: what becomes part of the API query and what stays local.
@Suite struct PlannerTests {
    let now = date("2026-11-28T00:00:00Z")

    func plan(_ source: String, concurrency: Int = 1) throws -> Plan {
        var verbs: [String: any Verb] = [:]
        for v in BuiltinVerbs.all { verbs[v.signature.name] = v }
        let (program, diagnostics) = parse(source)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        guard case .pipeline(let p)? = program.statements.first else { throw RunError("no pipeline") }
        let checker = Checker(verbs: verbs, userVerbs: [:], variables: [:])
        let stages = checker.check(p)
        #expect(checker.diagnostics.isEmpty, "\(checker.diagnostics)")
        return try Planner(interpreter: Interpreter(variables: [:], now: now), concurrency: concurrency).plan(stages)
    }

    func local(_ p: Plan) -> [String] {
        p.stages.dropFirst().map { s in
            s.verb.signature.name == "where" ? "where \(s.stage.argument("predicate")?.value.expression?.description ?? "")" : s.stage.text
        }
    }

    @Test("list pages time windows side by side only when nothing after it needs the order", arguments: [
        ("list | count", 16),
        ("list since 7d | where size > 1MB and mime =~ \"wav\" | count", 16),
        ("list | select id size | reject size | count", 16),
        ("list | delete | count", 16),
        ("list | update set title=\"x\" --dry-run | count", 16),
        // The records reach the output, a stage that needs the order, or a limit. An action's
        // rows reach the output in its items' order, so a preview and a run list them alike.
        ("list | delete", 1),
        ("list | where size > 1MB | delete concurrency 4", 1),
        ("list | delete | first 2", 1),
        ("list | update set title=\"x\" --dry-run", 1),
        ("list", 1),
        ("list | where size > 1MB", 1),
        ("list | first 10 | count", 1),
        ("list | sort by size | count", 1),
        ("list | last 3 | delete", 1),
    ])
    func windowsWhenOrderIsNotNeeded(source: String, windows: Int) throws {
        #expect(try plan(source, concurrency: 16).query?.windows == windows)
        #expect(try plan(source, concurrency: 1).query?.windows == 1)
    }

    @Test func explainSaysWhenListingIsInWindows() throws {
        let windows = ExplainRenderer.render(try plan("list | where size > 1MB | count", concurrency: 8))
        #expect(windows.contains("in up to 8 time windows paged side by side, items in any order"), "\(windows)")
        let inOrder = ExplainRenderer.render(try plan("list | where size > 1MB", concurrency: 8))
        #expect(inOrder.contains("pages from page_index=0 until the last"), "\(inOrder)")
    }

    @Test func sinceAndUntilBecomeTimes() throws {
        let p = try plan("list since 7d until 2026-11-27")
        #expect(p.query?.startTime == date("2026-11-21T00:00:00Z"))
        #expect(p.query?.endTime == date("2026-11-27T00:00:00Z"))
        #expect(p.query?.order == .descending)
        #expect(p.query?.limit == nil)
    }

    @Test func whereCreatedInsideAndIsPushedAndTheRestStays() throws {
        let p = try plan("list | where size > 1MB and created >= 2026-11-01 and created <= now - 1d")
        #expect(p.query?.startTime == date("2026-11-01T00:00:00Z"))
        #expect(p.query?.endTime == date("2026-11-27T00:00:00Z"))
        #expect(local(p) == ["where size > 1MB"])
    }

    @Test func strictBoundsArePushedButStillTestedLocally() throws {
        let p = try plan("list | where created > 2026-11-01")
        #expect(p.query?.startTime == date("2026-11-01T00:00:00Z"))
        #expect(local(p) == ["where created > 2026-11-01T00:00:00.000Z"])
        // explain shows the stage as written: the date the user typed, not its ISO form.
        #expect(p.stages.last?.stage.text == "where created > 2026-11-01")
    }

    @Test func fieldOnTheRightIsFlipped() throws {
        let p = try plan("list | where 2026-11-01 <= $it.created")
        #expect(p.query?.startTime == date("2026-11-01T00:00:00Z"))
        #expect(local(p).isEmpty)
    }

    @Test func orIsNotPushed() throws {
        let p = try plan("list | where created >= 2026-11-01 or size > 1MB")
        #expect(p.query?.startTime == nil)
        #expect(local(p).count == 1)
    }

    @Test func sortByCreatedBecomesOrderAndFirstBecomesLimit() throws {
        let p = try plan("list | sort by created | first 5")
        #expect(p.query?.order == .ascending)
        #expect(p.query?.limit == 5)
        #expect(p.query?.pageSize == 5)
        #expect(local(p) == ["first 5"])
    }

    @Test func firstAfterALocalFilterIsNotALimit() throws {
        let p = try plan("list | where size > 1MB | first 5")
        #expect(p.query?.limit == nil)
        #expect(local(p) == ["where size > 1MB", "first 5"])
    }

    @Test func sortByAnotherFieldStaysLocal() throws {
        let p = try plan("list | sort by size desc | first 3")
        #expect(p.query?.order == .descending)
        #expect(p.query?.limit == nil)
        #expect(local(p) == ["sort by size desc", "first 3"])
    }

    @Test func whereAfterAStopIsNotPushed() throws {
        let p = try plan("list | first 10 | where created >= 2026-11-01")
        #expect(p.query?.startTime == nil)
        #expect(p.query?.limit == 10)
    }

    @Test func explainShowsRequestsAndLocalStages() async throws {
        let f = try await SharedFixture.shared.get()
        let r = await f.run("explain list since 7d | where size>1MB and created <= 2026-11-27 | sort by created asc | first 3 | delete --dry-run")
        #expect(r.out == """
        API requests:
          GET /v3/media?order=ascending&page_size=100&start_time=2026-11-21T00:00:00.000Z&end_time=2026-11-27T00:00:00.000Z  (pages from page_index=0 until the last)
          DELETE /v3/media/{id}  for each item (not sent: --dry-run)
        Pushed down:
          since → start_time
          where created <= … → end_time
          sort by created → order=ascending
        Local stages:
          where size>1MB
          first 3
          delete --dry-run

        """)
        let limited = await f.run("explain list | first 2")
        #expect(limited.out.contains("GET /v3/media?order=descending&page_size=2  (pages from page_index=0, stopping after 2 items)"))
    }

    @Test func aFileSourceReadsOnlyTheFieldsTheRestOfThePipelineReads() throws {
        // Under both of their names, since a record may carry either.
        #expect(try plan(#"open x.json | where size > 1MB and mime =~ "wav" | count"#).sourceFields == ["size", "media_size", "mime", "mime_type"])
        #expect(try plan(#"open x.json | where size > 1MB | skip 1 | first 2 | where downloads >= 0 | count"#).sourceFields
                == ["size", "media_size", "downloads", "times_downloaded"])
        #expect(try plan("open x.json | count").sourceFields == [])
        #expect(try plan("open x.json | where $it.name =~ \"a\" | count").sourceFields == ["name", "original_file_name"])
        // Records reach the output, a verb that may read any field, or a predicate reading $it: all fields.
        for source in ["open x.json | where size > 1MB",
                       "open x.json | sort by name | count", "open x.json | where size > 1MB | first 1"] {
            #expect(try plan(source).sourceFields == nil, "\(source)")
        }
    }
}
