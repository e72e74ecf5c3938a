import Foundation
import Testing

/// `config.toml` is read as TOML: secrets keep every character, broken files name their line.
@Suite struct ConfigFileTests {
    private func writeConfig(_ text: String, in sandbox: Sandbox) throws {
        try FileManager.default.createDirectory(at: sandbox.config.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: sandbox.config, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: sandbox.config.path)
    }

    @Test func aHashOrBackslashInsideAQuotedSecretIsPartOfIt() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let server = try await MediaServerProcess.start(sandbox: sandbox, extraArguments: [
            "--account", "hash1:pa#ss", "--account", #"hash2:pa#ss\"#, "--account", "hash3:it's#1",
        ])
        defer { server.stop() }
        try writeConfig(#"""
            # three accounts whose secrets hold a '#'
            [profile.one]
            endpoint = "\#(server.endpoint)"
            api_key = "hash1"
            api_secret = "pa#ss"   # a comment after the value

            [profile.two]
            endpoint = "\#(server.endpoint)"
            api_key = "hash2"
            api_secret = "pa#ss\\" # the secret ends in a backslash

            [profile."three"]
            endpoint = '\#(server.endpoint)'
            api_key = 'hash3'
            api_secret = "it's\u00231"
            """#, in: sandbox)
        for profile in ["one", "two", "three"] {
            let run = try await sandbox.mediash(["--profile", profile, "-c", "list | count"])
            #expect(run.status == 0, "\(profile): \(run.stderr)")
            #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(profile)")
        }
    }

    @Test(arguments: [
        ("[profile.a]\nendpoint = \"http://127.0.0.1:9/v3/media\"\napi_key = \"unterminated\n", "config.toml:3:"),
        ("[profile.a]\napi_key = \"k\"\napi_key = \"again\"\n", "config.toml:3:"),
        ("[profile.a\nendpoint = \"x\"\n", "config.toml:1:"),
        ("\n\n\n\n[profile.a]\nendpoint = https://unquoted\n", "config.toml:6:"),
    ])
    func malformedTOMLIsAUsageErrorNamingItsLine(text: String, place: String) async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try writeConfig(text, in: sandbox)
        let run = try await sandbox.mediash(["--profile", "a", "-c", "list"])
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stderr.contains(place), "\(run.stderr)")
    }

    @Test(arguments: [
        ("[profile.a]\napi_key = 42\n", "api_key"),
        ("[profile.a]\npassword = \"x\"\n", "password"),
        ("endpoint = \"x\"\n[profile.a]\n", "endpoint"),
        ("[server]\nport = 1\n", "[server]"),
        ("profile = \"a\"\n", "profile"),
    ])
    func wellFormedButUnusableIsAUsageErrorNamingWhat(text: String, named: String) async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try writeConfig(text, in: sandbox)
        let run = try await sandbox.mediash(["--profile", "a", "-c", "list"])
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stderr.contains(named), "\(run.stderr)")
    }
}
