import Foundation
import MediaAPI
import MediaMemory
import MediaShell

/// The `program` target: any bytes as a whole program, through the lexer, parser, checker, planner,
/// evaluator and renderers, over an in-memory service holding a few items. Actions run (`--yes`)
/// against that service; every path a verb reads or writes must lie in a fresh folder per input.
/// A crash, a hang or a leak is a bug; bad programs must only give diagnostics.
///
/// The folder every input runs in, and the items each input's service starts with.
final class Sandbox: @unchecked Sendable {
    static let shared = Sandbox()

    /// A private folder under the system's temporary one, removed at exit.
    let root: URL
    private let seedFolder: URL
    private var runs = 0
    private var seeded = false
    /// The items every input starts with; each input works on a copy.
    private let items: MemoryMediaService
    static let now = MediaTime.parse("2026-11-28T12:00:00Z") ?? Date(timeIntervalSince1970: 0)

    /// Files every run's folder starts with, for `upload` and `open` to find.
    static let files: [(name: String, content: String)] = [
        ("hello.txt", "hello, world\n"),
        ("notes.csv", "name,size,time_created,title\nsong.wav,2MB,2026-11-27T10:00:00Z,\"a, b\"\nclip.mp3,120,,x\n"),
        ("listing.jsonl", "{\"id\":\"j1\",\"name\":\"a.wav\",\"size\":1200,\"time_created\":\"2026-11-20T08:00:00.000Z\"}\n{\"id\":\"j2\",\"size\":3,\"public\":true}\n"),
        ("listing.json", "[{\"id\":\"k1\",\"mime\":\"audio/wav\",\"size\":5000000,\"tags\":[1,2.5,null,\"x\"]},{\"nested\":{\"a\":{\"b\":[]}}}]"),
    ]

    /// The items each run's service holds: name, size, hours before `now`, title, public, limit.
    static let seedItems: [(name: String, size: Int, hoursAgo: Double, title: String?, isPublic: Bool, limit: Int)] = [
        ("song.wav", 1_100_000, 2, "Song", false, 0),
        ("clip.mp3", 48_000, 30, nil, true, 2),
        ("notes.txt", 12, 24 * 8, "Notes, \"quoted\"", false, 0),
        ("image.png", 0, 24 * 40, nil, false, 1),
        ("b\u{301}ad name\t.wav", 777, 0.5, "tab\tand ünïcode", true, 0),
    ]

    private init() {
        let base = URL(fileURLWithPath: NSTemporaryDirectory()).resolvingSymlinksInPath()
        root = base.appendingPathComponent("mediash-fuzz-\(getpid())-\(UUID().uuidString.prefix(8))", isDirectory: true)
        seedFolder = root.appendingPathComponent("seed", isDirectory: true)
        try? FileManager.default.createDirectory(at: seedFolder, withIntermediateDirectories: true)
        for (i, item) in Self.seedItems.enumerated() {
            try? Data(repeating: UInt8(i + 1), count: item.size).write(to: seedFolder.appendingPathComponent("\(i)"))
        }
        let clock = Clock()
        items = MemoryMediaService(account: "fuzz", now: { clock.now })
        self.clock = clock
        atexit { try? FileManager.default.removeItem(at: Sandbox.shared.root) }
    }

    private let clock: Clock

    /// The items every input starts with, uploaded before the first input runs.
    private func seed() async {
        for (i, item) in Self.seedItems.enumerated() {
            clock.now = Self.now.addingTimeInterval(-item.hoursAgo * 3600)
            _ = try? await items.upload(MediaUpload(
                source: .file(seedFolder.appendingPathComponent("\(i)")), fileName: item.name,
                info: MediaUpdate(title: item.title, isPublic: item.isPublic, maxDownloadsAllowed: item.limit)))
        }
        clock.now = Sandbox.now
    }

    /// Runs one input (one at a time: the fuzzer and the corpus replay call it in turn).
    func run(_ source: String) async {
        if !seeded {
            await seed()
            seeded = true
        }
        runs += 1
        let folder = root.appendingPathComponent("run-\(runs)", isDirectory: true)
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for file in Self.files { try? Data(file.content.utf8).write(to: folder.appendingPathComponent(file.name)) }

        let service = items.copy()
        let environment = ShellEnvironment(
            now: { Sandbox.now }, terminalWidth: 80, assumeYes: true, concurrency: 3, workingDirectory: folder,
            arguments: ["hello.txt", "2"], journal: DiscardJournal(), history: { ["list | count", "help"] })
        let shell = Shell(service: service, environment: environment)
        for verb in BuiltinVerbs.all where ConfinedVerb.touchesFiles(verb) {
            shell.register(ConfinedVerb(inner: verb, folder: folder.path + "/"))
        }
        let out = TextBuffer(), err = TextBuffer()
        _ = await shell.run(source, sourceName: "<fuzz>", out: out, err: err)
        _ = shell.isIncomplete(source)
        _ = shell.completions(line: source, cursor: source.count / 2)
    }
}

/// A built-in verb that reads or writes files, refused any path outside the run's folder, so no
/// program (`save /etc/x.csv`, `open ../../f.json`, `upload ~/.ssh/id_rsa`) reaches the real file system.
struct ConfinedVerb: Verb {
    let inner: any Verb
    /// The run's folder, with a trailing slash.
    let folder: String

    static func touchesFiles(_ verb: any Verb) -> Bool {
        verb.signature.parameters.contains(where: isPath)
    }

    private static func isPath(_ parameter: Parameter) -> Bool {
        parameter.placeholder == "PATH" || parameter.placeholder == "DIR"
    }

    var signature: VerbSignature { inner.signature }

    func check(_ stage: Stage, input: StreamShape, checker: Checker) -> StreamShape {
        inner.check(stage, input: input, checker: checker)
    }

    func run(_ call: VerbCall) async throws -> ValueStream {
        for parameter in signature.parameters where Self.isPath(parameter) {
            for value in try call.values(parameter.name) {
                let path = call.context.resolve(path: value.humanText).path
                guard (path + "/").hasPrefix(folder) else { throw RunError("the fuzz target keeps files in its folder, not \(path)") }
            }
        }
        return try await inner.run(call)
    }
}

final class Clock: @unchecked Sendable {
    private let lock = NSLock()
    private var time = Date(timeIntervalSince1970: 0)
    var now: Date {
        get { lock.lock(); defer { lock.unlock() }; return time }
        set { lock.lock(); time = newValue; lock.unlock() }
    }
}

/// Builds every journal line, as a host writing them would.
struct DiscardJournal: ActionJournal {
    func record(_ entry: ActionRecord) { _ = entry.jsonLine }
}
