import Foundation
import Testing

/// media-server's accounts off the command line: from --accounts-file (mode checked like --config)
/// and from MEDIA_SERVER_ACCOUNTS; a secret given with --account gets a one-line warning.
/// (MediaServerProcess gives its own account through MEDIA_SERVER_ACCOUNTS: every test that starts
/// one uses the environment.)
@Suite struct MediaServerAccountsTests {
    private func accountsFile(_ text: String, mode: Int, in sandbox: Sandbox) throws -> URL {
        let file = sandbox.root.appendingPathComponent("accounts")
        try text.write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file.path)
        return file
    }

    private func warnings(_ log: URL) throws -> [Substring] {
        try String(contentsOf: log, encoding: .utf8).split(separator: "\n").filter { $0.contains("warning") }
    }

    private func signIn(_ sandbox: Sandbox, _ server: MediaServerProcess, _ key: String, _ secret: String) async throws -> Int32 {
        try await sandbox.mediash(["--endpoint", server.endpoint, "--api-key", key, "--api-secret", secret, "-c", "list | count"]).status
    }

    @Test("accounts from a private --accounts-file and from the environment sign in, with no warning")
    func fileAndEnvironment() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let file = try accountsFile("# the team\nk1:secret-one\n\n  k2:pa#ss:with:colons  \n", mode: 0o600, in: sandbox)
        let errors = sandbox.root.appendingPathComponent("server.err")
        let server = try await MediaServerProcess.start(sandbox: sandbox, extraArguments: ["--accounts-file", file.path], errorLog: errors)
        defer { server.stop() }
        #expect(try await signIn(sandbox, server, "k1", "secret-one") == 0)
        #expect(try await signIn(sandbox, server, "k2", "pa#ss:with:colons") == 0)
        #expect(try await signIn(sandbox, server, MediaServerProcess.apiKey, MediaServerProcess.apiSecret) == 0)
        #expect(try await signIn(sandbox, server, "k1", "wrong") != 0)
        let found = try warnings(errors)
        #expect(found.isEmpty, "\(found)")
    }

    @Test("an accounts file others can read gets one warning naming it; a secret on the command line gets one too, without the secret")
    func warnsOfExposedSecrets() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let file = try accountsFile("k1:secret-one\n", mode: 0o644, in: sandbox)
        let errors = sandbox.root.appendingPathComponent("server.err")
        let server = try await MediaServerProcess.start(
            sandbox: sandbox, extraArguments: ["--accounts-file", file.path, "--account", "k3:visible-in-ps"], errorLog: errors)
        defer { server.stop() }
        #expect(try await signIn(sandbox, server, "k3", "visible-in-ps") == 0)
        let found = try warnings(errors)
        #expect(found.count == 2, "\(found)")
        #expect(found.contains { $0.contains(file.path) && $0.contains("644") && $0.contains("chmod 600") }, "\(found)")
        #expect(found.contains { $0.contains("--account") && $0.contains("--accounts-file") && $0.contains("MEDIA_SERVER_ACCOUNTS") }, "\(found)")
        #expect(!found.contains { $0.contains("visible-in-ps") || $0.contains("secret-one") })
    }

    @Test("a line of an accounts file that is not KEY:SECRET is an error naming the line, and the server does not start")
    func badLine() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let file = try accountsFile("k1:secret-one\nno-colon-here\n", mode: 0o600, in: sandbox)
        let errors = sandbox.root.appendingPathComponent("server.err")
        await #expect(throws: (any Error).self) {
            _ = try await MediaServerProcess.start(sandbox: sandbox, extraArguments: ["--accounts-file", file.path], errorLog: errors)
        }
        let text = try String(contentsOf: errors, encoding: .utf8)
        #expect(text.contains("\(file.path):2:") && text.contains("KEY:SECRET"), "\(text)")
        #expect(!text.contains("secret-one"))
    }
}
