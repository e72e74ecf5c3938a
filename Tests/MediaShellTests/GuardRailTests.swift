import Foundation
import MediaAPI
import Testing
@testable import MediaShell

/// `max-delete` / `max-update`: an action over the limit sends no request at all, and says how
/// many items it found; command-line limits win over `set`.
@Suite struct GuardRailTests: ShellRunning {
    @Test func aDeleteOverTheLimitSendsNoRequestAndSaysWhatItFound() async throws {
        let f = try await Fixture.make(items: 10)
        let service = InstrumentedService(f.service)
        let r = await run(shell(f, service) { $0.maxDelete = 5 }, "list | delete --yes")
        #expect(r.outcome.status == .failure)
        #expect(r.err.contains("'delete' would delete more than 5 items (found 6 before it stopped counting; max-delete 5): nothing was sent"), "\(r.err)")
        #expect(service.callCount == 0)
        #expect(try await f.shell().evaluate("list | count") == [.int(10)])
    }

    @Test func aDeleteWithinTheLimitGoesAhead() async throws {
        let f = try await Fixture.make(items: 5)
        let r = await run(shell(f, f.service) { $0.maxDelete = 3 }, "list | first 3 | delete --yes")
        #expect(r.outcome.status == .success, "\(r.err)")
        #expect(r.err.hasPrefix("delete: 3 deleted"))
        #expect(try await f.shell().evaluate("list | count") == [.int(2)])
    }

    /// The listing is held after its first page (2 items): a limit of 1 is known to be passed
    /// from that page, so the run ends without the rest (reading it all would never return).
    @Test(.timeLimit(.minutes(1))) func itReadsOnlyOnePastTheLimit() async throws {
        let f = try await Fixture.make(items: 8)
        let service = InstrumentedService(f.service)
        service.holdListAfterFirstPage = true
        let r = await run(shell(f, service) { $0.maxDelete = 1 }, "list | delete --yes")
        #expect(r.outcome.status == .failure)
        #expect(r.err.contains("more than 1 item (found 2"), "\(r.err)")
        #expect(service.callCount == 0)
    }

    @Test func theLimitIsCheckedBeforeAskingAndBeforeAnyRequest() async throws {
        let f = try await Fixture.make(items: 4)
        let service = InstrumentedService(f.service)
        let asked = Locked(0)
        let r = await run(shell(f, service) { env in
            env.maxDelete = 2
            env.confirm = { _ in asked.with { $0 += 1 }; return true }
        }, "list | delete")
        #expect(r.outcome.status == .failure)
        #expect(asked.with { $0 } == 0)
        #expect(service.callCount == 0)
    }

    @Test func setMaxDeleteLimitsTheStatementsAfterIt() async throws {
        let f = try await Fixture.make(items: 4)
        let r = await run(shell(f, f.service), "set max-delete 2\nlist | delete --yes")
        #expect(r.outcome.status == .failure)
        #expect(r.err.hasPrefix("<input>:2: error: 'delete' would delete more than 2 items"), "\(r.err)")
        let none = await run(shell(f, f.service) { $0.maxDelete = 2 }, "set max-delete none; list | delete --yes")
        #expect(none.outcome.status == .success, "\(none.err)")
        #expect(try await f.shell().evaluate("list | count") == [.int(0)])
    }

    @Test func aPinnedLimitWinsOverSet() async throws {
        let f = try await Fixture.make(items: 4)
        let service = InstrumentedService(f.service)
        let r = await run(shell(f, service) { $0.maxDelete = 2; $0.pinned = ["max-delete"] }, "set max-delete 100\nlist | delete --yes")
        #expect(r.outcome.status == .failure)
        #expect(r.err.hasPrefix("note: set max-delete 100: the command line's --max-delete 2 stays (flags win)\n"), "\(r.err)")
        #expect(service.callCount == 0)
        let dry = await run(shell(f, service) { $0.dryRun = true; $0.pinned = ["dry-run"] }, "set dry-run false; list | delete --yes")
        #expect(dry.err.contains("delete --dry-run: would delete 4 items"), "\(dry.err)")
        #expect(service.callCount == 0)
    }

    @Test func aDryRunOverTheLimitSaysARealRunWouldStop() async throws {
        let f = try await Fixture.make(items: 4)
        let r = await run(shell(f, f.service) { $0.maxDelete = 3 }, "list | delete --dry-run")
        // It fails as the real run would, so a runbook's dry run stops where the real one would.
        #expect(r.outcome.status == .failure)
        #expect(r.err.contains("would delete 4 items") && r.err.contains("; more than max-delete 3: a real run would stop before its first request"), "\(r.err)")
    }

    @Test func maxUpdateCountsOnlyTheItemsThatWouldChange() async throws {
        let f = try await Fixture.make(items: 10)
        _ = try await f.shell().evaluate("list | first 3 | update set public=true --yes")
        let service = InstrumentedService(f.service)
        let over = await run(shell(f, service) { $0.maxUpdate = 6 }, "list | update set public=true --yes")
        #expect(over.outcome.status == .failure)
        #expect(over.err.contains("'update' would update more than 6 items (found 7"), "\(over.err)")
        #expect(service.callCount == 0)
        let within = await run(shell(f, service) { $0.maxUpdate = 7 }, "list | update set public=true --yes")
        #expect(within.outcome.status == .success, "\(within.err)")
        #expect(within.err.hasPrefix("update: 7 updated, 3 unchanged"), "\(within.err)")
        #expect(service.callCount == 7)
    }

    @Test func limitsTakeACountOrNone() async throws {
        let f = try await Fixture.make(items: 1)
        let bad = await run(shell(f, f.service), "set max-delete -1")
        #expect(bad.outcome.status == .usage || bad.outcome.status == .failure)
        #expect(bad.err.contains("max-delete takes N|none"), "\(bad.err)")
        let word = await run(shell(f, f.service), "set max-update lots")
        #expect(word.err.contains("max-update takes N|none, not 'lots'"), "\(word.err)")
    }
}
