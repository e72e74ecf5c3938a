import Foundation
import Testing

/// What one run of a built binary did.
struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// The executables `swift build` put next to this test bundle.
enum BuiltBinary {
    static var directory: URL {
        // MEDIASH_BIN_DIR runs the tests against other builds of the same binaries, such as a
        // release build (`swift build -c release`; MEDIASH_BIN_DIR=.build/release).
        if let override = ProcessInfo.processInfo.environment["MEDIASH_BIN_DIR"], !override.isEmpty {
            return URL(fileURLWithPath: override).standardizedFileURL
        }
        // `swift test` runs the bundle from the build products directory (…/debug/mediashPackageTests.xctest).
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        var candidate = bundle.deletingLastPathComponent()
        for _ in 0..<4 where !FileManager.default.fileExists(atPath: candidate.appendingPathComponent("mediash").path) {
            candidate = candidate.deletingLastPathComponent()
        }
        if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("mediash").path) { return candidate }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/debug")
    }

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }
}

/// A sandbox for one test: its own home and XDG directories, so no test reads or writes the
/// user's history, journal, config or store, and none inherits their credentials.
struct Sandbox {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("mediash-test-\(UUID().uuidString.prefix(8))")
        for sub in ["home", "data", "state", "config", "work"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
    }

    var work: URL { root.appendingPathComponent("work") }
    var store: URL { root.appendingPathComponent("store") }
    var journal: URL { root.appendingPathComponent("state/mediash/journal.jsonl") }
    var config: URL { root.appendingPathComponent("config/mediash/config.toml") }

    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("VONAGE_") && !$0.key.hasPrefix("MEDIASH_") }
        env["HOME"] = root.appendingPathComponent("home").path
        env["XDG_DATA_HOME"] = root.appendingPathComponent("data").path
        env["XDG_STATE_HOME"] = root.appendingPathComponent("state").path
        env["XDG_CONFIG_HOME"] = root.appendingPathComponent("config").path
        env["NO_COLOR"] = "1"
        return env
    }

    func write(_ text: String, to name: String, mode: Int = 0o644) throws -> URL {
        let url = work.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
        return url
    }

    /// Runs `mediash` with `arguments`, optionally feeding `stdin`, and waits (at most `timeout`).
    func mediash(_ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:],
                 timeout: Duration = .seconds(120)) async throws -> ProcessResult {
        let running = try start(arguments, stdin: stdin, environment: extra)
        return try await running.wait(timeout: timeout)
    }

    func start(_ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:]) throws -> RunningProcess {
        try RunningProcess(executable: BuiltBinary.url("mediash"), arguments: arguments,
                           environment: environment.merging(extra) { $1 }, directory: work, stdin: stdin)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}

/// A child process whose output is collected while it runs. Its end is awaited as an event (the
/// termination handler Foundation calls), so a test waiting for a child holds none of the
/// cooperative pool's threads (one per core): many process tests then wait side by side.
final class RunningProcess: @unchecked Sendable {
    let process = Process()
    private let out = Pipe()
    private let err = Pipe()
    private var outData = Data()
    private var errData = Data()
    private let readers = DispatchGroup()
    private let exit = ExitEvent()

    init(executable: URL, arguments: [String], environment: [String: String], directory: URL, stdin: String?) throws {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw TestFailure("\(executable.path) is not built: run `swift build` first")
        }
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = directory
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        process.terminationHandler = { [exit] _ in exit.fire() }
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        // The pipes are read to their end on threads of their own: on Linux the global dispatch
        // queues are the pool Swift's tasks run on, and a read blocked there for a child's life
        // held one of its threads (three such stopped every test in the process for a minute).
        readers.enter()
        Thread.detachNewThread { self.outData = self.out.fileHandleForReading.readDataToEndOfFile(); self.readers.leave() }
        readers.enter()
        Thread.detachNewThread { self.errData = self.err.fileHandleForReading.readDataToEndOfFile(); self.readers.leave() }
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    func wait(timeout: Duration) async throws -> ProcessResult {
        let exited = await Self.within(timeout) { [exit] in await exit.wait() }
        if !exited {
            process.terminate()
            await exit.wait()
            _ = await Self.within(.seconds(5)) { [self] in await readersDone() }
            throw TestFailure("timed out after \(timeout); stderr: \(String(decoding: errData, as: UTF8.self))")
        }
        _ = await Self.within(.seconds(10)) { [self] in await readersDone() }
        return ProcessResult(status: process.terminationStatus,
                             stdout: String(decoding: outData, as: UTF8.self),
                             stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Both pipes read to their end.
    private func readersDone() async {
        await withCheckedContinuation { continuation in readers.notify(queue: .global()) { continuation.resume() } }
    }

    /// Runs `work` and returns true once it ends, or false when `timeout` passes first (`work`
    /// is then left running; what it waits for must end soon after, as a terminated process does).
    static func within(_ timeout: Duration, _ work: @escaping @Sendable () async -> Void) async -> Bool {
        let first = FirstOf()
        let result = await withCheckedContinuation { continuation in
            first.start(continuation,
                        Task { await work(); first.finish(true) },
                        Task { try? await Task.sleep(for: timeout); first.finish(false) })
        }
        first.cancelTimer()
        return result
    }
}

/// The first of two outcomes (the work ended, or its time ran out) resumes the waiting task.
private final class FirstOf: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Bool, Never>?
    private var early: Bool?
    private var timer: Task<Void, Never>?

    func start(_ continuation: CheckedContinuation<Bool, Never>, _ work: Task<Void, Never>, _ timer: Task<Void, Never>) {
        let ready: Bool? = lock.withLock {
            self.timer = timer
            if let early { return early }
            self.continuation = continuation
            return nil
        }
        if let ready { continuation.resume(returning: ready) }
    }

    func finish(_ value: Bool) {
        let waiting: CheckedContinuation<Bool, Never>? = lock.withLock {
            if early != nil { return nil }
            early = value
            defer { continuation = nil }
            return continuation
        }
        waiting?.resume(returning: value)
    }

    func cancelTimer() { lock.withLock { timer }?.cancel() }
}

/// Something that happens once (a process's exit), awaited by any number of tasks.
final class ExitEvent: @unchecked Sendable {
    private let lock = NSLock()
    private var happened = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func fire() {
        let resumed = lock.withLock {
            happened = true
            defer { waiting = [] }
            return waiting
        }
        for continuation in resumed { continuation.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let now = lock.withLock {
                if happened { return true }
                waiting.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body`, which blocks (a child's start-up read, openssl, a wait), on a thread of its own and
/// returns its result: on Linux the global dispatch queues are the pool Swift's tasks run on (one
/// thread a core), so a test blocking there stops every other test in the process.
func offThePool<T>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}

/// Ends `process`: SIGTERM, and SIGKILL when it has not ended within `grace`. Returns at once (a `defer` cannot
/// await): a thread of its own waits.
func terminate(_ process: Process, grace: Duration = .seconds(10)) {
    guard process.isRunning else { return }
    process.terminate()
    Thread.detachNewThread {
        let deadline = ContinuousClock.now + grace
        while process.isRunning, ContinuousClock.now < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// `terminate`, and returns once the process has ended.
func terminated(_ process: Process, grace: Duration = .seconds(10)) async {
    terminate(process, grace: grace)
    _ = try? await offThePool { process.waitUntilExit() }
}
