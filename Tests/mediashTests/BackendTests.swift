import Foundation
import Testing

/// Talking to a live media-server over loopback with key/secret and with JWT credentials,
/// credentials from flags, the environment and profiles; secrets never printed.
@Suite struct BackendTests {
    private func keySecretFlags(_ server: MediaServerProcess) -> [String] {
        ["--endpoint", server.endpoint, "--api-key", MediaServerProcess.apiKey, "--api-secret", MediaServerProcess.apiSecret]
    }

    @Test func keyAndSecretUploadListAndDelete() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let server = try await MediaServerProcess.start(sandbox: sandbox)
        defer { server.stop() }
        let wav = try DemoWAV.write(in: sandbox, name: "call.wav", seconds: 2)
        let flags = keySecretFlags(server)
        let upload = try await sandbox.mediash(flags + ["-c", "upload \(wav.path) title \"First call\""])
        #expect(upload.status == 0, "\(upload.stderr)")
        let list = try await sandbox.mediash(flags + ["-o", "json", "-c", "list"])
        #expect(list.status == 0, "\(list.stderr)")
        let items = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(items.count == 1)
        #expect(items.first?["title"] as? String == "First call")
        let delete = try await sandbox.mediash(flags + ["--yes", "-c", "list | delete"])
        #expect(delete.status == 0, "\(delete.stderr)")
        #expect(try await sandbox.mediash(flags + ["-c", "list | count"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }

    @Test func applicationJWTFromTheEnvironment() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let server = try await MediaServerProcess.start(sandbox: sandbox)
        defer { server.stop() }
        let env = ["MEDIASH_ENDPOINT": server.endpoint, "VONAGE_APPLICATION_ID": MediaServerProcess.applicationID,
                   "VONAGE_PRIVATE_KEY_PATH": server.privateKey.path]
        let wav = try DemoWAV.write(in: sandbox, name: "voicemail.wav")
        let upload = try await sandbox.mediash(["-c", "upload \(wav.path)"], environment: env)
        #expect(upload.status == 0, "\(upload.stderr)")
        let count = try await sandbox.mediash(["-c", "list | count"], environment: env)
        #expect(count.status == 0, "\(count.stderr)")
        #expect(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        // The same account seen through its key and secret.
        let viaKey = try await sandbox.mediash(keySecretFlags(server) + ["-c", "list | count"])
        #expect(viaKey.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
    }

    @Test func applicationJWTFromAProfileWarnsWhenOthersCanReadIt() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let server = try await MediaServerProcess.start(sandbox: sandbox)
        defer { server.stop() }
        try FileManager.default.createDirectory(at: sandbox.config.deletingLastPathComponent(), withIntermediateDirectories: true)
        try """
            # local media-server
            [profile.local]
            endpoint = "\(server.endpoint)"
            application_id = "\(MediaServerProcess.applicationID)"
            private_key = "\(server.privateKey.path)"   # the app's key
            """.write(to: sandbox.config, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: sandbox.config.path)
        let open = try await sandbox.mediash(["--profile", "local", "-c", "list | count"])
        #expect(open.status == 0, "\(open.stderr)")
        #expect(open.stderr.contains("chmod 600"))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: sandbox.config.path)
        let closed = try await sandbox.mediash(["--profile", "local", "-c", "list | count"])
        #expect(closed.status == 0)
        #expect(!closed.stderr.contains("chmod"))
        let missing = try await sandbox.mediash(["--profile", "prod", "-c", "list | count"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("local"), "lists the profiles there are")
    }

    @Test func aWrongSecretFailsWithoutShowingIt() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let server = try await MediaServerProcess.start(sandbox: sandbox)
        defer { server.stop() }
        let secret = "wrong-secret-7781"
        let run = try await sandbox.mediash(["--endpoint", server.endpoint, "--api-key", MediaServerProcess.apiKey,
                                       "--api-secret", secret, "-c", "list | count"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("authorized"), "\(run.stderr)")
        #expect(!run.stderr.contains(secret) && !run.stdout.contains(secret))
    }

    @Test func incompleteCredentialsAreAUsageError() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let noSecret = try await sandbox.mediash(["--endpoint", "http://127.0.0.1:9/v3/media", "--api-key", "k", "-c", "list"])
        #expect(noSecret.status == 2)
        #expect(noSecret.stderr.contains("--api-secret"))
        let none = try await sandbox.mediash(["--endpoint", "http://127.0.0.1:9/v3/media", "-c", "list"])
        #expect(none.status == 2)
        #expect(none.stderr.contains("credentials"))
        let notURL = try await sandbox.mediash(["--endpoint", "ftp:nowhere", "--api-key", "k", "--api-secret", "s", "-c", "list"])
        #expect(notURL.status == 2)
        let badKey = try sandbox.write("not a key", to: "bad.key")
        let run = try await sandbox.mediash(["--endpoint", "http://127.0.0.1:9/v3/media", "--application-id", "app",
                                       "--private-key", badKey.path, "-c", "list"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("private key"))
    }

    @Test func aBrokenConfigFileNamesTheLine() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try FileManager.default.createDirectory(at: sandbox.config.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "[profile.a]\nendpoint = https://unquoted\n".write(to: sandbox.config, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: sandbox.config.path)
        let run = try await sandbox.mediash(["--profile", "a", "-c", "list"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("config.toml:2"), "\(run.stderr)")
    }
}
