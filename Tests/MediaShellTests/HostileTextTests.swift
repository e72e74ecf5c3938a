import Foundation
import MediaAPI
import Testing
@testable import MediaShell

/// Text a server chose: escaped before it reaches a terminal, and made a plain file name before
/// it reaches the file system.
@Suite struct HostileTextTests {
    @Test(arguments: [
        ("plain ascii", "plain ascii"),
        ("caf\u{e9} \u{1F3B5}", "caf\u{e9} \u{1F3B5}"),
        ("\u{1b}]0;pwned\u{07}", #"\u{1b}]0;pwned\u{7}"#),
        ("a\rb\u{08}c\u{7f}", #"a\u{d}b\u{8}c\u{7f}"#),
        ("\u{9b}2J\u{85}", #"\u{9b}2J\u{85}"#),
        ("abc\u{202e}gnp.exe\u{2066}\u{200f}\u{61c}", #"abc\u{202e}gnp.exe\u{2066}\u{200f}\u{61c}"#),
        ("two\nlines\tand tab", #"two\u{a}lines\u{9}and tab"#),
    ])
    func terminalTextEscapesWhatSteersTheTerminal(raw: String, shown: String) {
        #expect(TerminalText.escaped(raw) == shown)
    }

    @Test func messagesKeepTheirLines() {
        #expect(TerminalText.escaped("one\n\ttwo\u{1b}[2J", keepingLines: true) == "one\n\ttwo\\u{1b}[2J")
    }

    @Test func tableCellsHeadersAndScalarsAreEscaped() async throws {
        let title = "evil\u{1b}]0;pwned\u{07}"
        let record = Value.record(Record(names: ["id", "ti\u{1b}tle"], values: [.string("a"), .string(title)]))
        let sink = TextBuffer()
        try await TableRenderer(width: nil).render(.of([record]), shape: .records(nil), to: sink)
        #expect(!sink.text.contains("\u{1b}") && !sink.text.contains("\u{07}"), "\(sink.text.debugDescription)")
        #expect(sink.text.contains(#"ti\u{1b}tle"#))
        #expect(sink.text.contains(#"evil\u{1b}]0;pwned\u{7}"#))
        let scalar = TextBuffer()
        try await TableRenderer(width: nil).render(.of([.string(title)]), shape: .scalar(.string), to: scalar)
        #expect(scalar.text == #"evil\u{1b}]0;pwned\u{7}"# + "\n")
    }

    @Test(arguments: [
        ("song.wav", "x", "song.wav"),
        ("..", "../.git/hooks/pre-commit", "_.._.git_hooks_pre-commit"),
        (".", "..", "item"),
        ("", "/etc/passwd", "_etc_passwd"),
        (nil, "abc", "abc"),
        ("  ", "id", "id"),
        ("a/b\\c", "x", "a_b_c"),
        ("nul\u{0}.wav", "x", "nul_.wav"),
        ("bell\u{07}\u{1b}[2J\u{85}.wav", "x", "bell__[2J_.wav"),
        ("invoice\u{202e}fdp.exe", "x", "invoice_fdp.exe"),
        (".bashrc", "x", "_.bashrc"),
        ("...", "...", "item"),
    ])
    func downloadNamesArePlainEntriesOfTheFolder(original: String?, id: String, name: String) {
        #expect(FileNames.safeName(original, id: id) == name)
    }

    @Test func overlongNamesAreCutKeepingTheExtension() {
        let ascii = FileNames.safeName(String(repeating: "a", count: 300) + ".wav", id: "x")
        #expect(ascii.utf8.count == FileNames.longestName)
        #expect(ascii.hasSuffix("a.wav"))
        // Cut at a character, never inside one: 3-byte characters.
        let wide = FileNames.safeName(String(repeating: "\u{97f3}", count: 100) + ".flac", id: "x")
        #expect(wide.utf8.count <= FileNames.longestName)
        #expect(wide.hasSuffix("\u{97f3}.flac"))
        let noExtension = FileNames.safeName(String(repeating: "b", count: 1000), id: "x")
        #expect(noExtension.utf8.count == FileNames.longestName)
    }

    /// Sizes from a file (or a server) that add up past Int64: the dry run's total and the
    /// confirmation's stay at the largest size instead of trapping.
    @Test func actionTotalsOfHugeSizesDoNotTrap() async throws {
        let f = try await Fixture.make(items: 0)
        defer { try? FileManager.default.removeItem(at: f.directory) }
        let line = #"{"id":"aaaaaaaa-bbbb-cccc-dddd-0123456789ab","media_size":9223372036854775807}"#
        try Data((line + "\n" + line.replacingOccurrences(of: "ab\"", with: "ac\"") + "\n").utf8)
            .write(to: f.directory.appendingPathComponent("huge.jsonl"))
        let dry = await f.run("open huge.jsonl | delete --dry-run")
        #expect(dry.err.contains("would delete 2 items"), "\(dry.err)")
        let asked = ConfirmationBox()
        let confirmed = await f.run("open huge.jsonl | delete") { env in
            env.confirm = { request in asked.set(request.totalBytes); return false }
        }
        #expect(asked.value == Int64.max, "\(confirmed.err)")
    }

    /// Ids a result carried (a server's, or a file's through `open`) are offered after `info `
    /// only when they are plain words: a completion must not type a pipe, a quote, a space or a
    /// terminal escape into the user's line.
    @Test func completionOffersOnlyPlainIDs() async throws {
        let f = try await Fixture.make(items: 0)
        let ids = ["plain-1", "ok_2.v", "a b", "x|delete --yes", "\u{1b}[2Jhi", "q\"uote", "semi;colon", String(repeating: "a", count: 200)]
        let lines = try ids.map { String(decoding: try JSONSerialization.data(withJSONObject: ["id": $0]), as: UTF8.self) }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: f.directory.appendingPathComponent("ids.jsonl"))
        let shell = f.shell()
        let r = await f.run("open ids.jsonl", shell: shell)
        #expect(r.outcome.status == .success, "\(r.err)")
        let offered = shell.completions(line: "info ", cursor: 5).candidates
        #expect(offered.contains("plain-1") && offered.contains("ok_2.v"), "\(offered)")
        #expect(!offered.contains { $0.contains(where: { " |;\"\u{1b}".contains($0) }) || $0.count > 128 }, "\(offered)")
    }
}

/// What a confirmation was asked about.
private final class ConfirmationBox: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: Int64?
    func set(_ value: Int64) { lock.lock(); bytes = value; lock.unlock() }
    var value: Int64? { lock.lock(); defer { lock.unlock() }; return bytes }
}
