import Foundation
import Testing
@testable import MediaShell

/// Long and deep programs in the library itself: chains are flat, nesting has a stated limit,
/// user verbs cannot expand past it, arithmetic never traps, and nonsense counts fail the check.
@Suite struct LimitsTests {
    static let tooDeep = "nested too deeply: more than \(Parser.nestingLimit) levels"

    @Test func aLongChainIsOneFlatNode() throws {
        let e = try predicate("list | where " + Array(repeating: "size > 2B", count: 3000).joined(separator: " and "))
        guard case .chain(let first, let steps) = e.kind else { throw RunError("not a chain: \(e.kind)") }
        #expect(steps.count == 2999 && steps.allSatisfy { $0.op == .and })
        guard case .binary(.greater, _, _) = first.kind else { throw RunError("first operand: \(first.kind)") }
    }

    @Test func chainsKeepPrecedenceAndPrintBack() throws {
        let e = try predicate("list | where size - 1B - 2B > 3B or not (size > 1B and size < 2B) and size * 2 / 3 == 4B - (5B - 6B)")
        #expect(e.description == "size - 1B - 2B > 3B or not (size > 1B and size < 2B) and size * 2 / 3 == 4B - (5B - 6B)")
    }

    @Test func nestingAtTheLimitParsesAndOnePastIsRefusedAtItsPlace() {
        let limit = Parser.nestingLimit
        let at = "list | where " + String(repeating: "(", count: limit) + "size > 2B" + String(repeating: ")", count: limit)
        #expect(diagnose(at) == "")
        let past = "list | where " + String(repeating: "(", count: limit + 1) + "size > 2B" + String(repeating: ")", count: limit + 1)
        let said = diagnose(past)
        #expect(said.contains(LimitsTests.tooDeep))
        // The caret is under the parenthesis that goes one level too deep.
        #expect(said.hasPrefix("<input>:1:\(14 + limit): error:"), "\(said.prefix(200))")
    }

    @Test(arguments: [
        ("parentheses", "list | where " + String(repeating: "(", count: 5000) + "true" + String(repeating: ")", count: 5000)),
        ("lists", String(repeating: "[", count: 5000) + "1" + String(repeating: "]", count: 5000)),
        ("not", "list | where " + String(repeating: "not ", count: 5000) + "true"),
        ("unary minus", String(repeating: "- ", count: 5000) + "1"),
        ("explain", String(repeating: "explain ", count: 5000) + "list"),
        ("parentheses in a pipeline in parentheses", "list | where size > (list | where " + String(repeating: "(", count: 5000) + "true" + String(repeating: ")", count: 5000) + " | count)"),
    ])
    func deepNestingIsACheckError(_ shape: String, _ source: String) async throws {
        #expect(diagnose(source).contains(LimitsTests.tooDeep), "\(shape)")
        let f = try await Fixture.make(items: 3)
        let run = await f.run(source)
        #expect(run.outcome.status == .usage, "\(shape): \(run.err.prefix(300))")
    }

    @Test func pipelinesInParenthesesAtTheLimitRunInnerFirst() async throws {
        let limit = Parser.subpipelineLimit
        // The deepest the parser allows: pipelines in parentheses to their limit, and parentheses
        // inside the innermost up to the nesting limit. Each level keeps the items bigger than the
        // count of the level inside it: every item.
        func nested(_ levels: Int, parentheses: Int) -> String {
            "list | where size > " + String(repeating: "(list | where size > ", count: levels) + String(repeating: "(", count: parentheses) + "1"
                + String(repeating: ")", count: parentheses) + String(repeating: " | count)", count: levels) + " | count"
        }
        let f = try await Fixture.make(items: 3)
        let run = await f.run(nested(limit, parentheses: Parser.nestingLimit - limit))
        #expect(run.out == "3\n", "\(run.err.prefix(300))")
        let pipelinesTooDeep = "nested too deeply: more than \(limit) pipelines in parentheses inside each other"
        #expect(diagnose(nested(limit + 1, parentheses: 0)).contains(pipelinesTooDeep))
        let far = await f.run(nested(5000, parentheses: 0))
        #expect(far.outcome.status == .usage && far.err.contains(pipelinesTooDeep))
        #expect(diagnose(nested(limit, parentheses: Parser.nestingLimit - limit + 1)).contains(LimitsTests.tooDeep))
    }

    @Test func userVerbsCannotNestPastTheLimit() {
        // Each verb wraps its argument in 250 'not's: fine alone, too deep nine calls down.
        var program = "def v0 [x] { where $x }\n"
        for k in 1...9 {
            program += "def v\(k) [x] { v\(k - 1) (" + String(repeating: "not ", count: 250) + "$x) }\n"
        }
        program += "list | v9 true"
        let said = diagnose(program)
        #expect(said.contains("nested too deeply: more than \(Checker.treeDepthLimit) levels once user verbs' arguments are put in"), "\(said.prefix(400))")
    }

    @Test func userVerbsCannotExpandWithoutBound() {
        var stages = "def s0 [] { first 1 }\n"
        for k in 1...7 { stages += "def s\(k) [] { " + Array(repeating: "s\(k - 1)", count: 10).joined(separator: " | ") + " }\n" }
        #expect(diagnose(stages + "list | s7").contains("the program's user verbs expand to more than \(Checker.stageLimit) stages"))
        var terms = "def t0 [x] { where $x }\n"
        for k in 1...25 { terms += "def t\(k) [x] { t\(k - 1) ($x and $x) }\n" }
        #expect(diagnose(terms + "list | t25 true").contains("the program expands to more than \(Checker.nodeLimit) terms"))
    }

    @Test func longChainsRunAndExplain() async throws {
        let f = try await Fixture.make(items: 5)
        let terms = 20_000
        let chain = Array(repeating: "size > 0B", count: terms).joined(separator: " and ")
        let counted = try await f.shell().evaluate("list | where \(chain) | count")
        #expect(counted.first.map { if case .int(5) = $0 { true } else { false } } == true, "\(counted)")
        let sum = try await f.shell().evaluate(Array(repeating: "1", count: terms).joined(separator: " + "))
        #expect(sum.first.map { if case .int(Int64(terms)) = $0 { true } else { false } } == true, "\(sum)")
        let explained = await f.run("explain list | where created >= 2026-11-01 and \(chain)")
        #expect(explained.outcome.status == .success, "\(explained.err.prefix(300))")
        #expect(explained.out.contains("where created >= … → start_time"))
        #expect(explained.out.contains("where size > 0B and size > 0B"))
    }

    @Test func tenThousandStagesRunAndOneMoreIsACheckError() async throws {
        let f = try await Fixture.make(items: 5)
        let limit = Checker.pipelineStageLimit
        let counted = try await f.shell().evaluate("list" + String(repeating: " | skip 0", count: limit - 2) + " | count")
        #expect(counted.first.map { if case .int(5) = $0 { true } else { false } } == true, "\(counted)")
        let said = diagnose("list" + String(repeating: " | skip 0", count: limit))
        #expect(said.contains("a pipeline may have at most \(limit) stages"), "\(said.prefix(300))")
        // User verbs count the stages they run.
        let program = "def ten [] { " + Array(repeating: "skip 0", count: 10).joined(separator: " | ") + " }\nlist"
        #expect(diagnose(program + String(repeating: " | ten", count: limit / 10)).contains("a pipeline may have at most \(limit) stages"))
    }

    @Test(arguments: [
        ("9223372036854775807 + 1", "number too large"),
        ("0 - 9223372036854775807 - 2", "number too large"),
        ("9223372036854775807 * 2", "number too large"),
        ("(0 - 9223372036854775807 - 1) / -1", "number too large"),
        ("-(0 - 9223372036854775807 - 1)", "number too large"),
        ("1 / 0", "division by zero"),
        ("1B / 0", "division by zero"),
        ("1d / 0", "division by zero"),
        ("9000000000000000000B + 9000000000000000000B", "number too large"),
        ("-(0B - 9000000000000000000B - 223372036854775808B)", "size too large"),
        ("8000000TB * 2000", "size too large"),
        ("1000000000w * 100000", "duration too large"),
        ("now + 8000000000000000s + 8000000000000000s", "date out of range"),
        ("99999999999999999999.0 * 99999999999999999999.0 * 99999999999999999999.0 * 99999999999999999999.0 * 99999999999999999999.0 * 99999999999999999999.0 * 99999999999999999999.0 * 99999999999999999999.0 * 99999999999999999999.0 * 99999999999999999999.0 * 99999999999999999999.0 * 99999999999999999999.0 * 99999999999999999999.0 * 99999999999999999999.0 * 99999999999999999999.0 * 99999999999999999999.0", "number too large"),
    ])
    func arithmeticNeverTraps(_ source: String, _ message: String) async throws {
        let f = try await Fixture.make(items: 1)
        let run = await f.run(source)
        #expect(run.outcome.status == .failure, "\(source): \(run.out) \(run.err)")
        #expect(run.err.contains("<input>:1: error: \(message)"), "\(source): \(run.err)")
    }

    @Test(arguments: [
        ("list | first -3", "count must be 0 or more, not -3", "-3"),
        ("list | last -1", "count must be 0 or more, not -1", "-1"),
        ("list | skip -2", "count must be 0 or more, not -2", "-2"),
        ("list | first 3000000000", "count must be 0 or more, not 3000000000", "3000000000"),
        ("list | first 9223372036854775807 + 1", "number too large", "9223372036854775807 + 1"),
        ("exit 300", "status must be 0…255, not 300", "300"),
        ("exit -1", "status must be 0…255, not -1", "-1"),
        ("list | delete --yes concurrency 0", "concurrency must be 1…256, not 0", "0"),
        ("list | delete --yes concurrency 5000", "concurrency must be 1…256, not 5000", "5000"),
        ("set concurrency 0", "concurrency takes 1…256, not an int 0", "0"),
        ("set output yaml", "output takes table|json|jsonl|csv|csv-exact, not 'yaml'", "yaml"),
        ("list since -7d", "since needs a duration of 0 or more", "-7d"),
        ("list until -1h", "until needs a duration of 0 or more", "-1h"),
        ("list | first 1e30", "'1e30' is not a number, size or duration", "1e30"),
        ("list | first 99999999999999999999", "'99999999999999999999' is too large for an int", "99999999999999999999"),
        ("list | where size > 99999999999999TB", "'99999999999999TB' is too large a size", "99999999999999TB"),
    ])
    func nonsenseArgumentsFailTheCheck(_ source: String, _ message: String, _ underlined: String) async throws {
        let said = diagnose(source)
        #expect(said.contains("error: \(message)"), "\(said)")
        let lines = said.split(separator: "\n", omittingEmptySubsequences: false)
        let column = try #require(source.range(of: underlined, options: .backwards)).lowerBound.utf16Offset(in: source)
        #expect(lines.count >= 3 && lines[2].hasSuffix("| " + String(repeating: " ", count: column) + String(repeating: "^", count: underlined.count))
                || lines.count >= 3 && lines[2].contains("| " + String(repeating: " ", count: column) + String(repeating: "^", count: underlined.count) + " "),
                "\(said)")
        // Nothing runs, not even the statement before it (which would print 2).
        let f = try await Fixture.make(items: 2)
        let run = await f.run("list | count\n" + source)
        #expect(run.outcome.status == .usage, "\(run.err)")
        #expect(run.out.isEmpty, "the statement before ran: \(run.out)")
    }

    @Test func aLongLineShowsTheStretchAroundTheCaretAndErrorsAreCapped() {
        let source = "list | where " + Array(repeating: "nmae == \"x\"", count: 5000).joined(separator: " and ")
        let said = diagnose(source)
        #expect(said.hasSuffix("… and 4980 more errors\n"), "\(said.suffix(200))")
        #expect(said.utf8.count < 20_000, "\(said.utf8.count) bytes of diagnostics")
        let lines = said.split(separator: "\n")
        #expect(lines[1].contains("list | where nmae"))
        #expect(lines[2].hasSuffix("^^^^ a bare name is a field; text is quoted: \"nmae\""))
    }
}
