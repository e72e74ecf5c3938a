import Foundation
import MediaAPI
import Testing
@testable import MediaShell

/// Whole pipelines over the shared store of 300 items: item i is `file<i>.<ext>`, created at
/// 2026-11-15 + i hours, `Fixture.size(i)` bytes; the shell's clock reads 2026-11-28.
@Suite struct EndToEndTests {
    func values(_ source: String) async throws -> [Value] {
        try await SharedFixture.shared.get().shell().evaluate(source)
    }

    func expected(_ include: (Int) -> Bool) -> [Int] { (0..<300).filter(include) }

    @Test func countsAndFiltersMatchTheFixture() async throws {
        #expect(try await values("list | count") == [.int(300)])
        let since = date("2026-11-21T00:00:00Z")
        let recent = expected { Fixture.firstCreated.addingTimeInterval(Double($0) * 3600) >= since }
        #expect(try await values("list since 7d | count") == [.int(Int64(recent.count))])
        let big = expected { Fixture.size($0) > 1_000_000 }
        #expect(try await values("list | where size>1MB | count") == [.int(Int64(big.count))])
        #expect(try await values("list since 7d|where size>1MB|count") == [.int(Int64(big.filter(recent.contains).count))])
        let wavs = expected { Fixture.name($0).hasSuffix(".wav") && Fixture.size($0) > 50_000 }
        #expect(try await values("list | where size > 50KB and mime =~ \"wav\" | count") == [.int(Int64(wavs.count))])
        #expect(try await values("list | where name like \"FILE1?.WAV\" | count") == [.int(Int64(expected { $0 >= 10 && $0 < 20 && Fixture.name($0).hasSuffix(".wav") }.count))])
        #expect(try await values("list | where mime in [\"audio/mpeg\", \"image/png\"] | count") == [.int(Int64(expected { $0 % 5 == 1 || $0 % 5 == 3 }.count))])
        #expect(try await values("list | where not (mime !~ \"png\") | count") == [.int(60)])
    }

    @Test func aggregatesAreExact() async throws {
        let total = (0..<300).map(Fixture.size).reduce(0, +)
        #expect(try await values("list | sum size") == [.size(Int64(total))])
        #expect(try await values("list | avg size") == [.size(Int64((Double(total) / 300).rounded()))])
        #expect(try await values("list | max size") == [.size(Int64((0..<300).map(Fixture.size).max() ?? 0))])
        #expect(try await values("list | min created") == [.datetime(Fixture.firstCreated)])
        #expect(try await values("list | max downloads") == [.int(0)])
        let groups = try await values("list | group by mime")
        #expect(groups.count == 4)
        #expect(groups.first?.record?["key"] == .string("audio/wav"))
        #expect(groups.first?.record?["count"] == .int(120))
    }

    @Test func sortFirstLastSkipSelectReject() async throws {
        let top = try await values("list | sort by size desc, name | first 3 | select name size")
        let want = (0..<300).sorted { (Fixture.size($0), Fixture.name($1)) > (Fixture.size($1), Fixture.name($0)) }.prefix(3)
        #expect(top.map { $0.record?["name"] } == want.map { .string(Fixture.name($0)) })
        #expect(top.first?.record?.names == ["name", "size"])
        #expect(try await values("list | last 1 | select name") == [.record(Record(["name": .string("file0.wav")]))])
        #expect(try await values("list order asc | skip 2 | first 1 | select name") == [.record(Record(["name": .string("file2.txt")]))])
        let rejected = try await values("list | first 1 | reject etag size")
        #expect(rejected.first?.record?["etag"] == nil && rejected.first?.record?["media_size"] == nil && rejected.first?.record?["id"] != nil)
        #expect(try await values("list | uniq by mime | count") == [.int(4)])
    }

    @Test func timeArithmetic() async throws {
        let n = try await values("list | where created >= now - 7d + 12h and created < today | count")
        let from = date("2026-11-21T12:00:00Z"), to = date("2026-11-28T00:00:00Z")
        #expect(n == [.int(Int64(expected { let t = Fixture.firstCreated.addingTimeInterval(Double($0) * 3600); return t >= from && t < to }.count))])
        #expect(try await values("now - 2026-11-27") == [.duration(86_400)])
        #expect(try await values("1.5GiB + 500MB") == [.size(1_610_612_736 + 500_000_000)])
        #expect(try await values("[1, 2] ") == [.int(1), .int(2)])
    }

    @Test func letDefAndArguments() async throws {
        let f = try await SharedFixture.shared.get()
        let shell = f.shell { $0.arguments = ["1MB", "7d", "hello"] }
        #expect(try await shell.evaluate("list since $2 | where size > $1 | count") == [.int(Int64(expected { Fixture.size($0) > 1_000_000 && $0 >= 144 }.count))])
        #expect(try await shell.evaluate("$args") == [.size(1_000_000), .duration(604_800), .string("hello")])
        _ = try await shell.evaluate("let big = list | where size > 1MB\ndef newest [n] { sort by created desc | first $n }")
        #expect(try await shell.evaluate("$big | newest 2 | count") == [.int(2)])
        #expect(try await shell.evaluate("$big | count") == [.int(5)])
    }

    @Test func jsonCsvSaveAndOpenRoundTrip() async throws {
        let f = try await SharedFixture.shared.get()
        let dir = f.directory.appendingPathComponent("roundtrip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let shell = f.shell { $0.workingDirectory = dir }
        for ext in ["json", "jsonl", "csv"] {
            let r = await f.run("list | save all.\(ext)", shell: shell)
            #expect(r.outcome.status == .success, "\(r.err)")
            #expect(try await shell.evaluate("open all.\(ext) | where size > 1MB | count") == [.int(5)], "\(ext)")
            #expect(try await shell.evaluate("open all.\(ext) | where created >= 2026-11-21 | count") == [.int(156)], "\(ext)")
        }
        let csv = await f.run("list | where size > 1MB | sort by created | first 1 | select name size created | csv", shell: shell)
        #expect(csv.out == "name,size,created\nfile0.wav,2000000,2026-11-15T00:00:00.000Z\n")
        let json = await f.run("list | count | json", shell: shell)
        #expect(json.out == "300\n")
        let bad = await f.run("open missing.json", shell: shell)
        #expect(bad.outcome.status == .failure)
        #expect(bad.err.hasPrefix("<input>:1: error: cannot read"))
    }

    @Test func tableTruncatesToTheTerminal() async throws {
        let f = try await SharedFixture.shared.get()
        let r = await f.run("list | first 3 | select name mime size created") { $0.terminalWidth = 40 }
        let lines = r.out.split(separator: "\n")
        #expect(lines.count == 5)
        #expect(lines.allSatisfy { $0.count <= 40 })
        #expect(r.out.contains("…"))
    }

    @Test func wholeItemsAtATerminalShowTheColumnsThatMatterAndSayWhatIsHidden() async throws {
        let f = try await SharedFixture.shared.get()
        let r = await f.run("list | first 3") { $0.terminalWidth = 100 }
        let lines = r.out.split(separator: "\n").map(String.init)
        #expect(lines.count == 6)
        #expect(lines.allSatisfy { $0.count <= 100 })
        let header = lines[0].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        #expect(Array(header.prefix(1)) == ["id"])
        #expect(header.contains("original_file_name") && header.contains("media_size") && header.contains("time_created"))
        #expect(!header.contains("store_id") && !header.contains("etag"))
        // Ids are shown whole, for copying.
        for row in lines[2...4] {
            let id = String(row.prefix { $0 != " " })
            #expect(UUID(uuidString: id) != nil, "\(row)")
        }
        #expect(lines[5].hasPrefix("(+") && lines[5].contains("select picks"))
        // Columns picked with select are all shown, cut to fit, and nothing is said to be hidden.
        let picked = await f.run("list | first 3 | select id name title description etag") { $0.terminalWidth = 100 }
        #expect(picked.out.split(separator: "\n").count == 5)
        #expect(picked.out.split(separator: "\n").first?.contains("etag") == true)
    }

    @Test func typeErrorsStopBeforeAnyRequest() async throws {
        let f = try await Fixture.make(items: 3)
        let r = await f.run("list | update set title=\"x\" --yes\nlist | where created > 5MB | delete --yes")
        #expect(r.outcome.status == .usage)
        #expect(r.out.isEmpty)
        let titles = try await f.shell().evaluate("list | where title == \"x\" | count")
        #expect(titles == [.int(0)])
    }

    @Test func setChangesOutputForLaterStatements() async throws {
        let f = try await SharedFixture.shared.get()
        let r = await f.run("set output jsonl; list | first 1 | select name")
        #expect(r.out == "{\"name\":\"file299.wav\"}\n")
        let bad = await f.run("set output yaml")
        // Checked against the settings table before anything runs.
        #expect(bad.outcome.status == .usage)
        #expect(bad.err == "<input>:1:12: error: output takes table|json|jsonl|csv|csv-exact, not 'yaml'\n 1 | set output yaml\n   |            ^^^^\n")
        let exit = await f.run("exit 3; list | count")
        #expect(exit.outcome.exitCode == 3 && exit.out.isEmpty)
    }

    @Test func completions() async throws {
        let f = try await SharedFixture.shared.get()
        let shell = f.shell()
        #expect(shell.completions(line: "li", cursor: 2).candidates == ["list"])
        #expect(shell.completions(line: "list | where si", cursor: 15).candidates == ["size"])
        #expect(shell.completions(line: "list | delete --d", cursor: 17).candidates == ["--dry-run"])
        #expect(shell.completions(line: "list s", cursor: 6).candidates == ["since"])
        #expect(shell.completions(line: "list | download to ./b", cursor: 22).wantsPath)
        #expect(shell.verbs.contains { $0.name == "where" } && !shell.verbs.contains { $0.name == ValueVerb.name })
    }
}
