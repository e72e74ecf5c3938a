import Foundation
import MediaAPI
import MediaShell
import Testing

// This file imports MediaShell without @testable: it is a host, outside the module, and uses only
// the public API. A verb it registers gets completion, help, checking and an explain line from
// its signature and capabilities, with no other file touched.

/// `tag LABEL [by FIELD…] [into DIR]`: a host's action-like verb that says what it would send.
struct TagVerb: RequestExplaining {
    let signature = VerbSignature(
        "tag", .filter, summary: "mark items with a label (a host's verb)",
        parameters: [
            .positional("label", .text(.words), "LABEL", help: "the label"),
            .keyword("by", .fields, "FIELD…", help: "fields that go into the label"),
            .keyword("into", .text(.path), "DIR", help: "a folder for the host's notes"),
            .keyword("item", .text(.mediaID), "ID", help: "only this item"),
        ],
        output: .unknownRecords,
        examples: [VerbExample("list | tag keep by name", "label every item")])

    func explainRequests(_ stage: Stage) -> [String] { ["POST /tags/{id}  for each item (the host's)"] }

    func run(_ call: VerbCall) async throws -> ValueStream {
        let label = try call.value("label")?.humanText ?? ""
        let input = call.input
        return ValueStream {
            guard case .record(var r)? = try await input.next() else { return nil }
            r.set("tag", .string(label))
            return .record(r)
        }
    }
}

/// A host verb that takes the name `list`: it is a plain source, so nothing may push into it or
/// wipe its arguments.
struct EchoListVerb: Verb {
    let signature = VerbSignature(
        "list", .source, summary: "the host's own list: its words as records",
        parameters: [.positional("words", .text(.words), "WORD", repeats: true, help: "the words")],
        output: .unknownRecords)

    func run(_ call: VerbCall) async throws -> ValueStream {
        let words = try call.values("words")
        return .of(words.map { .record(Record(names: ["word"], values: [$0])) })
    }
}

@Suite struct HostVerbTests {
    @Test func aRegisteredVerbGetsCompletionHelpCheckingAndExplain() async throws {
        let f = try await SharedFixture.shared.get()
        let shell = f.shell()
        shell.register(TagVerb())

        // Completion walks the signature: the verb, its keywords, fields after `by`, a path after `into`.
        #expect(shell.completions(line: "list | tag", cursor: 10).candidates == ["tag"])
        #expect(shell.completions(line: "list | tag keep ", cursor: 16).candidates == ["by", "into", "item"])
        #expect(shell.completions(line: "list | tag keep by si", cursor: 21).candidates == ["size"])
        #expect(shell.completions(line: "list | tag keep into ./n", cursor: 24).wantsPath)

        // Help lists it in its group and explains it.
        let help = try await shell.evaluate("help tag")
        #expect(help.first?.humanText.contains("usage: tag LABEL [by FIELD…] [into DIR] [item ID]") == true)
        let overview = try await shell.evaluate("help")
        #expect(overview.first?.humanText.contains("tag        mark items with a label") == true)

        // Checking: fields after `by` are checked against the stream before anything runs.
        let bad = await f.run("list | tag keep by sise", shell: shell)
        #expect(bad.outcome.status == .usage)
        #expect(bad.err.contains("unknown field 'sise'"))
        #expect(bad.err.contains("size"))

        // Explain: the line the verb gives.
        let plan = try await shell.evaluate("explain list | tag keep | first 1")
        #expect(plan.first?.humanText.contains("POST /tags/{id}  for each item (the host's)") == true)

        // And it runs.
        let rows = try await shell.evaluate("list | first 2 | tag keep | select tag")
        #expect(rows.map { $0.record?["tag"] } == [.string("keep"), .string("keep")])
    }

    @Test func aHostVerbNamedListIsNotPlannedAsTheBuiltIn() async throws {
        let f = try await SharedFixture.shared.get()
        let shell = f.shell()
        shell.register(EchoListVerb())
        let rows = try await shell.evaluate("list a b c | first 2")
        #expect(rows.compactMap { $0.record?["word"]?.humanText } == ["a", "b"])
        let plan = try await shell.evaluate("explain list a b | first 1")
        #expect(plan.first?.humanText.contains("GET /v3/media?") == false)
    }
}
