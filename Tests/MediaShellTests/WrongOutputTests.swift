import Foundation
import Testing
@testable import MediaShell

/// The outputs issue 15 found wrong, each held to what it should be.
@Suite struct WrongOutputTests {
    @Test func aggregatesOfNothingAreZeroOrNothing() async throws {
        let f = try await Fixture.make(items: 2)
        #expect(await f.run("list | where false | sum size").out == "0 B\n")
        #expect(await f.run("list | where false | sum downloads").out == "0\n")
        // avg, min and max of nothing are null: nothing in a table, null in JSON.
        for verb in ["avg size", "max created", "min size"] {
            #expect(await f.run("list | where false | \(verb)").out == "", "\(verb)")
            #expect(await f.run("list | where false | \(verb) | json").out == "null\n", "\(verb)")
        }
        #expect(await f.run("list | where false | group with count, sum(size), avg(size) | jsonl").out == "{\"count\":0,\"sum_size\":0,\"avg_size\":null}\n")
    }

    @Test func aCSVQuoteNeverClosedIsAnErrorNamingItsLine() async throws {
        let f = try await Fixture.make(items: 1)
        try Data("name,size\n\"a\nb\",1\nok,2\n\"x,3\n".utf8).write(to: f.directory.appendingPathComponent("bad.csv"))
        let r = await f.run("open bad.csv | count")
        #expect(r.err.contains("bad.csv:5: a quoted cell is never closed"), "\(r.err)")
        #expect(r.outcome.status == .failure)
        try Data("name,size\n\"a\nb\",1\n".utf8).write(to: f.directory.appendingPathComponent("good.csv"))
        #expect(await f.run("open good.csv | count").out == "1\n")
    }

    @Test func mistakesFoundBeforeRunningExitTwo() async throws {
        let f = try await Fixture.make(items: 2)
        for source in ["list | first -1", "exit 300", "help nosuch", "list since yesterday", "list | delete"] {
            let r = await f.run(source)
            #expect(r.outcome.status == .usage, "\(source): \(r.err)")
        }
        // Asking for help on 'let' is not a mistake.
        let help = await f.run("help let")
        #expect(help.outcome.status == .success && help.out.hasPrefix("let — name a value"))
        #expect(await f.run("help delte").err.contains("no verb or topic 'delte' — did you mean 'delete'?"))
        // With no terminal to ask at, nothing is deleted.
        #expect(await f.run("list | count").out == "2\n")
    }

    @Test func aWordWhereATimeGoesSaysWhatATimeLooksLike() async throws {
        let text = diagnose("list since yesterday")
        #expect(text.contains("error: 'yesterday' is not a time"))
        #expect(text.contains("a time looks like 7d (back from now), 12h, today, now - 1d, 2026-11-01 or 2026-11-01T14:00:00Z"))
        #expect(!text.contains("quote it if it is text"))
    }

    @Test func aSkippedItemsReasonIsItsNoteNotAnError() async throws {
        let f = try await Fixture.make(items: 2)
        _ = await f.run("list | download to out --yes")
        let again = await f.run("list | download to out --yes | jsonl")
        for line in again.out.split(separator: "\n") {
            let row = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(row["status"] as? String == "skipped")
            #expect(row["note"] as? String == "already there with the same content")
            #expect(row["error"] is NSNull, "\(line)")
        }
        #expect(again.out.split(separator: "\n").count == 2)
        #expect(again.err == "download: 2 skipped (0 B)\n")
    }
}
