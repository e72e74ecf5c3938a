import Foundation
import Testing
@testable import MediaShell

/// `source PATH`: a library's defs, checked with its own name and usable on the lines after it.
@Suite struct SourceTests {
    func write(_ text: String, _ name: String, in f: Fixture) throws {
        try Data(text.utf8).write(to: f.directory.appendingPathComponent(name))
    }

    @Test func aLibrarysVerbsAreUsableInTheSameProgram() async throws {
        let f = try await Fixture.make(items: 5)
        try write("# shared\ndef big [limit] { where size > $limit }\nsource more.msh\n", "lib.msh", in: f)
        try write("def wavs [] { where name like \"*.wav\" }\n", "more.msh", in: f)
        let r = await f.run("source lib.msh\nlist | big 10KB | wavs | count")
        #expect(r.out == "2\n", "\(r.err)")
        // And in later runs of the same shell (the REPL).
        let shell = f.shell()
        _ = await f.run("source lib.msh", shell: shell)
        #expect(await f.run("list | wavs | count", shell: shell).out == "2\n")
    }

    @Test func aLibrarysMistakesNameItsFileAndNothingRuns() async throws {
        let f = try await Fixture.make(items: 2)
        try write("def big [limit] { list | where sise > $limit }\n", "bad.msh", in: f)
        let r = await f.run("source bad.msh\nlist | count")
        #expect(r.outcome.status == .usage)
        #expect(r.err.hasPrefix("bad.msh:1:32: error: unknown field 'sise' — did you mean 'size'?"), "\(r.err)")
        #expect(r.out.isEmpty)
        try write("list | delete --yes\n", "runs.msh", in: f)
        let pipeline = await f.run("source runs.msh")
        #expect(pipeline.err.contains("runs.msh:1:1: error: a library holds only def and source statements"))
        #expect(await f.run("list | count").out == "2\n")
        #expect(await f.run("source missing.msh").err.contains("cannot read the library 'missing.msh'"))
        try write("source loop.msh\n", "loop.msh", in: f)
        #expect(await f.run("source loop.msh").err.contains("'loop.msh' sources itself"))
    }
}
