import Foundation
import Testing

/// Ctrl-C (SIGINT) during a slow pipeline: against a media-server that answers slowly.
@Suite struct InterruptTests {
    @Test func sigintInterruptsARunningPipelineWithStatus130() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let server = try MediaServerProcess(sandbox: sandbox, extraArguments: ["--fault-latency", "3s"])
        defer { server.stop() }
        let running = try sandbox.start(["--endpoint", server.endpoint, "--api-key", MediaServerProcess.apiKey,
                                         "--api-secret", MediaServerProcess.apiSecret, "-c", "list | count"])
        Thread.sleep(forTimeInterval: 1.0)
        let sent = Date()
        running.signal(SIGINT)
        let run = try running.wait(timeout: .seconds(30))
        #expect(run.status == 130, "\(run.stderr)")
        #expect(Date().timeIntervalSince(sent) < 2.5, "stopped before the slow request finished")
        #expect(run.stderr.contains("interrupted"))
    }
}
