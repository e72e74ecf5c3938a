import Foundation
import Testing
@testable import MediaShell

/// `in` against a query's results, and a list variable's field read the same way in every format.
@Suite struct MembershipTests {
    @Test func duplicatesByContentAreOneMembershipTest() async throws {
        let f = try await Fixture.make(items: 3)
        try await f.uploadTwins()
        let r = await f.run("let dups = list | group by etag | where count > 1; list | where etag in $dups.key | sort by name | select name")
        #expect(r.out == "name\n─────\na.txt\nb.txt\n", "\(r.err)")
    }

    @Test func aValueAgainstRecordsIsACheckError() async throws {
        let f = try await Fixture.make(items: 3)
        let r = await f.run("let dups = list | group by etag | where count > 1; list | where etag in $dups | count")
        #expect(r.outcome.status == .usage)
        #expect(r.err.contains("error: '$dups' holds records, so a string is never in it: name one of their fields — did you mean '$dups.key'?"), "\(r.err)")
        #expect(r.out.isEmpty)
        // A field the records do not have is named as such.
        #expect(await f.run("let dups = list | group by etag; list | where etag in $dups.kye | count").err.contains("unknown field 'kye' — did you mean 'key'?"))
    }

    @Test func aListsFieldIsTheSameListInEveryFormat() async throws {
        let f = try await Fixture.make(items: 5)
        let names = ["file4.wav", "file3.png", "file2.txt"]
        let table = await f.run("let x = list | first 3; $x.name").out
        #expect(table == "value\n─────────\n" + names.map { $0 + "\n" }.joined())
        #expect(await f.run("let x = list | first 3; $x.name | json").out == "[\n" + names.map { "  \"\($0)\"" }.joined(separator: ",\n") + "\n]\n")
        #expect(await f.run("let x = list | first 3; $x.name | jsonl").out == names.map { "\"\($0)\"\n" }.joined())
        #expect(await f.run("let x = list | first 3; $x.name | count").out == "3\n")
    }
}
