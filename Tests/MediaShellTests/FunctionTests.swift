import Foundation
import Testing
@testable import MediaShell

/// Functions, `between`, `/pattern/i`: checked before running, and what they compute.
@Suite struct FunctionTests {
    @Test func unknownFunctionNamesTheKnownOnes() async throws {
        let text = diagnose("list | where lowr(name) == \"x\"")
        #expect(text.contains("1:14: error: unknown function 'lowr' — did you mean 'lower'?"))
        #expect(text.contains("^^^^ functions: lower, upper, len"))
        // Not "'where' takes nothing more here", as before functions existed.
        #expect(!diagnose("list | where lower(name) == \"x\"").contains("error"))
        let f = try await Fixture.make(items: 1)
        let r = await f.run("list | where lowr(name) == \"x\"")
        #expect(r.outcome.status == .usage)
    }

    @Test func argumentsAreCheckedByKindAndNumber() {
        #expect(diagnose("list | where lower(size) == \"x\"").contains("error: 'lower' takes a string here, but this is a size"))
        #expect(diagnose("list | where round() > 1").contains("error: 'round' takes 1 or 2 arguments, given 0"))
        #expect(diagnose("list | where contains(name) ").contains("'contains' takes 2 arguments, given 1"))
        #expect(diagnose("list | where weekday(size) == \"Sat\"").contains("'weekday' takes a datetime here, but this is a size"))
        #expect(diagnose("list | where coalesce(title, size) == \"x\"").contains("'coalesce' needs arguments of one kind: a string, but this is a size"))
        // The result has a kind too: a weekday is text, compared with a number it is an error.
        #expect(diagnose("list | where weekday(created) == 6").contains("cannot compare a string with an int"))
        #expect(diagnose("list | where len(name) > 3 and round(size / 1MB, 1) >= 0.5 and year(created) == 2026") == "")
    }

    @Test func textFunctions() async throws {
        let f = try await Fixture.make(items: 5)
        #expect(await f.run("list | where name == \"file1.mp3\" | select u = upper(name), l = lower(\"ABC\"), n = len(name), c = contains(name, \"1.m\"), s = starts_with(name, \"file\"), e = ends_with(name, \".wav\") | jsonl").out
            == "{\"u\":\"FILE1.MP3\",\"l\":\"abc\",\"n\":9,\"c\":true,\"s\":true,\"e\":false}\n")
        // A null argument gives null; coalesce picks the first that is not.
        #expect(await f.run("list | first 1 | select t = lower(title), c = coalesce(title, description, \"none\") | jsonl").out
            == "{\"t\":null,\"c\":\"none\"}\n")
        #expect(await f.run("1.25 | round").err.contains("unknown verb 'round'"))
        #expect(await f.run("round(2.5)").out == "3\n")
        #expect(await f.run("round(2.345, 2)").out == "2.35\n")
        #expect(await f.run("round(90m / 1h)").out == "2\n")
        #expect(await f.run("round(1.5, 99)").err.contains("round: PLACES must be 0…15, not 99"))
    }

    @Test func betweenIncludesBothEnds() async throws {
        let f = try await Fixture.make(items: 5)
        // Sizes 1000 + (i * 7919) % 100000: 1000 (i=0 is 2 MB), 8919, 16838, 24757, 32676.
        #expect(await f.run("list | where size between 8919B and 24757B | count").out == "3\n")
        #expect(await f.run("list | where size not between 8919B and 24757B | count").out == "2\n")
        #expect(await f.run("list | where created between 2026-11-15T01:00:00Z and 2026-11-15T02:00:00Z | count").out == "2\n")
        #expect(await f.run("list | where len(name) between 9 and 9 | count").out == "5\n")
        #expect(diagnose("list | where size between 1MB and \"x\"").contains("cannot compare a size with a string"))
        #expect(diagnose("list | where size between 1MB").contains("expected 'and' and the high end after 'between 1MB'"))
    }

    @Test func caseInsensitiveRegularExpression() async throws {
        let f = try await Fixture.make(items: 5)
        #expect(await f.run("list | where name =~ \"FILE1\" | count").out == "0\n")
        #expect(await f.run("list | where name =~ /FILE1/i | count").out == "1\n")
        #expect(await f.run("list | where name !~ /\\.WAV$/i | count").out == "3\n")
        #expect(await f.run("list | where mime =~ /audio\\/mpeg/ | count").out == "1\n")
        #expect(diagnose("list | where name =~ /x/g").contains("unknown flag 'g' after /pattern/"))
        #expect(diagnose("list | where name =~ /x").contains("unterminated /pattern/"))
    }

    @Test func dateFunctionsReadTheShellsZone() async throws {
        let f = try await Fixture.make(items: 1, from: date("2026-11-28T23:30:00Z"))
        #expect(await f.run("list | select d = date(created), w = weekday(created), h = hour(created), y = year(created), m = month(created), day = day(created), k = week(created) | jsonl").out
            == "{\"d\":\"2026-11-28\",\"w\":\"Sat\",\"h\":23,\"y\":2026,\"m\":11,\"day\":28,\"k\":\"2026-W48\"}\n")
        let berlin = await f.run("list | select d = date(created), w = weekday(created), h = hour(created) | jsonl") { $0.timeZone = TimeZone(identifier: "Europe/Berlin") ?? .current }
        #expect(berlin.out == "{\"d\":\"2026-11-29\",\"w\":\"Sun\",\"h\":0}\n")
    }

    @Test func explainShowsWhatTheUserWrote() async throws {
        let f = try await Fixture.make(items: 1)
        let r = await f.run("explain list | where name =~ /a/i and created > now - 7d and size < 1.5MB")
        #expect(r.out.contains("where name =~ /a/i and created > now - 7d and size < 1.5MB"), "\(r.out)")
    }

    @Test func tablesShowTimesInTheShellsZoneAndSayWhich() async throws {
        let f = try await Fixture.make(items: 1, from: date("2026-11-28T23:30:00Z"))
        #expect(await f.run("list | select name created").out.contains("created (UTC)\n"))
        #expect(await f.run("list | select name created").out.contains("2026-11-28 23:30:00"))
        let berlin: @Sendable (inout ShellEnvironment) -> Void = { $0.timeZone = ShellEnvironment.zone(fromTZ: "Europe/Berlin") }
        let table = await f.run("list | select name created", berlin).out
        #expect(table.contains("created (Europe/Berlin)\n") && table.contains("2026-11-29 00:30:00"), "\(table)")
        #expect(await f.run("list | max created", berlin).out == "2026-11-29 00:30:00 Europe/Berlin\n")
        // Machines get UTC whatever the zone.
        #expect(await f.run("list | select created | jsonl", berlin).out == "{\"created\":\"2026-11-28T23:30:00.000Z\"}\n")
        // today is midnight in the zone: the fixed clock is 2026-11-28T00:00Z, which is the 27th in New York.
        #expect(await f.run("today | jsonl") { $0.timeZone = ShellEnvironment.zone(fromTZ: ":America/New_York") }.out == "\"2026-11-27T05:00:00.000Z\"\n")
        #expect(await f.run("today | jsonl").out == "\"2026-11-28T00:00:00.000Z\"\n")
        #expect(ShellEnvironment.zone(fromTZ: nil).identifier == ShellEnvironment.utc.identifier)
        #expect(ShellEnvironment.zone(fromTZ: "Nowhere/Special").identifier == ShellEnvironment.utc.identifier)
    }
}
