import Foundation
import Testing

/// Programs a generator might write, run by the real `mediash` binary: none may end it by a
/// signal. Long chains (up to 1 MB) run to their exact answer or fail cleanly; nesting past the
/// limit is refused with a caret (exit 2) before anything runs. They run on a store seeded once
/// for the suite (five files of known sizes), each case on a copy of its own.
@Suite struct HostileProgramTests {
    /// What a shape must do: exit 0 printing exactly this line, or exit 1/2 saying this message with a caret.
    enum Outcome: Sendable {
        case prints(String)
        case fails(String)
        case refused(String)
    }

    struct Shape: Sendable, CustomTestStringConvertible {
        var name: String
        var program: String
        var outcome: Outcome
        var testDescription: String { "\(name) (\(program.utf8.count) bytes)" }
    }

    static let megabyte = 1 << 20
    /// Nesting well past the parser's limit of 256.
    static let deep = 1000

    /// `head` then `piece` repeated until the program is about `bytes` long, then `tail`.
    static func repeated(_ head: String, _ piece: String, _ tail: String, bytes: Int = megabyte) -> String {
        head + String(repeating: piece, count: pieces(head, piece, tail, bytes: bytes)) + tail
    }

    /// How many times `repeated` repeats `piece`: what the long chains' answers are made of.
    static func pieces(_ head: String, _ piece: String, _ tail: String, bytes: Int = megabyte) -> Int {
        max(1, (bytes - head.utf8.count - tail.utf8.count) / piece.utf8.count)
    }

    /// The sizes of the files in the seeded store: 2 of them are at most 2 B, 3 larger.
    static let seededSizes = [1, 2, 3, 1_000, 300_000]
    static func seeded(_ test: (Int) -> Bool) -> String { String(seededSizes.filter(test).count) }
    static let plusBytes = 1 + pieces("list | where size < 1B", " + 1B", " | count")

    static func nested(_ open: String, _ inner: String, _ close: String, levels: Int) -> String {
        String(repeating: open, count: levels) + inner + String(repeating: close, count: levels)
    }

    static let tooDeep = "nested too deeply: more than 256 levels"

    static let shapes: [Shape] = [
        // Long chains: one flat node each, however long.
        Shape(name: "3,000 ands", program: "list | where " + Array(repeating: "size > 2B", count: 3000).joined(separator: " and ") + " | count",
              outcome: .prints(seeded { $0 > 2 })),
        Shape(name: "1 MB of ands", program: repeated("list | where size > 2B", " and size > 2B", " | count"), outcome: .prints(seeded { $0 > 2 })),
        Shape(name: "1 MB of ors", program: repeated("list | where size < 0B", " or size < 0B", " or size > 2B | count"), outcome: .prints(seeded { $0 > 2 })),
        Shape(name: "1 MB of +", program: repeated("1", " + 1", ""), outcome: .prints(String(1 + pieces("1", " + 1", "")))),
        Shape(name: "1 MB of * and /", program: repeated("2", " * 3 / 3", ""), outcome: .prints("2")),
        Shape(name: "1 MB of size +", program: repeated("list | where size < 1B", " + 1B", " | count"),
              outcome: .prints(seeded { $0 < plusBytes })),
        Shape(name: "comparisons do not chain", program: repeated("1", " < 2", ""), outcome: .refused("comparisons do not chain")),
        Shape(name: "1 MB list", program: repeated("[1", ", 1", "] | count"), outcome: .prints(String(1 + pieces("[1", ", 1", "] | count")))),
        Shape(name: "5,000 stages", program: "list" + String(repeating: " | first 100", count: 5000) + " | count", outcome: .prints(seeded { _ in true })),
        Shape(name: "10,000 stages", program: "list" + String(repeating: " | skip 0", count: 9998) + " | count", outcome: .prints(seeded { _ in true })),
        Shape(name: "1 MB of stages", program: repeated("list", " | skip 0", " | count"), outcome: .refused("a pipeline may have at most 10000 stages")),
        Shape(name: "1 MB of statements", program: repeated("", "1;", "2"),
              outcome: .prints(String(repeating: "1\n", count: pieces("", "1;", "2")) + "2")),
        Shape(name: "1 MB string", program: "\"" + String(repeating: "a", count: megabyte) + "\" | count", outcome: .prints("1")),
        Shape(name: "1 MB comment", program: "# " + String(repeating: "x", count: megabyte) + "\n1", outcome: .prints("1")),
        // Huge literals.
        Shape(name: "10,000-digit int", program: String(repeating: "9", count: 10_000), outcome: .refused("too large for an int")),
        Shape(name: "10,000-digit float", program: String(repeating: "9", count: 10_000) + ".5", outcome: .refused("too large")),
        Shape(name: "10,000-digit duration", program: "list since " + String(repeating: "9", count: 10_000) + "d", outcome: .refused("too large")),
        Shape(name: "size past Int64", program: "list | where size > 99999999999TB", outcome: .refused("too large a size")),
        Shape(name: "int overflow", program: "9223372036854775807 + 1", outcome: .fails("number too large")),
        Shape(name: "size overflow", program: "list | where size > 8000000TB * 2000", outcome: .fails("size too large")),
        Shape(name: "division by zero", program: "list | where size / 0 > 1B", outcome: .fails("division by zero")),
        // Nesting past the limit.
        Shape(name: "1,000 parentheses", program: "list | where " + nested("(", "size > 2B", ")", levels: deep), outcome: .refused(tooDeep)),
        Shape(name: "1 MB of parentheses", program: "list | where " + nested("(", "size > 2B", ")", levels: megabyte / 2), outcome: .refused(tooDeep)),
        Shape(name: "1 MB of [", program: nested("[", "1", "]", levels: megabyte / 2), outcome: .refused(tooDeep)),
        Shape(name: "1 MB of not", program: repeated("list | where", " not", " true"), outcome: .refused(tooDeep)),
        Shape(name: "1 MB of unary minus", program: repeated("", "- ", "1"), outcome: .refused(tooDeep)),
        Shape(name: "1,000 explains", program: String(repeating: "explain ", count: deep) + "list", outcome: .refused(tooDeep)),
        Shape(name: "deep def body", program: "def big [] { list | where " + nested("(", "size > 2B", ")", levels: deep) + " }", outcome: .refused(tooDeep)),
        Shape(name: "deep let", program: "let x = " + nested("[", "1", "]", levels: deep), outcome: .refused(tooDeep)),
        Shape(name: "1 MB of members", program: "let r = 1\n" + repeated("$r", ".a", ""), outcome: .refused("more than 256 '.' in a row")),
        // At the limit, nesting still works.
        Shape(name: "256 parentheses", program: "list | where " + nested("(", "size > 2B", ")", levels: 256) + " | count", outcome: .prints(seeded { $0 > 2 })),
        Shape(name: "256 lists", program: nested("[", "1", "]", levels: 256) + " | count", outcome: .prints("1")),
    ]

    @Test(arguments: shapes) func neverASignal(_ shape: Shape) async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try FileManager.default.copyItem(at: try await Self.seededStore(), to: sandbox.store)
        let script = try sandbox.write(shape.program + "\n", to: "generated.msh")
        let run = try await sandbox.mediash(["--store", sandbox.store.path, "--quiet", "--yes", script.path], timeout: .seconds(600))
        let said = String(run.stderr.prefix(2000))
        switch shape.outcome {
        case .prints(let text):
            #expect(run.status == 0, "\(said)")
            #expect(run.stdout == text + "\n", "\(run.stdout.prefix(500))")
        case .fails(let message):
            #expect(run.status == 1, "\(said)")
            #expect(run.stderr.contains(message), "\(said)")
        case .refused(let message):
            #expect(run.status == 2, "\(said)")
            #expect(run.stderr.contains(message), "\(said)")
            #expect(run.stderr.contains("^"), "a caret under the place: \(said)")
        }
    }

    /// A store holding one file of each of `seededSizes`, made once for the suite by mediash itself.
    static func seededStore() async throws -> URL {
        try await seeding.value
    }

    private static let seeding = Task<URL, any Error> {
        let sandbox = try Sandbox()
        var names: [String] = []
        for (index, size) in seededSizes.enumerated() {
            _ = try sandbox.write(String(repeating: "x", count: size), to: "f\(index).bin")
            names.append("f\(index).bin")
        }
        let run = try await sandbox.mediash(["--store", sandbox.store.path, "--quiet", "-c", "upload " + names.joined(separator: " ") + " | count"])
        guard run.status == 0, run.stdout == "\(seededSizes.count)\n" else {
            throw TestFailure("seeding the store: exit \(run.status), \(run.stdout) \(run.stderr)")
        }
        return sandbox.store
    }
}
