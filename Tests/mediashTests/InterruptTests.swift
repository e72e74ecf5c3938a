import Foundation
import Testing

/// Ctrl-C (SIGINT) during a slow pipeline: against a media-server that answers slowly.
@Suite struct InterruptTests {
    @Test func sigintInterruptsARunningPipelineWithStatus130() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        // The list request takes 60 s: only Ctrl-C can end the run within the 30 s we wait.
        let server = try await MediaServerProcess.start(sandbox: sandbox, extraArguments: ["--fault-latency", "60s"])
        defer { server.stop() }
        let running = try sandbox.start(["--endpoint", server.endpoint, "--api-key", MediaServerProcess.apiKey,
                                         "--api-secret", MediaServerProcess.apiSecret, "-c", "list | count"])
        // Acts on an event: the request has reached the server (so the pipeline is running).
        try await server.waitForConnection(timeout: .seconds(60))
        running.signal(SIGINT)
        let run = try await running.wait(timeout: .seconds(30))
        #expect(run.status == 130, "\(run.stderr)")
        #expect(run.stdout.isEmpty, "a result was printed: \(run.stdout)")
        #expect(run.stderr.contains("interrupted"))
    }
}
