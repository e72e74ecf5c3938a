import Foundation
import Testing

/// The invocation forms of issue 6, against the embedded store, through the built binary.
@Suite struct InvocationTests {
    @Test func dashCRunsAProgramAndExitsZero() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let run = try await sandbox.mediash(["--store", sandbox.store.path, "-c", "list | count"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }

    @Test func theDefaultStoreIsUnderXDGDataHome() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let wav = try DemoWAV.write(in: sandbox, name: "hello.wav")
        let upload = try await sandbox.mediash(["-c", "upload \(wav.path)"])
        #expect(upload.status == 0, "\(upload.stderr)")
        #expect(FileManager.default.fileExists(atPath: sandbox.root.appendingPathComponent("data/mediash").path))
        let count = try await sandbox.mediash(["-c", "list | count"])
        #expect(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
    }

    @Test func aScriptFileWithAShebangGetsItsArguments() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let script = try sandbox.write("""
            #!/usr/bin/env mediash
            # how many recordings are bigger than the first argument
            list | where size > $1 | count
            """, to: "bigger.msh", mode: 0o755)
        let viaScript = try await sandbox.mediash(["--demo", "--quiet", script.path, "1MB"])
        #expect(viaScript.status == 0, "\(viaScript.stderr)")
        let direct = try await sandbox.mediash(["--demo", "--quiet", "-c", "list | where size > 1MB | count"])
        #expect(direct.status == 0, "\(direct.stderr)")
        let bigger = Int(viaScript.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(bigger != nil && bigger! > 0 && bigger! < 50)
        #expect(viaScript.stdout == direct.stdout)
    }

    @Test func aScriptSeesAllItsArgumentsAsArgs() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let script = try sandbox.write("$args | count\n", to: "args.msh")
        let run = try await sandbox.mediash(["--store", sandbox.store.path, script.path, "a", "7d", "1MB"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "3")
    }

    @Test func aScriptStopsAtTheFirstFailingStatementAndSaysWhichLine() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let script = try sandbox.write("""
            list | count
            info no-such-item
            list | count
            """, to: "stops.msh")
        let run = try await sandbox.mediash(["--store", sandbox.store.path, script.path])
        #expect(run.status == 1)
        #expect(run.stderr.contains("stops.msh:2:"), "names the line: \(run.stderr)")
        #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "only the first statement ran")
    }

    @Test func aProgramOnStandardInputRuns() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let run = try await sandbox.mediash(["--demo", "--quiet"], stdin: "list | where public == true | count\nlist | count\n")
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.count == 2)
        #expect(lines.last == "50")
        #expect(Int(lines.first ?? "").map { $0 > 0 && $0 < 50 } == true)
    }

    @Test func theDemoStoreHoldsRealWAVRecordingsFromTheLastThirtyDays() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let run = try await sandbox.mediash(["--demo", "--quiet", "-o", "json", "-c", "list"])
        #expect(run.status == 0, "\(run.stderr)")
        let items = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        #expect(items.count == 50)
        let sizes = Set(items.compactMap { ($0["media_size"] ?? $0["size"]) as? Int })
        #expect(sizes.count > 20, "recordings of different lengths")
        #expect(items.contains { ($0["public"] as? Bool) == true })
        #expect(items.contains { ($0["public"] as? Bool) == false })
        let now = Date()
        for item in items {
            let created = (item["time_created"] ?? item["created"]) as? String
            let date = try #require(created.flatMap(ISO8601Parse.date))
            #expect(date <= now && date > now.addingTimeInterval(-31 * 86_400))
        }
        let recent = try await sandbox.mediash(["--demo", "--quiet", "-c", "list since 7d | where size > 1MB | count"])
        #expect(Int(recent.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).map { $0 > 0 } == true,
                "the README's first pipeline has something to delete")
    }

    @Test func theDemoStoreIsRemovedWhenTheSessionEnds() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        // Its own TMPDIR: other tests run demo sessions at the same time.
        let tmp = sandbox.root.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        let run = try await sandbox.mediash(["--demo", "--quiet", "-c", "list | count"], environment: ["TMPDIR": tmp.path])
        #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "50")
        let left = try FileManager.default.contentsOfDirectory(atPath: tmp.path).filter { $0.hasPrefix("mediash-demo-") }
        #expect(left.isEmpty)
    }
}

/// A real WAV file for uploads: a second of silence in 8 kHz 16-bit mono.
enum DemoWAV {
    static func write(in sandbox: Sandbox, name: String, seconds: Int = 1) throws -> URL {
        var data = Data()
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { data.append(contentsOf: $0) } }
        func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { data.append(contentsOf: $0) } }
        let bytes = 16_000 * seconds
        data.append(contentsOf: Array("RIFF".utf8)); u32(36 + bytes); data.append(contentsOf: Array("WAVEfmt ".utf8))
        u32(16); u16(1); u16(1); u32(8000); u32(16_000); u16(2); u16(16)
        data.append(contentsOf: Array("data".utf8)); u32(bytes)
        data.append(Data(count: bytes))
        let url = sandbox.work.appendingPathComponent(name)
        try data.write(to: url)
        return url
    }
}

enum ISO8601Parse {
    static func date(_ text: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return withFraction.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }
}
