import Foundation
import Testing
@testable import MediaShell

/// Runs every example of every verb's signature, each as a test case of its own, against a fresh
/// store of 12 items (created three days apart from 2026-10-20) and a fixed clock (2026-11-28),
/// and compares what it prints (stdout, stderr, status) with its section of `VerbExamples.golden`.
/// Ids are random, so they print as <id>. MEDIASHELL_UPDATE_GOLDEN=1 rewrites the file (from
/// `theGoldenFileHoldsExactlyTheExamples`; run the suite again to compare against it).
@Suite struct VerbExamplesTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("VerbExamples.golden")

    static var signatures: [VerbSignature] {
        BuiltinVerbs.all.map(\.signature).filter { $0.name != ValueVerb.name }
    }

    /// Every example's source, in the order the golden file lists them.
    /// The functions' examples follow the verbs'.
    static let examples: [String] = signatures.flatMap { $0.examples.map(\.source) } + ExpressionFunctions.all.map(\.example.source)

    /// What one example prints, as its golden section: `### SOURCE`, stdout, stderr, status.
    static func section(running source: String) async throws -> String {
        let f = try await Fixture.make(items: 12, from: date("2026-10-20T00:00:00Z"), every: 3 * 86_400)
        try Data("hello\n".utf8).write(to: f.directory.appendingPathComponent("hello.txt"))
        try Data("# verbs to share\ndef big [limit] { where size > $limit }\n".utf8).write(to: f.directory.appendingPathComponent("lib.msh"))
        let recordings = f.directory.appendingPathComponent("recordings")
        try FileManager.default.createDirectory(at: recordings, withIntermediateDirectories: true)
        for (name, text) in [("call1.wav", "one"), ("call2.wav", "two"), ("notes.txt", "hello\n")] {
            try Data(text.utf8).write(to: recordings.appendingPathComponent(name))
        }
        _ = await f.run("list | save listing.jsonl")
        let r = await f.run(source) { $0.history = { ["list | count", "help"] }; $0.journal = MemoryJournal() }
        let text = "### \(source)\n\(r.out)--- stderr\n\(r.err)--- status \(r.outcome.status)\n\n"
        return text.replacingOccurrences(of: "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", with: "<id>", options: .regularExpression)
            .replacingOccurrences(of: "r[0-9]{8}_[0-9]{6}_[0-9a-f]{4}", with: "<run>", options: .regularExpression)
    }

    /// The golden file's sections by source, in order.
    static func goldenSections() throws -> [(source: String, text: String)] {
        let text = try String(contentsOf: golden, encoding: .utf8)
        var sections: [(source: String, text: String)] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            if line.hasPrefix("### ") {
                sections.append((String(line.dropFirst(4)), ""))
            }
            guard !sections.isEmpty else { continue }
            sections[sections.count - 1].text += line + "\n"
        }
        return sections
    }

    @Test(arguments: examples)
    func exampleRunsAndPrintsWhatItShould(_ source: String) async throws {
        let expected = try #require(try Self.goldenSections().first { $0.source == source }?.text,
                                    "VerbExamples.golden has no section for `\(source)` (MEDIASHELL_UPDATE_GOLDEN=1 writes it)")
        let actual = try await Self.section(running: source)
        #expect(actual == expected)
    }

    @Test func theGoldenFileHoldsExactlyTheExamples() async throws {
        for sig in Self.signatures {
            #expect(!sig.examples.isEmpty, "\(sig.name) has no example")
        }
        if ProcessInfo.processInfo.environment["MEDIASHELL_UPDATE_GOLDEN"] == "1" {
            var report = ""
            for source in Self.examples { report += try await Self.section(running: source) }
            try report.write(to: Self.golden, atomically: true, encoding: .utf8)
        }
        #expect(try Self.goldenSections().map(\.source) == Self.examples)
    }

    @Test func helpShowsNoPlaceholderIds() async throws {
        let f = try await Fixture.make(items: 1)
        for sig in Self.signatures {
            let help = await f.run("help \(sig.name)")
            #expect(!help.out.contains("00000000-0000"), "help \(sig.name) shows a placeholder id:\n\(help.out)")
        }
    }
}
