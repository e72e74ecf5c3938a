import Foundation
import Testing

/// An interactive session first runs `$XDG_CONFIG_HOME/mediash/rc.msh`, so `source` lines and
/// `def`s there are ready at the first prompt. The session needs a terminal: `script` gives it one.
@Suite struct RCFileTests {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func theRCFileRunsBeforeTheFirstPrompt() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        _ = try box.write("def big [limit] { where size > $limit }\n", to: "lib.msh")
        _ = try box.write("one", to: "a.txt")
        _ = try box.write(String(repeating: "x", count: 2000), to: "b.txt")
        let rc = box.root.appendingPathComponent("config/mediash/rc.msh")
        try FileManager.default.createDirectory(at: rc.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "source \(box.work.appendingPathComponent("lib.msh").path)\n".write(to: rc, atomically: true, encoding: .utf8)
        // Private whatever the process's umask (another test may be changing it meanwhile):
        // mediash refuses an rc.msh others could write.
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: rc.deletingLastPathComponent().path)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: rc.path)
        let mediash = BuiltBinary.url("mediash").path
        let upload = try await box.mediash(["--store", box.store.path, "-c", "upload a.txt b.txt | count"])
        #expect(upload.stdout == "2\n", "\(upload.stderr)")
        let session = try RunningProcess(executable: URL(fileURLWithPath: "/usr/bin/script"),
                                         arguments: ["-qec", "\(mediash) --store \(box.store.path)", "/dev/null"],
                                         environment: box.environment, directory: box.work,
                                         stdin: "list | big 1KB | select name | jsonl\nexit\n")
        let r = try await session.wait(timeout: .seconds(60))
        #expect(r.stdout.contains("{\"name\":\"b.txt\"}"), "\(r.stdout)\n\(r.stderr)")
        #expect(!r.stdout.contains("unknown verb"), "\(r.stdout)")
    }
}
