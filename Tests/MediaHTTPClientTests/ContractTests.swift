import Foundation
import MediaAPI
import MediaHTTPClient
import MediaServiceContract
import Testing

/// The shared MediaService contract, each check through MediaHTTPClient to its own live media-server.
@Test("MediaHTTPClient → media-server meets the MediaService contract", arguments: MediaServiceContract.checks)
func httpContract(_ check: ContractCheck) async throws {
    let started = Started()
    do {
        try await check.run {
            let server = try await LiveServer.start()
            await started.set(server)
            return server.client
        }
        await started.server?.stop()
    } catch {
        await started.server?.stop()
        throw error
    }
}

/// The server a check started, so the test can stop it whatever the check did.
private actor Started {
    var server: LiveServer?
    func set(_ server: LiveServer) { self.server = server }
}
