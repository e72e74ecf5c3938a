import Foundation
import MediaAPI
import MediaServer
@testable import MediaShell
import Testing

/// Bulk actions through a real media-server that misbehaves on purpose: every item ends done,
/// skipped or failed with its reason, and what the retry budget could not save, a rerun does.
@Suite("bulk actions under faults")
struct FaultTests {
    /// 10% 500/503, every 7th request a 429, 2% dropped connections (the issue's numbers).
    static let faults = FaultPlan(rateLimitEvery: 7, retryAfterSeconds: 0.02, serverErrorRate: 0.10, dropRate: 0.02, seed: 11)

    static func bytes(_ items: [MediaItem]) -> String { Value.humanSize(items.map(\.size).reduce(0, +)) }

    @Test("list | delete of 500 items under faults: all 500 deleted, each accounted for, exit 0")
    func deleteUnderFaults() async throws {
        try await withBulkServer { server in
            let items = try await server.seed(500)
            try await server.start(Self.faults)
            let ran = try await server.run("list | delete")
            #expect(ran.outcome.status == .success, "\(ran.err)")
            #expect(ran.err == "delete: 500 deleted (\(Self.bytes(items)))\n")
            #expect(ran.rows.count == 500)
            #expect(ran.ids(status: "deleted") == Set(items.map(\.id)))
            #expect(try await server.stored().isEmpty)
        }
    }

    @Test("faults beyond the retry budget: every item not deleted is failed with its reason, exit 1; a rerun finishes")
    func deleteBeyondTheBudget() async throws {
        try await withBulkServer { server in
            let items = try await server.seed(120)
            let shell = try server.shell()
            _ = try await server.run("let items = list", in: shell)
            // A bad spell: nine requests in ten fail, more than 8 attempts an item can absorb.
            try await server.start(FaultPlan(serverErrorRate: 0.9, seed: 5))
            let bad = try await server.run("$items | delete concurrency 16", in: shell)
            #expect(bad.outcome.status == .failure)
            let deleted = bad.ids(status: "deleted"), failed = bad.ids(status: "failed")
            #expect(bad.rows.count == 120 && deleted.count + failed.count == 120)
            #expect(!deleted.isEmpty && !failed.isEmpty)
            #expect(bad.rows(status: "failed").allSatisfy {
                ($0["error"] as? String)?.contains("the service failed (HTTP 50") == true && $0["name"] is String
            })
            #expect(bad.err == "delete: \(deleted.count) deleted, \(failed.count) failed (\(Self.bytes(items.filter { deleted.contains($0.id) })))\n")
            let left = try await server.stored()
            #expect(Set(left.map(\.id)) == failed)

            // The service recovers: the same action again does only what is left.
            try await server.start()
            let rerun = try await server.run("list | delete", in: shell)
            #expect(rerun.outcome.status == .success, "\(rerun.err)")
            #expect(rerun.ids(status: "deleted") == failed && rerun.rows.count == failed.count)
            #expect(try await server.stored().isEmpty)
        }
    }

    @Test("update set … of 300 items under faults: each changed as asked, exit 0")
    func updateUnderFaults() async throws {
        try await withBulkServer { server in
            let items = try await server.seed(300)
            try await server.start(Self.faults)
            let ran = try await server.run("list | update set title=(name + \" (archived)\") public=true")
            #expect(ran.outcome.status == .success, "\(ran.err)")
            #expect(ran.err == "update: 300 updated (\(Self.bytes(items)))\n")
            #expect(ran.ids(status: "updated") == Set(items.map(\.id)))
            let stored = try await server.stored()
            #expect(stored.count == 300)
            #expect(stored.allSatisfy { $0.title == "\($0.originalFileName ?? "?") (archived)" && $0.isPublic })
        }
    }

    @Test("download to DIR of 150 items under faults: every file whole; a rerun fetches nothing again")
    func downloadUnderFaults() async throws {
        try await withBulkServer { server in
            let items = try await server.seed(150)
            try await server.start(Self.faults)
            let ran = try await server.run("list | download to backup")
            #expect(ran.outcome.status == .success, "\(ran.err)")
            #expect(ran.err == "download: 150 downloaded (\(Self.bytes(items)))\n")
            let folder = server.folder.appendingPathComponent("backup")
            for item in items {
                let name = try #require(item.originalFileName)
                let data = try Data(contentsOf: folder.appendingPathComponent(name))
                #expect(data.count == Int(item.size) && MD5Digest.hex(of: data) == item.etag, "\(name)")
            }
            #expect(ran.rows.allSatisfy { ($0["path"] as? String)?.hasPrefix("backup/") == true })
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            #expect(files.count == 150, "partial files left: \(files.filter { $0.hasSuffix(".partial") })")

            let again = try await server.run("list | download to backup")
            #expect(again.outcome.status == .success, "\(again.err)")
            #expect(again.rows(status: "skipped").count == 150)
            #expect(again.err == "download: 150 skipped (0 B)\n")
        }
    }
}
