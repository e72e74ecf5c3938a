import Foundation

/// What each libFuzzer target (fuzz/README.md) does with one input, apart from libFuzzer itself,
/// so that the same code runs in two places: the fuzz executables (built with
/// `-sanitize=fuzzer,address` by fuzz/build) and the ordinary test build, where
/// Tests/FuzzCorpusTests replays every committed input of fuzz/corpus/ through it.
public enum FuzzTargets {
    /// The targets, by the name of their fuzz/corpus/ folder.
    public static let names = ["program", "open", "server", "client"]

    /// Runs one input through the target named `name` (one of `names`).
    public static func run(_ name: String, _ input: Data) async {
        switch name {
        case "program": await program(input)
        case "open": await open(input)
        case "server": await server(input)
        case "client": client(input)
        default: brokenPromise("no fuzz target named \(name)")
        }
    }

    /// A whole program through the shell (ProgramTarget.swift).
    public static func program(_ input: Data) async {
        await Sandbox.shared.run(String(decoding: input, as: UTF8.self))
    }

    /// A file `open` reads (OpenTarget.swift).
    public static func open(_ input: Data) async {
        await OpenFiles.shared.read(input)
    }

    /// What a client sends media-server; the first byte picks the parser (ServerTarget.swift).
    public static func server(_ input: Data) async {
        guard let selector = input.first else { return }
        await ServerParsing.shared.parse(selector: selector, Data(input.dropFirst()))
    }

    /// A server's answer as mediash reads it (ClientTarget.swift).
    public static func client(_ input: Data) {
        ClientAnswers.read(input)
    }

    /// Where a broken promise goes while a task runs: nil (the fuzz executables) stops the
    /// process with the message, which libFuzzer reports as a crash with the input; the corpus
    /// replay sets a collector and records each as a test failure naming the input.
    @TaskLocal public static var promisesBroken: PromiseLog?
}

/// The broken promises seen while replaying one input.
public final class PromiseLog: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [String] = []
    public init() {}
    public var messages: [String] { lock.withLock { seen } }
    func add(_ message: String) { lock.withLock { seen.append(message) } }
}

/// A target's own check of what the code promises, past not crashing.
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { brokenPromise(message()) }
}

func brokenPromise(_ message: String) {
    guard let log = FuzzTargets.promisesBroken else { fatalError(message) }
    log.add(message)
}
