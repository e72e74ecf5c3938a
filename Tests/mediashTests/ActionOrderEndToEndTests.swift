import Foundation
import Testing

/// Issue 31, point 4: an action's preview and its run list items in the order the listing
/// gave them, run after run, over HTTP (where `list` may page time windows side by side).
@Suite struct ActionOrderEndToEndTests {
    /// Waits for each mediash on a thread of its own (Sandbox.mediash's async form): a test that
    /// blocks one of the two cooperative threads for minutes starves every in-process server.
    @Test func previewAndRunRowsComeInTheListingsOrder() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let server = try await ServerProcess.start(["--data", sandbox.root.appendingPathComponent("server").path, "--account", "k:s"])
        defer { server.stop() }
        let endpoint = ["--endpoint", server.endpoint, "--api-key", "k", "--api-secret", "s", "--concurrency", "16"]
        // More than one page, so time windows would have something to interleave.
        let files = try (0..<250).map { try sandbox.write("item \($0)", to: "f\($0).txt").path }
        let upload = try await sandbox.mediash(endpoint + ["--yes", "-c", "upload \(files.joined(separator: " ")) | count"])
        #expect(upload.status == 0, "\(upload.stderr)")

        func ids(_ program: String) async throws -> [String] {
            let r = try await sandbox.mediash(endpoint + ["--yes", "-o", "jsonl", "-c", program])
            #expect(r.status == 0, "\(program): \(r.stderr)")
            return r.stdout.split(separator: "\n").compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["id"] as? String
            }
        }
        let listed = try await ids("list | select id")
        #expect(listed.count == 250)
        #expect(try await ids("list | delete --dry-run") == listed)
        #expect(try await ids("list | delete --dry-run") == listed, "the same order a second time")
        #expect(try await ids("list | update set title=\"x\" --dry-run") == listed)
        #expect(try await ids("list | update set title=\"x\"") == listed, "the run's rows as the preview's")
    }
}
