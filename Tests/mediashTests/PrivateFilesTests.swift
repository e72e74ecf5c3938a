import Foundation
import Testing

/// Issue 32 points 5 (mediash's part) and 11: the history and the journal are the user's alone
/// (files 0600, their folder 0700) whatever the umask and whatever mode they had; rc.msh is not
/// run when someone else could have written it (as ssh refuses its config).
@Suite(.serialized) struct PrivateFilesTests {
    static let hasScript = FileManager.default.isExecutableFile(atPath: "/usr/bin/script")

    static func mode(_ url: URL) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.posixPermissions] as? Int) ?? -1
    }

    /// An interactive session (a terminal through `script`) under `umask`, fed `input`.
    static func session(_ box: Sandbox, umask: String = "022", input: String) async throws -> ProcessResult {
        let mediash = BuiltBinary.url("mediash").path
        let running = try RunningProcess(
            executable: URL(fileURLWithPath: "/bin/sh"),
            arguments: ["-c", "umask \(umask); exec /usr/bin/script -qec \"$0 --store \(box.store.path)\" /dev/null", mediash],
            environment: box.environment, directory: box.work, stdin: input)
        return try await running.wait(timeout: .seconds(60))
    }

    static func writeRC(_ box: Sandbox, _ text: String, mode: Int, folderMode: Int = 0o755) throws -> URL {
        let rc = box.root.appendingPathComponent("config/mediash/rc.msh")
        try FileManager.default.createDirectory(at: rc.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: rc, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: rc.path)
        try FileManager.default.setAttributes([.posixPermissions: folderMode], ofItemAtPath: rc.deletingLastPathComponent().path)
        return rc
    }

    @Test(.enabled(if: hasScript), arguments: [(0o666, 0o755, "may be written by anyone (mode 666)"),
                                               (0o620, 0o755, "may be written by its group (mode 620)"),
                                               (0o644, 0o777, "its folder")])
    func anRCFileOthersMayWriteIsRefused(mode: Int, folderMode: Int, says: String) async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let rc = try Self.writeRC(box, "def planted [] { count }\n", mode: mode, folderMode: folderMode)
        let r = try await Self.session(box, input: "list | planted\nexit\n")
        let all = r.stdout + r.stderr
        #expect(r.status == 1, "exit 1: \(r.status) \(all)")
        #expect(all.contains("not running"), "\(all)")
        #expect(all.contains(rc.path) || all.contains(rc.deletingLastPathComponent().path), "\(all)")
        #expect(all.contains(says), "\(all)")
        #expect(all.contains("chmod go-w"), "\(all)")
    }

    @Test(.enabled(if: hasScript && getuid() == 0))
    func anRCFileOwnedByAnotherUserIsRefused() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let rc = try Self.writeRC(box, "def planted [] { count }\n", mode: 0o644)
        #expect(chown(rc.path, 65534, 65534) == 0)
        let r = try await Self.session(box, input: "list | planted\nexit\n")
        let all = r.stdout + r.stderr
        #expect(r.status == 1, "\(all)")
        #expect(all.contains("is owned by"), "\(all)")
        #expect(all.contains("not by you"), "\(all)")
    }

    @Test(.enabled(if: hasScript))
    func aPrivateRCFileStillRuns() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        _ = try Self.writeRC(box, "def planted [] { count }\n", mode: 0o600)
        let r = try await Self.session(box, input: "list | planted | jsonl\nexit\n")
        #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
        #expect(!(r.stdout + r.stderr).contains("not running"), "\(r.stdout)")
        #expect(!r.stdout.contains("unknown verb"), "\(r.stdout)")
    }

    /// A history and a state folder left readable by an older mediash (or made under umask 000)
    /// are made private by the next session.
    @Test(.enabled(if: hasScript))
    func theHistoryIsPrivateWhateverItsModeWas() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let folder = box.root.appendingPathComponent("state/mediash")
        let history = folder.appendingPathComponent("history")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "list | count\n".write(to: history, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: history.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: folder.path)
        let r = try await Self.session(box, umask: "000", input: "list | count\nexit\n")
        #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
        #expect(Self.mode(history) == 0o600, "history mode \(String(Self.mode(history), radix: 8))")
        #expect(Self.mode(folder) == 0o700, "folder mode \(String(Self.mode(folder), radix: 8))")

        // Made afresh under umask 000: private too.
        let fresh = try Sandbox()
        defer { fresh.remove() }
        let made = try await Self.session(fresh, umask: "000", input: "list | count\nexit\n")
        #expect(made.status == 0, "\(made.stdout) \(made.stderr)")
        let freshFolder = fresh.root.appendingPathComponent("state/mediash")
        #expect(Self.mode(freshFolder.appendingPathComponent("history")) == 0o600)
        #expect(Self.mode(freshFolder) == 0o700)
    }

    @Test func theJournalIsPrivateWhateverTheUmask() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        _ = try box.write("one", to: "a.txt")
        let folder = box.journal.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: folder.path)
        try "".write(to: box.journal, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: box.journal.path)
        let mediash = BuiltBinary.url("mediash").path
        let running = try RunningProcess(
            executable: URL(fileURLWithPath: "/bin/sh"),
            arguments: ["-c", "umask 000; exec \"$0\" --store \(box.store.path) --yes -c \"$1\"", mediash, "upload a.txt | count\nlist | delete"],
            environment: box.environment, directory: box.work, stdin: nil)
        let r = try await running.wait(timeout: .seconds(60))
        #expect(r.status == 0, "\(r.stderr)")
        let journal = try String(contentsOf: box.journal, encoding: .utf8)
        #expect(journal.contains("\"deleted\""), "\(journal)")
        #expect(Self.mode(box.journal) == 0o600, "journal mode \(String(Self.mode(box.journal), radix: 8))")
        #expect(Self.mode(folder) == 0o700, "folder mode \(String(Self.mode(folder), radix: 8))")
    }
}
