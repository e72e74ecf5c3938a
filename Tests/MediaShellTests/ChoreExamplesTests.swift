import Foundation
import Testing
@testable import MediaShell

/// Issue 15's everyday chores, each one pipeline: shown as an example on a `help` page, run
/// against a seeded store like every example (VerbExamplesTests holds each one's output to
/// VerbExamples.golden), and here checked to succeed; a few are checked against what the
/// store's items say, worked out apart from the shell.
@Suite struct ChoreExamplesTests {
    static let chores: [(chore: String, topic: String, source: String)] = [
        ("computed fields (in sort by too)", "sort", "list | sort by len(name) desc, name | first 3 | select name"),
        ("size in MB, age in days", "select", "list | first 2 | select name, mb = size / 1MB, age = (now - created) / 1d"),
        ("date parts", "functions", "list | where year(created) == 2026 | count"),
        ("per day over two weeks", "group", "list since 14d | group by day = date(created) with count | sort by day"),
        ("items created on weekends", "functions", "list | where weekday(created) in [\"Sat\", \"Sun\"] | count"),
        ("several aggregates per group", "group", "list | group by mime with count, sum(size), avg(size), pct(size)"),
        ("aggregates without a key", "group", "list | group with count, sum(size), max(created)"),
        ("share of the total", "group", "list | group by mime with share = pct(size) | sort by share desc"),
        ("text functions", "functions", "list | where lower(name) like \"*.wav\" | count"),
        ("case-insensitive match", "where", "list | where size between 50KB and 90KB and name =~ /FILE1/i | select name size"),
        ("membership against a query ($dups.key)", "where", "let dups = list | group by mime | where count > 2; list | where mime in $dups.key | count"),
        ("membership against a query (in one line)", "where", "list | where mime in (list | group by mime | where count > 2 | select key) | count"),
        ("folder upload that syncs", "upload", "upload recordings --skip-existing | select name size"),
        ("reuse with source", "source", "source lib.msh; list | big 50KB | count"),
        ("between", "where", "list | where created between 2026-11-01 and 2026-11-15 | count"),
        ("coalesce", "functions", "list | first 2 | select name, label = coalesce(title, name)"),
    ]

    /// What the example prints, and its status, on the examples' store.
    private func run(_ source: String) async throws -> (out: String, rest: String) {
        let section = try await VerbExamplesTests.section(running: source)
        let body = section.drop { $0 != "\n" }.dropFirst()
        let parts = body.components(separatedBy: "--- stderr\n")
        return (parts.first ?? "", parts.dropFirst().joined())
    }

    @Test(arguments: chores.map(\.source))
    func eachChoreIsOneLineOnAHelpPageThatRuns(_ source: String) async throws {
        let chore = try #require(Self.chores.first { $0.source == source })
        let f = try await Fixture.make(items: 1)
        let help = await f.run("help \(chore.topic)")
        #expect(help.out.contains("  \(source)\n"), "help \(chore.topic) does not show the example for \(chore.chore)")
        #expect(VerbExamplesTests.examples.contains(source), "not run against VerbExamples.golden: \(source)")
        let (out, rest) = try await run(source)
        #expect(rest.hasSuffix("--- status success\n\n") && !rest.contains("error"), "\(chore.chore): \(rest)")
        #expect(!out.isEmpty, "\(chore.chore) printed nothing")
    }

    /// The store's creation times (as VerbExamplesTests seeds it): every three days from 2026-10-20.
    static let created = (0..<12).map { date("2026-10-20T00:00:00Z").addingTimeInterval(Double($0) * 3 * 86_400) }

    @Test func theAnswersAreTheStoresAnswers() async throws {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let weekend = Self.created.filter { utc.isDateInWeekend($0) }.count
        #expect(try await run("list | where weekday(created) in [\"Sat\", \"Sun\"] | count").out == "\(weekend)\n")
        let november = Self.created.filter { $0 >= date("2026-11-01T00:00:00Z") && $0 <= date("2026-11-15T00:00:00Z") }.count
        #expect(try await run("list | where created between 2026-11-01 and 2026-11-15 | count").out == "\(november)\n")
        // Both forms of membership say the same: the items of an extension that more than two items have.
        let extensions = (0..<12).map { Fixture.extensions[$0 % Fixture.extensions.count] }
        let common = extensions.filter { e in extensions.filter { $0 == e }.count > 2 }.count
        #expect(try await run("list | where mime in (list | group by mime | where count > 2 | select key) | count").out == "\(common)\n")
        #expect(try await run("let dups = list | group by mime | where count > 2; list | where mime in $dups.key | count").out == "\(common)\n")
        // The shares add up to all of it, largest first.
        let shares = try await run("list | group by mime with share = pct(size) | sort by share desc | json").out
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(shares.utf8)) as? [[String: Any]])
        let values = rows.compactMap { $0["share"] as? Double }
        #expect(values.count == 4 && values == values.sorted(by: >))
        #expect(abs(values.reduce(0, +) - 100) < 0.01, "\(values)")
        // A rerun of the upload is a sync: nothing is new the second time.
        #expect(try await run("upload recordings --skip-existing | count; upload recordings --skip-existing | count").out == "3\n0\n")
        // Two weeks back from 2026-11-28: the items of 11-14 … 11-26, one a day that has one.
        let days = Self.created.filter { $0 >= date("2026-11-14T00:00:00Z") }.count
        #expect(try await run("list since 14d | group by day = date(created) with count | sort by day | count").out == "\(days)\n")
    }

    /// The `let` and `def` pages' examples, their notes left off and the templates (`let NAME =
    /// PIPELINE`) left out, run in order as one program: each page's lines build on each other.
    @Test(arguments: ["let", "def"])
    func aTopicPagesExamplesRunInOrder(_ topic: String) async throws {
        let page = try #require(HelpTopics.page(topic))
        let lines = page.split(separator: "\n").filter { $0.hasPrefix("  ") }
            .compactMap { $0.dropFirst(2).components(separatedBy: "  ").first?.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && $0.range(of: "[A-Z]{3,}", options: .regularExpression) == nil }
        #expect(lines.count >= 2, "\(lines)")
        let f = try await Fixture.make(items: 12)
        let r = await f.run(lines.joined(separator: "\n"))
        #expect(r.outcome.status == .success && r.err.isEmpty, "help \(topic): \(lines) \(r.err)")
        #expect(!r.out.isEmpty)
    }
}
