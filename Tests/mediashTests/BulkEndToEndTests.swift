import Foundation
import Testing

/// A media-server process on a free loopback port, for mediash to talk to over HTTP.
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    let port: Int

    /// Starts `media-server --port 0` with `arguments` and waits for its "listening on" line, off
    /// the pool Swift's tasks run on.
    static func start(_ arguments: [String]) async throws -> ServerProcess {
        try await offThePool { try ServerProcess(arguments) }
    }

    private init(_ arguments: [String]) throws {
        let out = Pipe()
        process.executableURL = BuiltBinary.url("media-server")
        process.arguments = ["--port", "0"] + arguments
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        guard FileManager.default.isExecutableFile(atPath: BuiltBinary.url("media-server").path) else {
            throw TestFailure("media-server is not built: run `swift build` first")
        }
        try process.run()
        var text = ""
        let deadline = ContinuousClock.now + .seconds(30)
        while !text.contains("\n"), ContinuousClock.now < deadline {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = text.range(of: #"http://127\.0\.0\.1:(\d+)"#, options: .regularExpression),
              let port = Int(text[range].split(separator: ":").last ?? "") else {
            process.terminate()
            throw TestFailure("media-server did not say where it listens: \(text)")
        }
        self.port = port
    }

    var endpoint: String { "http://127.0.0.1:\(port)/v3/media" }

    /// Stops the server; returns at once (for `defer`).
    func stop() { terminate(process) }

    /// Stops the server and returns once it has ended (its store closed, for the next server on the same data).
    func stopped() async { await terminated(process) }
}

/// mediash against a real media-server process that misbehaves: bulk actions finish, and the
/// journal they leave reads back with `open`.
@Suite struct BulkEndToEndTests {
    @Test func deleteUnderFaultsFinishesAndTheJournalReadsBackWithOpen() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let data = sandbox.root.appendingPathComponent("server").path
        let files = try (0..<40).map { try sandbox.write(String(repeating: "x", count: 100 + $0), to: "f\($0).txt").path }
        let credentials = ["--api-key", "k", "--api-secret", "s"]
        // The journal goes to ~/.local/state/mediash/journal.jsonl when XDG_STATE_HOME is not set.
        let home = ["XDG_STATE_HOME": ""]

        let clean = try await ServerProcess.start(["--data", data, "--account", "k:s"])
        let upload = try await sandbox.mediash(["--endpoint", clean.endpoint] + credentials + ["-c", "upload \(files.joined(separator: " ")) | count"])
        await clean.stopped()
        #expect(upload.status == 0, "\(upload.stderr)")

        let faulty = try await ServerProcess.start([
            "--data", data, "--account", "k:s", "--fault-server-errors", "0.1", "--fault-rate-limit-every", "7",
            "--fault-drop", "0.02", "--fault-retry-after", "0.05", "--fault-seed", "3",
        ])
        defer { faulty.stop() }
        let delete = try await sandbox.mediash(["--endpoint", faulty.endpoint] + credentials + ["--yes", "-o", "jsonl", "-c", "list | delete"],
                                         environment: home)
        #expect(delete.status == 0, "\(delete.stderr)")
        #expect(delete.stderr.contains("\ndelete: 40 deleted ("), "\(delete.stderr)")  // after the notice that --yes has no --max-delete
        #expect(delete.stdout.split(separator: "\n").count == 40)
        let left = try await sandbox.mediash(["--endpoint", faulty.endpoint] + credentials + ["-c", "list | count"])
        #expect(left.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(left.stderr)")

        let local = ["--store", sandbox.store.path]
        let journal = try await sandbox.mediash(local + ["-c", "open ~/.local/state/mediash/journal.jsonl | where status == \"deleted\" | count"],
                                          environment: home)
        #expect(journal.status == 0, "\(journal.stderr)")
        #expect(journal.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "40")
        let sizes = try await sandbox.mediash(local + ["-o", "json", "-c", "open ~/.local/state/mediash/journal.jsonl | where verb == \"delete\" | sum size"],
                                        environment: home)
        #expect(sizes.stdout.contains("\((0..<40).map { 100 + $0 }.reduce(0, +))"), "\(sizes.stdout)")
    }
}
