import Foundation
import Testing

/// Issue 31, point 2: a title the server leaves out, sends as null or sends as "" reads as null,
/// so `where title == null` and the example runbook's archive step find the untitled items
/// against a server that sends "" (as the real API does), media-server and the embedded store.
@Suite struct EmptyIsNullEndToEndTests {
    static let runbook = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Examples/nightly-cleanup.md").standardizedFileURL.path

    static func item(_ id: String, _ title: String?) -> String {
        let etag = "\"etag\":\"00000000000000000000000000000000\",\"media_size\":16,\"mime_type\":\"audio/wav\",\"time_created\":\"2026-12-01T00:00:00Z\""
        let titled = title.map { ",\"title\":\($0)" } ?? ""
        return "{\"id\":\"\(id)\",\"original_file_name\":\"\(id).wav\",\(etag)\(titled)}"
    }

    @Test func aServerThatSendsEmptyTextIsReadAsNull() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let server = try await HostileServer.start(items: [
            Self.item("empty", "\"\""), Self.item("null", "null"), Self.item("absent", nil), Self.item("titled", "\"Kept\""),
        ])
        let count = try await sandbox.mediash(server.flags + ["-c", "list | where title == null | count"])
        #expect(count.status == 0 && count.stdout == "3\n", "\(count.stdout) \(count.stderr)")
        let json = try await sandbox.mediash(server.flags + ["-o", "jsonl", "-c", "list | where id == \"empty\" | select id title"])
        #expect(json.stdout == "{\"id\":\"empty\",\"title\":null}\n", "\(json.stdout)")
        let archive = try await sandbox.mediash(server.flags + ["--dry-run", Self.runbook, "7d"])
        await server.stop()
        #expect(archive.status == 0, "\(archive.stderr)")
        #expect(archive.stderr.contains("update --dry-run: would update 3 items"), "\(archive.stderr)")
    }

    /// Uploads three untitled WAVs and one titled one, then runs the runbook's dry run.
    func archiveFindsTheUntitled(_ sandbox: Sandbox, _ backend: [String]) async throws {
        let files = try (0..<4).map { try sandbox.write(String(repeating: "r", count: 20 + $0), to: "rec\($0).wav").path }
        let upload = try await sandbox.mediash(backend + ["--yes", "-c", "upload \(files.joined(separator: " ")) | count"])
        #expect(upload.status == 0, "\(upload.stderr)")
        let titled = try await sandbox.mediash(backend + ["--yes", "-c", "list | where name == \"rec0.wav\" | update set title=\"Kept\""])
        #expect(titled.status == 0, "\(titled.stderr)")
        let count = try await sandbox.mediash(backend + ["-c", "list | where title == null | count"])
        #expect(count.stdout == "3\n", "\(count.stdout) \(count.stderr)")
        let archive = try await sandbox.mediash(backend + ["--dry-run", Self.runbook, "7d"])
        #expect(archive.status == 0, "\(archive.stderr)")
        #expect(archive.stderr.contains("update --dry-run: would update 3 items"), "\(archive.stderr)")
    }

    @Test func mediaServerAndTheEmbeddedStoreAgree() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try await archiveFindsTheUntitled(sandbox, ["--store", sandbox.store.path])
        let server = try await ServerProcess.start(["--data", sandbox.root.appendingPathComponent("server").path, "--account", "k:s"])
        defer { server.stop() }
        try await archiveFindsTheUntitled(sandbox, ["--endpoint", server.endpoint, "--api-key", "k", "--api-secret", "s"])
    }
}
