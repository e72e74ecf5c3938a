import Foundation
import MediaAPI
import MediaMemory
import Testing
@testable import MediaShell

/// Issue 32 point 8: what mediash prints cannot be turned against its reader. The table escapes
/// control, C1 and bidi characters; JSON writes them as \u escapes (the same values, read back);
/// CSV escapes them and disarms formula cells unless `csv-exact` asks for every byte.
@Suite struct OutputSafetyTests {
    static let hostile = "evil\u{1b}]52;c;cHduZWQ=\u{07}\u{7f}\u{9b}2J\u{202e}gnp.exe\u{2066}\u{061c}\u{200f}\u{2028}"
    static let steering: Set<UInt32> = [0x1b, 0x07, 0x7f, 0x9b, 0x202e, 0x2066, 0x061c, 0x200f, 0x2028]

    /// A store of items with the titles given, in this order (oldest first).
    static func fixture(titles: [String]) async throws -> Fixture {
        let f = try await Fixture.make(items: titles.count)
        var items: [MediaItem] = []
        for try await item in f.service.list(MediaQuery(order: .ascending)) { items.append(item) }
        for (item, title) in zip(items, titles) { try await f.service.update(id: item.id, MediaUpdate(title: title)) }
        return f
    }

    static func clean(_ text: String) -> Bool { !text.unicodeScalars.contains { steering.contains($0.value) } }

    @Test func jsonEscapesWhatSteersATerminalAndReadsBackTheSame() async throws {
        let f = try await Self.fixture(titles: [Self.hostile])
        for format in ["json", "jsonl"] {
            let r = await f.run("list | select title | \(format)")
            #expect(Self.clean(r.out), "\(format): \(r.out.debugDescription)")
            #expect(r.out.contains(#"evil\u001b]52;c;cHduZWQ=\u0007\u007f\u009b2J\u202egnp.exe\u2066\u061c\u200f\u2028"#), "\(format): \(r.out)")
            let line = r.out.split(separator: "\n").first { $0.contains("title") }.map(String.init) ?? ""
            let object = try JSONSerialization.jsonObject(with: Data(line.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "[,")).utf8))
            #expect((object as? [String: Any])?["title"] as? String == Self.hostile, "\(format): the same value")
        }
        // Text that steers nothing is written as it is (é, CJK, emoji are not escaped).
        let plain = try await Self.fixture(titles: ["café 日本 🎵 \u{2030}"])
        #expect(await plain.run("list | select title | jsonl").out == "{\"title\":\"café 日本 🎵 \u{2030}\"}\n")
    }

    @Test func csvEscapesAndDisarmsFormulasByDefault() async throws {
        let titles = [Self.hostile, "=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-3", "@SUM(A1)", "\tTAB", "\rCR", "plain, with comma", "multi\nline"]
        let f = try await Self.fixture(titles: titles)
        for run in ["list | sort by created | select title | csv", "set output csv; list | sort by created | select title"] {
            let r = await f.run(run)
            #expect(Self.clean(r.out), "\(r.out.debugDescription)")
            let expected = """
                title
                evil\\u{1b}]52;c;cHduZWQ=\\u{7}\\u{7f}\\u{9b}2J\\u{202e}gnp.exe\\u{2066}\\u{61c}\\u{200f}\\u{2028}
                "'=HYPERLINK(""http://x"",""y"")"
                '+1+2
                '-3
                '@SUM(A1)
                '\\u{9}TAB
                '\\u{d}CR
                "plain, with comma"
                "multi
                line"

                """
            #expect(r.out == expected, "\(r.out)")
        }
        // Numbers stay numbers, negative ones too.
        let numbers = await f.run("list | first 1 | select n = 0 - 5 | csv")
        #expect(numbers.out == "n\n-5\n", "\(numbers.out) \(numbers.err)")
        // csv-exact writes every byte as it is.
        let exact = await f.run("set output csv-exact; list | sort by created | select title")
        #expect(exact.out.contains(Self.hostile), "\(exact.out.debugDescription)")
        #expect(exact.out.contains("\n\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\n+1+2\n-3\n@SUM(A1)\n"), "\(exact.out)")
    }

    @Test func theTableEscapesAsBefore() async throws {
        let f = try await Self.fixture(titles: [Self.hostile])
        let r = await f.run("list | select title")
        #expect(Self.clean(r.out), "\(r.out.debugDescription)")
        #expect(r.out.contains(#"evil\u{1b}]52;c;cHduZWQ=\u{7}"#), "\(r.out)")
    }
}
