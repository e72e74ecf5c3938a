import Foundation
import MediaAPI
import Testing
@testable import MediaShell

/// `update` shows what it would change, field by field, and leaves alone (sending nothing)
/// the items it would not change; a computed value that comes out null is a warning.
@Suite struct UpdatePreviewTests {
    func run(_ f: Fixture, _ service: any MediaService, _ source: String, dryRun: Bool = false) async -> (out: String, err: String, outcome: RunOutcome) {
        let shell = Shell(service: service, environment: ShellEnvironment(now: { Fixture.now }, output: .jsonl, dryRun: dryRun, workingDirectory: f.directory))
        let out = TextBuffer(), err = TextBuffer()
        let outcome = await shell.run(source, out: out, err: err)
        return (out.text, err.text, outcome)
    }

    func rows(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    @Test func aDryRunShowsOldAndNewAndCountsOnlyTheChanges() async throws {
        let f = try await Fixture.make(items: 5)
        _ = try await f.shell().evaluate("list | first 2 | update set public=true --yes")
        let service = InstrumentedService(f.service)
        let r = await run(f, service, "list | update set public=true title=\"t\" --dry-run")
        #expect(r.outcome.status == .success, "\(r.err)")
        let all = try rows(r.out)
        #expect(all.count == 5)
        // Every item gets the title, so all five would change; public only for three.
        #expect(all.filter { $0["change"] as? String == "public: false → true; title: null → \"t\"" }.count == 3)
        #expect(all.filter { $0["change"] as? String == "title: null → \"t\"" }.count == 2)
        #expect(service.callCount == 0)

        let publicOnly = await run(f, service, "list | update set public=true --dry-run")
        let statuses = try rows(publicOnly.out).map { $0["status"] as? String }
        #expect(statuses.filter { $0 == "would update" }.count == 3 && statuses.filter { $0 == "unchanged" }.count == 2)
        #expect(publicOnly.err.hasPrefix("update --dry-run: would update 3 items (") && publicOnly.err.hasSuffix(", 2 unchanged\n"), "\(publicOnly.err)")
        #expect(service.callCount == 0)
    }

    /// A no-op is not sent, so the server's time_last_updated stays as it was.
    @Test func anUpdateThatChangesNothingSendsNothing() async throws {
        let f = try await Fixture.make(items: 3)
        _ = try await f.shell().evaluate("list | update set public=true --yes")
        let before = try await f.shell().evaluate("list | select id updated")
        f.clock.now = Fixture.now.addingTimeInterval(3600)
        let service = InstrumentedService(f.service)
        let r = await run(f, service, "list | update set public=true --yes")
        #expect(r.outcome.status == .success, "\(r.err)")
        #expect(r.err.hasPrefix("update: 3 unchanged ("), "\(r.err)")
        #expect(try rows(r.out).allSatisfy { $0["status"] as? String == "unchanged" })
        #expect(service.callCount == 0)
        #expect(try await f.shell().evaluate("list | select id updated") == before)
    }

    @Test func onlyTheFieldsThatChangeAreSent() async throws {
        let f = try await Fixture.make(items: 1)
        _ = try await f.shell().evaluate("list | update set title=\"keep\" --yes")
        let r = await run(f, f.service, "list | update set title=\"keep\" description=\"new\" --yes")
        #expect(try rows(r.out).first?["change"] as? String == "description: null → \"new\"")
        #expect(try await f.shell().evaluate("list | select title description") == [.record(Record(pairs: [("title", .string("keep")), ("description", .string("new"))]))])
    }

    /// `"[archived] " + title` on a null title is null: the title is left as it was (not made
    /// empty), and the warning names the item.
    @Test func aNullComputedValueIsAWarningNamingTheItem() async throws {
        let f = try await Fixture.make(items: 2)
        let service = InstrumentedService(f.service)
        let r = await run(f, service, "list | update set title=(\"[archived] \" + title) --yes")
        #expect(r.outcome.status == .success, "\(r.err)")
        let ids = try await f.shell().evaluate("list | select id name").compactMap { $0.record }
        for row in ids {
            guard case .string(let id)? = row["id"], case .string(let name)? = row["name"] else { continue }
            #expect(r.err.contains("update: warning: item \(id) (\(name)): the new title is null (the expression read an empty field), so title is left as it is"), "\(r.err)")
        }
        #expect(service.callCount == 0)
        #expect(try await f.shell().evaluate("list | where title == null | count") == [.int(2)])
        // Written as null, it clears.
        _ = try await f.shell().evaluate("list | update set title=\"x\" --yes")
        let cleared = await run(f, f.service, "list | update set title=null --yes")
        #expect(!cleared.err.contains("warning"), "\(cleared.err)")
        // Cleared is empty, and empty is null.
        #expect(try await f.shell().evaluate("list | where title == null | count") == [.int(2)])
    }
}
