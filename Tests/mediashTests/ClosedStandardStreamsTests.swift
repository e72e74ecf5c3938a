import Foundation
import Testing

/// A process started without a standard descriptor (`media-server 2>&-` in a unit file or a
/// cron line) gets /dev/null there: otherwise the next file or socket it opens takes number 2,
/// and each access-log line is written into it. Before, the server's epoll descriptor took 2,
/// the first log line failed, and every request was answered with a closed connection.
@Suite struct ClosedStandardStreamsTests {
    @Test("media-server started with stderr closed answers, and its descriptor 2 is /dev/null")
    func serverWithoutStandardError() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let server = try await MediaServerProcess.start(sandbox: sandbox, closedStandardError: true)
        defer { server.stop() }
        #if os(Linux)
        let target = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(server.process.processIdentifier)/fd/2")
        #expect(target == "/dev/null")
        #endif
        let credentials = ["--endpoint", server.endpoint, "--api-key", MediaServerProcess.apiKey, "--api-secret", MediaServerProcess.apiSecret]
        let payload = sandbox.work.appendingPathComponent("take.wav")
        let bytes = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try bytes.write(to: payload)
        let upload = try await sandbox.mediash(credentials + ["-c", "upload \(payload.path)"])
        #expect(upload.status == 0, "\(upload.stderr)")
        let count = try await sandbox.mediash(credentials + ["-o", "jsonl", "-c", "list | count"])
        #expect(count.status == 0 && count.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1", "\(count.stdout) \(count.stderr)")
        let out = sandbox.work.appendingPathComponent("out")
        let download = try await sandbox.mediash(credentials + ["-c", "list | download to \(out.path)"])
        #expect(download.status == 0, "\(download.stderr)")
        #expect(try Data(contentsOf: out.appendingPathComponent("take.wav")) == bytes)
    }
}
