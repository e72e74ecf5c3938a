import Foundation
import Testing

/// When the service cannot be reached, an action says so, and only so: no "nothing to do" summary first.
@Suite struct UnreachableServiceTests {
    @Test func anUnreachableServiceGivesItsErrorAlone() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        let r = try await box.mediash(["-c", "list | delete --yes"], environment: [
            "MEDIASH_ENDPOINT": "http://127.0.0.1:1/v3/media", "VONAGE_API_KEY": "k", "VONAGE_API_SECRET": "s",
        ])
        #expect(r.status == 1)
        #expect(r.stderr.contains("could not reach the service"), "\(r.stderr)")
        #expect(!r.stderr.contains("nothing to do"), "\(r.stderr)")
    }
}
