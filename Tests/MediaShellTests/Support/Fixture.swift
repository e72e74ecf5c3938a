import Foundation
import MediaAPI
import MediaMemory
@testable import MediaShell

/// A clock tests move by hand, so items get the creation times they choose.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var time: Date

    init(_ time: Date) { self.time = time }

    var now: Date {
        get { lock.lock(); defer { lock.unlock() }; return time }
        set { lock.lock(); time = newValue; lock.unlock() }
    }
}


func date(_ text: String) -> Date {
    MediaTime.parse(text) ?? Date(timeIntervalSince1970: 0)
}

/// An in-memory MediaService (MediaMemory, held to the same contract as the stores) filled with
/// items of chosen names, sizes and creation times: the language is tested without a database.
struct Fixture: Sendable {
    /// Items are created an hour apart from here.
    static let firstCreated = date("2026-11-15T00:00:00Z")
    /// The shell's clock in tests: a day after the last of 300 items.
    static let now = date("2026-11-28T00:00:00Z")
    static let extensions = ["wav", "mp3", "txt", "png", "wav"]

    let directory: URL
    let service: MemoryMediaService
    let clock: TestClock

    /// Item `i`: name `file<i>.<ext>` (extensions cycle wav, mp3, txt, png, wav), created at
    /// `firstCreated + i hours`, of `size(i)` bytes.
    static func size(_ i: Int) -> Int {
        i % 60 == 0 ? 2_000_000 + i * 1000 : 1000 + (i * 7919) % 100_000
    }

    static func name(_ i: Int) -> String { "file\(i).\(extensions[i % extensions.count])" }

    static func make(items: Int, from start: Date = firstCreated, every spacing: TimeInterval = 3600) async throws -> Fixture {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mediashell-\(UUID().uuidString)")
        let clock = TestClock(start)
        let service = MemoryMediaService(account: "local", now: { clock.now })
        let files = directory.appendingPathComponent("files")
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        for i in 0..<items {
            let url = files.appendingPathComponent(name(i))
            var bytes = [UInt8](repeating: UInt8(i % 251), count: size(i))
            bytes[0] = UInt8(i % 256)
            try Data(bytes).write(to: url)
            clock.now = start.addingTimeInterval(Double(i) * spacing)
            _ = try await service.upload(MediaUpload(source: .file(url)))
            try FileManager.default.removeItem(at: url)
        }
        clock.now = now
        return Fixture(directory: directory, service: service, clock: clock)
    }

    /// A shell over the store, with the fixed clock and working directory.
    func shell(_ configure: (inout ShellEnvironment) -> Void = { _ in }) -> Shell {
        var env = ShellEnvironment(now: { Fixture.now }, workingDirectory: directory)
        configure(&env)
        return Shell(service: service, environment: env)
    }

    /// Runs source and returns (stdout, stderr, outcome).
    func run(_ source: String, shell: Shell? = nil, _ configure: (inout ShellEnvironment) -> Void = { _ in }) async -> (out: String, err: String, outcome: RunOutcome) {
        let out = TextBuffer(), err = TextBuffer()
        let outcome = await (shell ?? self.shell(configure)).run(source, out: out, err: err)
        return (out.text, err.text, outcome)
    }
}

extension Fixture {
    /// Uploads a.txt and b.txt with the same content (one ETag): duplicates to find.
    func uploadTwins() async throws {
        for name in ["a.txt", "b.txt"] { try Data("same bytes\n".utf8).write(to: directory.appendingPathComponent(name)) }
        _ = await run("upload a.txt b.txt")
    }
}

/// One store of 300 items shared by the tests that only read.
actor SharedFixture {
    static let shared = SharedFixture()
    private var fixture: Task<Fixture, any Error>?

    func get() async throws -> Fixture {
        if let fixture { return try await fixture.value }
        let task = Task { try await Fixture.make(items: 300) }
        fixture = task
        return try await task.value
    }
}
