import Foundation
import Testing
@testable import MediaShell

/// Runs every example of every verb's signature against a fresh store of 12 items (created
/// three days apart from 2026-10-20) and a fixed clock (2026-11-28), and compares what it prints (stdout, stderr, status) with `VerbExamples.golden`.
/// Ids are random, so they print as <id>. MEDIASHELL_UPDATE_GOLDEN=1 rewrites the file.
@Suite struct VerbExamplesTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("VerbExamples.golden")

    @Test func everyExampleRunsAndPrintsWhatItShould() async throws {
        var report = ""
        let verbs = BuiltinVerbs.all.map(\.signature).filter { $0.name != ValueVerb.name }
        for sig in verbs {
            #expect(!sig.examples.isEmpty, "\(sig.name) has no example")
            for example in sig.examples {
                let f = try await Fixture.make(items: 12, from: date("2026-10-20T00:00:00Z"), every: 3 * 86_400)
                try Data("hello\n".utf8).write(to: f.directory.appendingPathComponent("hello.txt"))
                _ = await f.run("list | save listing.jsonl")
                var source = example.source
                if source.contains("00000000-0000-4000-8000-000000000001"), case .string(let id)? = try await f.shell().evaluate("list | last 1").first?.record?["id"] {
                    source = source.replacingOccurrences(of: "00000000-0000-4000-8000-000000000001", with: id)
                }
                let r = await f.run(source) { $0.history = { ["list | count", "help"] } }
                report += "### \(example.source)\n\(r.out)--- stderr\n\(r.err)--- status \(r.outcome.status)\n\n"
            }
        }
        report = report.replacingOccurrences(of: "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", with: "<id>", options: .regularExpression)
        if ProcessInfo.processInfo.environment["MEDIASHELL_UPDATE_GOLDEN"] == "1" {
            try report.write(to: Self.golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: Self.golden, encoding: .utf8)
        let a = expected.components(separatedBy: "\n"), b = report.components(separatedBy: "\n")
        for (i, (x, y)) in zip(a, b).enumerated() where x != y {
            Issue.record("line \(i + 1) differs:\n  expected: \(x)\n  actual:   \(y)")
            break
        }
        #expect(a.count == b.count)
    }
}
