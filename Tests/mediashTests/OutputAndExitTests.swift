import Foundation
import Testing

/// Each output format, and the exit codes `--help` documents.
@Suite struct OutputFormatTests {
    static let pipeline = "list | sort by name | first 3 | select name size"

    private func run(_ format: String) async throws -> ProcessResult  {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let run = try await sandbox.mediash(["--demo", "--quiet", "-o", format, "-c", OutputFormatTests.pipeline])
        #expect(run.status == 0, "\(run.stderr)")
        return run
    }

    @Test func jsonIsOneArrayOfRecordsWithExactSizes() async throws {
        let json = try await run("json").stdout
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        #expect(rows.count == 3)
        let names = rows.compactMap { $0["name"] as? String }
        #expect(names == names.sorted() && names.count == 3)
        #expect(rows.allSatisfy { ($0["size"] as? Int).map { $0 > 44 } == true })
    }

    @Test func jsonlIsOneRecordALine() async throws {
        let lines = try await run("jsonl").stdout.split(separator: "\n")
        #expect(lines.count == 3)
        for line in lines {
            let row = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(row["name"] is String && row["size"] is Int)
        }
    }

    @Test func csvHasAHeaderAndOneLineARecord() async throws {
        let lines = try await run("csv").stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(lines.count == 4)
        #expect(lines.first == "name,size")
        #expect(lines.dropFirst().allSatisfy { $0.split(separator: ",").last.flatMap { Int($0) } != nil })
    }

    @Test func tableHasAHeaderAndHumanSizes() async throws {
        let text = try await run("table").stdout
        #expect(text.contains("name") && text.contains("size"))
        #expect(text.contains(" KB") || text.contains(" MB"), "\(text)")
        #expect(!text.contains("\u{1B}["), "no colour in a pipe")
    }
}

@Suite struct ExitCodeTests {
    @Test func helpDocumentsTheExitCodes() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let run = try await sandbox.mediash(["--help"])
        #expect(run.status == 0)
        for text in ["EXIT STATUS", "130", "-c", "--demo", "--endpoint", "--profile", "--dry-run", "--yes"] {
            #expect(run.stdout.contains(text), "help mentions \(text)")
        }
        // Read at 80 columns (no terminal: ArgumentParser's default width), no line is rewrapped:
        // each fits, and none is the stray tail of a broken one (a lower-case word at column 0-6).
        for line in run.stdout.split(separator: "\n", omittingEmptySubsequences: false) {
            #expect(line.count <= 80, "too wide: \(line)")
        }
        #expect(run.stdout.contains("  2    a usage, syntax or check error (nothing was run)\n"))
        #expect(run.stdout.contains("OVERVIEW: A pipeline shell for the Media API (list | where size > 1MB | delete)\n"))
        #expect(run.stdout.contains("mediash [OPTIONS] -c PROGRAM      run PROGRAM and exit\n"))
    }

    @Test func versionExitsZero() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let run = try await sandbox.mediash(["--version"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("mediash"))
    }

    @Test func anUnknownFlagIsAUsageError() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let run = try await sandbox.mediash(["--frobnicate"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("--frobnicate"))
    }

    @Test func aSyntaxErrorExitsTwoWithACaretAndRunsNothing() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let wav = try DemoWAV.write(in: sandbox, name: "a.wav")
        let run = try await sandbox.mediash(["--store", sandbox.store.path, "-c", "upload \(wav.path)\nlist | where size >"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("^"), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
        let count = try await sandbox.mediash(["--store", sandbox.store.path, "-c", "list | count"])
        #expect(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "nothing ran, not even line 1")
    }

    @Test func anUnknownVerbSuggestsTheRightOne() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let run = try await sandbox.mediash(["--store", sandbox.store.path, "-c", "list | delte"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("delete"))
    }

    @Test func aPartialFailureExitsOneAndAccountsForEveryItem() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let a = try DemoWAV.write(in: sandbox, name: "a.wav")
        let b = try DemoWAV.write(in: sandbox, name: "b.wav")
        let store = ["--store", sandbox.store.path]
        #expect(try await sandbox.mediash(store + ["-c", "upload \(a.path) \(b.path)"]).status == 0)
        // a.wav may be downloaded once; the second download of it must fail, b.wav's must not.
        let limit = try await sandbox.mediash(store + ["--yes", "-c", "list | where name == \"a.wav\" | update set max_downloads_allowed=1"])
        #expect(limit.status == 0, "\(limit.stderr)")
        #expect(try await sandbox.mediash(store + ["-c", "list | download to first"]).status == 0)
        let run = try await sandbox.mediash(store + ["-o", "json", "-c", "list | download to second"])
        #expect(run.status == 1, "\(run.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 2)
        #expect(rows.contains { $0["status"] as? String == "failed" && $0["name"] as? String == "a.wav" && $0["error"] is String })
        #expect(rows.contains { $0["status"] as? String == "downloaded" && $0["name"] as? String == "b.wav" })
    }

    @Test func aDestructiveActionWithNoOneToAskStopsBeforeAnyRequest() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let run = try await sandbox.mediash(["--demo", "--quiet", "-c", "list | first 2 | delete\n"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("--yes"))
    }

    @Test func dryRunOnlyReportsAndYesDeletesAndTheJournalRecordsIt() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let a = try DemoWAV.write(in: sandbox, name: "a.wav")
        let store = ["--store", sandbox.store.path]
        #expect(try await sandbox.mediash(store + ["-c", "upload \(a.path) \(a.path)"]).status == 0)
        let dry = try await sandbox.mediash(store + ["--dry-run", "-o", "csv", "-c", "list | delete"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("would delete"))
        #expect(try await sandbox.mediash(store + ["-c", "list | count"]).stdout.contains("2"))
        let real = try await sandbox.mediash(store + ["--yes", "-o", "csv", "-c", "list | delete"])
        #expect(real.status == 0, "\(real.stderr)")
        #expect(try await sandbox.mediash(store + ["-c", "list | count"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        let journal = try String(contentsOf: sandbox.journal, encoding: .utf8).split(separator: "\n")
        let deleted = journal.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["status"] as? String == "deleted" && $0["verb"] as? String == "delete" }
        #expect(deleted.count == 2)
        #expect(deleted.allSatisfy { $0["id"] is String && $0["time"] is String })
    }
}

/// The README's embedding example builds (it is a target of the package) and does what it says.
@Suite struct EmbeddingExampleTests {
    @Test func theExampleRunsAProgramWithAHostVerb() async throws {
        let run = try await RunningProcess(
            executable: BuiltBinary.url("embed-shell"), arguments: [], environment: ProcessInfo.processInfo.environment,
            directory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath), stdin: nil
        ).wait(timeout: .seconds(120))
        let text = run.stdout
        #expect(run.status == 0, "\(run.stderr)")
        #expect(text == "name,size,tag\nc.wav,500,audio\na.wav,2000000,audio\nstatus: success\nbigger than 1MB: 1\n", "\(text)")
    }
}
