import Foundation
import Testing
@testable import MediaShell

@Suite struct ParserTests {
    func stages(_ source: String) -> [Stage] {
        let (program, diagnostics) = parse(source)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        guard case .pipeline(let p)? = program.statements.first else { return [] }
        return p.stages
    }

    func predicate(_ source: String) -> String {
        stages("list | where \(source)").last?.argument("predicate")?.value.expression?.description ?? ""
    }

    @Test func precedence() {
        #expect(predicate("a or b and not c") == "a or b and not c")
        #expect(predicate("(a or b) and c") == "(a or b) and c")
        #expect(predicate("size + 2 * 3 > 10") == "size + 2 * 3 > 10")
        #expect(predicate("(size + 2) * 3 > 10") == "(size + 2) * 3 > 10")
        #expect(predicate("mime not in [\"a\"]") == "not mime in [\"a\"]")
        #expect(predicate("size = 1MB") == "size == 1MB")
    }

    @Test func stagesAndArguments() {
        let s = stages("list since 7d until 2026-11-01 order asc | sort by size desc, name | first 5 | delete --dry-run concurrency 4")
        #expect(s.map(\.verb) == ["list", "sort", "first", "delete"])
        #expect(s[0].arguments.map(\.name) == ["since", "until", "order"])
        guard case .sortKeys(let keys)? = s[1].argument("by")?.value else { Issue.record("no sort keys"); return }
        #expect(keys.map { $0.field?.name } == ["size", "name"])
        #expect(keys.map(\.descending) == [true, false])
        #expect(s[3].has("dry-run"))
        #expect(s[3].argument("concurrency")?.value.expression?.description == "4")
    }

    @Test func bareWordsGlue() {
        let s = stages("list | download to ./backup-2026/a.b")
        #expect(s[1].argument("to")?.value.expression?.description == "\"./backup-2026/a.b\"")
        let ids = stages("info 3f2a-99 abc-123").first?.arguments("ids").compactMap(\.value.expression?.description)
        #expect(ids == ["\"3f2a-99\"", "\"abc-123\""])
    }

    @Test func statementsLetDefCommentsContinuation() {
        let (program, diagnostics) = parse("""
        # a comment
        let big = list | where size > 1MB   # trailing
        def old [days] {
          where created < now - $days
        }
        $big |
          old 30d | count; list | count
        """)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(program.statements.count == 4)
        guard case .definition(let d) = program.statements[1] else { Issue.record("no def"); return }
        #expect(d.parameters.map(\.name) == ["days"])
        guard case .pipeline(let p) = program.statements[2] else { Issue.record("no pipeline"); return }
        #expect(p.stages.map(\.verb) == [ValueVerb.name, "old", "count"])
    }

    @Test func assignments() {
        let s = stages("list | update set title=\"a b\" public=true max_downloads_allowed=3 description=draft --yes")
        guard case .assignments(let a)? = s[1].argument("set")?.value else { Issue.record("no assignments"); return }
        #expect(a.map(\.field.name) == ["title", "public", "max_downloads_allowed", "description"])
        // A bare name is a field: `description=draft` reads the field `draft` (the checker refuses it).
        #expect(a.map(\.value.description) == ["\"a b\"", "true", "3", "draft"])
        guard case .field("draft") = a[3].value.kind else { Issue.record("draft is not a field"); return }
    }

    @Test func explainTakesTheWholePipeline() {
        let s = stages("explain list | where size > 1MB | delete")
        guard case .pipeline(let p)? = s.first?.argument("pipeline")?.value else { Issue.record("no pipeline"); return }
        #expect(p.stages.map(\.verb) == ["list", "where", "delete"])
    }

    @Test func spansPointAtSource() {
        let source = "list | where size > 1MB"
        let s = stages(source)
        let e = s[1].argument("predicate")?.value.expression
        #expect(e.map { SourceText(text: source).text($0.span) } == "size > 1MB")
        #expect(s[1].verbSpan == SourceSpan(7, 12))
    }

    @Test func incompleteInput() async throws {
        let f = try await SharedFixture.shared.get()
        let shell = f.shell()
        #expect(shell.isIncomplete("list |"))
        #expect(shell.isIncomplete("list | where (size > 1MB"))
        #expect(shell.isIncomplete("def x [] {"))
        #expect(shell.isIncomplete("list | where name == \"ab"))
        #expect(!shell.isIncomplete("list | count"))
    }
}
