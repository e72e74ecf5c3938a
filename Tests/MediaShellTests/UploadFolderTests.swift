import Foundation
import Testing
@testable import MediaShell

/// `upload` of folders, patterns and lists, and `--skip-existing` making a rerun a sync.
@Suite struct UploadFolderTests {
    func folder(_ f: Fixture) throws -> URL {
        let recs = f.directory.appendingPathComponent("recs")
        try FileManager.default.createDirectory(at: recs.appendingPathComponent("inner"), withIntermediateDirectories: true)
        for (name, text) in [("a.wav", "A"), ("b.wav", "B"), ("c.txt", "C"), (".hidden.wav", "H"), ("inner/d.wav", "D")] {
            try Data(text.utf8).write(to: recs.appendingPathComponent(name))
        }
        return recs
    }

    @Test func aFolderUploadsEveryFileInsideButHiddenOnes() async throws {
        let f = try await Fixture.make(items: 0)
        _ = try folder(f)
        let r = await f.run("upload recs | select name | jsonl")
        #expect(r.out == ["a.wav", "b.wav", "c.txt", "d.wav"].map { "{\"name\":\"\($0)\"}\n" }.joined(), "\(r.err)")
    }

    @Test func aPatternUploadsWhatItMatches() async throws {
        let f = try await Fixture.make(items: 0)
        _ = try folder(f)
        #expect(await f.run("upload recs/*.wav | select name | jsonl").out == "{\"name\":\"a.wav\"}\n{\"name\":\"b.wav\"}\n")
        let none = await f.run("upload recs/*.mp3")
        #expect(none.err.contains("no file matches recs/*.mp3"), "\(none.err)")
        #expect(none.outcome.status == .failure)
    }

    @Test func theScriptsArgumentsAreTheFiles() async throws {
        let f = try await Fixture.make(items: 0)
        _ = try folder(f)
        let r = await f.run("upload $args | select name | jsonl") { $0.arguments = ["recs/a.wav", "recs/c.txt"] }
        #expect(r.out == "{\"name\":\"a.wav\"}\n{\"name\":\"c.txt\"}\n", "\(r.err)")
    }

    @Test func skipExistingMakesARerunASync() async throws {
        let f = try await Fixture.make(items: 0)
        let recs = try folder(f)
        #expect(await f.run("upload recs/a.wav | count").out == "1\n")
        let first = await f.run("upload recs --skip-existing | select name | jsonl")
        #expect(first.out == ["b.wav", "c.txt", "d.wav"].map { "{\"name\":\"\($0)\"}\n" }.joined())
        #expect(first.err == "upload: 3 uploaded, 1 skipped (already stored: same MD5)\n")
        let again = await f.run("upload recs --skip-existing | count")
        #expect(again.out == "0\n")
        #expect(again.err == "upload: 0 uploaded, 4 skipped (already stored: same MD5)\n")
        // A new file, or one whose content changed, goes up on the next run.
        try Data("B, edited".utf8).write(to: recs.appendingPathComponent("b.wav"))
        #expect(await f.run("upload recs --skip-existing | select name | jsonl").out == "{\"name\":\"b.wav\"}\n")
        #expect(await f.run("list | count").out == "5\n")
        // Without the switch, content already there is uploaded again.
        #expect(await f.run("upload recs/a.wav | count").out == "1\n")
    }
}
