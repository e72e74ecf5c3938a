import Foundation
import MediaAPI
import MediaServer
@testable import MediaShell
import Testing

/// Keeps every journal entry the shell hands over, as the CLI's journal file would.
final class JournalEntries: ActionJournal, @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [ActionRecord] = []

    func record(_ entry: ActionRecord) {
        lock.withLock { entries.append(entry) }
    }

    var all: [ActionRecord] { lock.withLock { entries } }
}

@Suite("accountability")
struct AccountabilityTests {
    @Test("--dry-run sends no change and prints the summary of what would happen")
    func dryRun() async throws {
        try await withBulkServer { server in
            let items = try await server.seed(40)
            let ran = try await server.run("list | where size > 120B | delete --dry-run")
            let chosen = items.filter { $0.size > 120 }
            #expect(ran.outcome.status == .success)
            #expect(ran.err == "delete --dry-run: would delete \(chosen.count) items (\(Value.humanSize(chosen.map(\.size).reduce(0, +))))\n")
            #expect(ran.ids(status: "would delete") == Set(chosen.map(\.id)))
            #expect(try await server.stored().count == 40)
        }
    }

    @Test("an action stopped half-way, run again, does only what is left")
    func interruptedThenRerun() async throws {
        try await withBulkServer(FaultPlan(latency: .milliseconds(20))) { server in
            let items = try await server.seed(200)
            let shell = try server.shell()
            let first = Task { try await server.run("list | delete concurrency 4", in: shell) }
            // Stop it once a few dozen items are gone.
            while try await server.stored().count > 160 { try await Task.sleep(for: .milliseconds(10)) }
            first.cancel()
            let stopped = try await first.value
            #expect(stopped.outcome.status == .interrupted)
            // Requests the server had already taken may still delete: restart the server (the old
            // one has ended once `start` returns) and let the store's queue of deletes drain
            // (a delete queued after them is answered after them), then count what is left.
            try await server.start(FaultPlan(latency: .milliseconds(20)))
            _ = try? await server.account.delete(id: "drain-\(UUID().uuidString.lowercased())")
            let left = Set(try await server.stored().map(\.id))
            // At most the 160 seen when it was stopped: the requests in flight then may or may not
            // have deleted (cancelled in the server's added latency, they delete nothing).
            #expect(left.count <= 160 && !left.isEmpty, "\(left.count) left")

            let rerun = try await server.run("list | delete concurrency 4", in: shell)
            #expect(rerun.outcome.status == .success, "\(rerun.err)")
            #expect(rerun.rows.count == left.count && rerun.ids(status: "deleted") == left)
            let leftItems = items.filter { left.contains($0.id) }
            #expect(rerun.err == "delete: \(left.count) deleted (\(Value.humanSize(leftItems.map(\.size).reduce(0, +))))\n")
            #expect(try await server.stored().isEmpty)
        }
    }

    @Test("the journal gets one entry per item: time, verb, id, name, size, outcome and reason")
    func journal() async throws {
        try await withBulkServer { server in
            let items = try await server.seed(30)
            let journal = JournalEntries()
            let clock = Date(timeIntervalSince1970: 1_800_000_000)
            let shell = try server.shell {
                $0.journal = journal
                $0.now = { clock }
            }
            _ = try await server.run("let items = list", in: shell)
            // Five are deleted behind the action's back: they end skipped, with the reason.
            let gone = Set(items.prefix(5).map(\.id))
            for id in gone { try await server.account.delete(id: id) }
            let ran = try await server.run("$items | delete", in: shell)
            #expect(ran.outcome.status == .success, "\(ran.err)")
            #expect(ran.ids(status: "skipped") == gone)
            let entries = journal.all
            #expect(entries.count == 30)
            #expect(Set(entries.map(\.id)) == Set(items.map(\.id)))
            for entry in entries {
                let item = try #require(items.first { $0.id == entry.id })
                #expect(entry.verb == "delete" && entry.time == clock)
                #expect(entry.name == item.originalFileName && entry.size == item.size)
                if gone.contains(entry.id) {
                    #expect(entry.status == "skipped" && entry.note == "already gone" && entry.error == nil)
                } else {
                    #expect(entry.status == "deleted" && entry.error == nil)
                }
            }
        }
    }
}
