import Foundation
import Testing
@testable import LineEditor

@Suite struct HistoryFileTests {
    private func temporaryFile() -> URL {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("mediash-history-\(UUID().uuidString)")
            .appendingPathComponent("history")
    }

    @Test func multiLineEntriesAndBackslashesSurviveARoundTrip() {
        let file = HistoryFile(url: temporaryFile())
        let entries = ["list |\n  where size > 1MB", #"where name =~ "a\.wav""#, "count"]
        for entry in entries { file.append(entry) }
        #expect(file.load() == entries)
    }

    @Test func aMissingFileIsAnEmptyHistory() {
        #expect(HistoryFile(url: temporaryFile()).load().isEmpty)
    }

    @Test func theFileIsTrimmedToItsCapacityKeepingTheNewest() throws {
        let url = temporaryFile()
        let file = HistoryFile(url: url, capacity: 3)
        for n in 1...7 { file.append("first \(n)") }
        #expect(file.load() == ["first 5", "first 6", "first 7"])
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text == "first 5\nfirst 6\nfirst 7\n")
    }

    @Test func theFileIsPrivateToItsOwner() throws {
        let url = temporaryFile()
        HistoryFile(url: url).append("count")
        let mode = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func concurrentSessionsLoseNoEntries() async {
        let url = temporaryFile()
        await withTaskGroup(of: Void.self) { group in
            for session in 0..<4 {
                group.addTask {
                    let file = HistoryFile(url: url)
                    for n in 0..<50 { file.append("session \(session) entry \(n)") }
                }
            }
        }
        let loaded = HistoryFile(url: url, capacity: 1000).load()
        #expect(loaded.count == 200)
        #expect(Set(loaded).count == 200)
    }
}

@Suite struct CompletionLayoutTests {
    @Test func commonPrefixOfCandidates() {
        #expect(LineEditor.commonPrefix(["delete", "describe"]) == "de")
        #expect(LineEditor.commonPrefix(["size"]) == "size")
        #expect(LineEditor.commonPrefix(["a", "b"]) == "")
    }

    @Test func candidatesAreListedInColumnsThatFitTheWidth() {
        let text = LineEditor.columns(["count", "created", "delete", "download"], width: 22)
        #expect(text == "count     delete\ncreated   download\n")
        for line in text.split(separator: "\n") { #expect(line.count <= 22) }
    }
}
