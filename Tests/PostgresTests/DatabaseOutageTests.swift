import Foundation
#if canImport(Glibc)
import Glibc
#endif
import MediaAPI
import MediaHTTPClient
import MediaServiceContract
import PostgresTestSupport
import Testing

/// media-server while its PostgreSQL goes away and comes back (the throwaway cluster of
/// scripts/checks/postgres, stopped with `pg_ctl stop -m fast` and started again): every request
/// in the outage is a 503 with Retry-After within 2 s, requests succeed again within 2 s of the
/// database's return, and no upload that was acknowledged is lost.
@Suite(
    "media-server through a PostgreSQL outage",
    .disabled(if: OutageScripts.stop == nil || PostgresEnvironment.url == nil, "needs scripts/checks/postgres (it stops and starts the cluster)"),
    .serialized)
struct DatabaseOutageTests {
    /// One request through curl: its status, its Retry-After, and how long it took.
    struct Answer {
        var status: Int
        var retryAfter: String?
        var seconds: Double
    }

    static func request(_ arguments: [String]) throws -> Answer {
        let result = try spawn(["/usr/bin/curl",
            "-s", "-o", "/dev/null", "-D", "-", "--max-time", "20", "-w", "\n%{http_code} %{time_total}",
            "-u", "\(TwoInstanceTests.key):\(TwoInstanceTests.secret)",
        ] + arguments)
        let lines = result.output.split(whereSeparator: \.isNewline)
        let last = lines.last?.split(separator: " ") ?? []
        let retryAfter = lines.first { $0.lowercased().hasPrefix("retry-after:") }
            .map { $0.dropFirst("retry-after:".count).trimmingCharacters(in: .whitespaces) }
        return Answer(
            status: last.first.flatMap { Int($0) } ?? 0, retryAfter: retryAfter, seconds: last.dropFirst().first.flatMap { Double($0) } ?? -1)
    }

    static func script(_ path: String) throws {
        let result = try spawn(["/bin/sh", path])
        guard result.status == 0 else { throw MediaError.transport("\(path) failed: \(result.output)") }
    }

    /// Runs a program to its end with posix_spawn and waitpid (Foundation's Process lost the exit
    /// of a child here while other Processes ran), its output and errors in a file.
    static func spawn(_ argv: [String]) throws -> (status: Int32, output: String) {
        let output = try scratchFile(Data())
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var pid: pid_t = 0
        let arguments = argv.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, arguments, environ)
        guard spawned == 0 else { throw MediaError.transport("cannot run \(argv[0]): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let exited = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (exited, String(decoding: try Data(contentsOf: output), as: UTF8.self))
    }

    /// Uploads unique small files through media-server in a loop until told to stop (at most
    /// `limit`), keeping what the server acknowledged with the bytes sent.
    final class Writer: Sendable {
        private let state = Locked<(acknowledged: [(id: String, bytes: Data)], stopped: Bool)>(([], false))
        private let task: Task<Void, Never>

        init(client: MediaHTTPClient, name: String, limit: Int) {
            let state = self.state
            task = Task {
                for n in 0..<limit {
                    if state.withLockedValue({ $0.stopped }) { return }
                    // A pause between uploads: load, not a flood (a refused one is retried after it too).
                    try? await Task.sleep(for: .milliseconds(20))
                    let bytes = Data("\(name)-\(n)-\(UUID().uuidString)".utf8)
                    guard let file = try? scratchFile(bytes),
                          let item = try? await client.upload(MediaUpload(source: .file(file), fileName: "w.txt"))
                    else { continue }
                    state.withLockedValue { $0.acknowledged.append((item.id, bytes)) }
                }
            }
        }

        var count: Int { state.withLockedValue { $0.acknowledged.count } }

        /// Stops and returns every acknowledged upload.
        func finish() async -> [(id: String, bytes: Data)] {
            state.withLockedValue { $0.stopped = true }
            await task.value
            return state.withLockedValue { $0.acknowledged }
        }
    }

    @Test("while PostgreSQL is stopped every request is a 503 with Retry-After within 2 s; after it starts, 200 within 2 s; no acknowledged upload is lost", .timeLimit(.minutes(5)))
    func outageAndReturn() async throws {
        let (stop, start) = (try #require(OutageScripts.stop), try #require(OutageScripts.start))
        let database = try await PostgresEnvironment.freshDatabase()
        let server = try await ServerProcess.start(database: database)
        defer { server.kill() }
        let seeding = try server.client()
        let id = try await seeding.upload(MediaUpload(source: .file(try scratchFile(Data("before".utf8))))).id
        try await seeding.shutdown()
        let info = "\(server.endpoint)/\(id)/info"
        #expect(try Self.request([info]).status == 200)

        let clients = try (0..<4).map { _ in try server.client() }
        let writers = (0..<4).map { Writer(client: clients[$0], name: "w\($0)", limit: 5_000) }
        // Uploads are under way (some acknowledged) when the database stops.
        try await waitUntil("the writers have uploads acknowledged") { writers.map(\.count).reduce(0, +) >= 8 }
        try Self.script(stop)
        var outage: [Answer] = []
        for n in 0..<10 {
            let answer = try Self.request(n % 2 == 0 ? [info] : ["\(server.endpoint)?page_size=10"])
            outage.append(answer)
        }
        try Self.script(start)
        let back = ContinuousClock.now
        var firstSuccess: Duration?
        for _ in 0..<400 where firstSuccess == nil {
            if try Self.request([info]).status == 200 { firstSuccess = ContinuousClock.now - back }
        }
        var acknowledged: [(id: String, bytes: Data)] = []
        for writer in writers { acknowledged += await writer.finish() }
        for client in clients { try await client.shutdown() }

        for answer in outage {
            #expect(answer.status == 503 && answer.retryAfter == "1" && answer.seconds < 2, "during the outage: \(answer)")
        }
        let recovered = try #require(firstSuccess, "no 200 after PostgreSQL came back")
        #expect(recovered < .seconds(2), "the first 200 came \(recovered) after PostgreSQL was back")
        print("outage answers:", outage.map { "\($0.status) in \(String(format: "%.3f", $0.seconds)) s" }, "first 200 after", recovered,
              "acknowledged uploads:", acknowledged.count)
        #expect(!acknowledged.isEmpty)
        // Every acknowledged upload is listed with the MD5 of what was sent; a sample is downloaded whole.
        let lister = try server.client()
        let listed = Dictionary(try await lister.all().map { ($0.id, $0.etag) }, uniquingKeysWith: { first, _ in first })
        try await lister.shutdown()
        let missing = acknowledged.filter { listed[$0.id] != MD5.hex(of: $0.bytes) }
        #expect(missing.isEmpty, "\(missing.count) of \(acknowledged.count) acknowledged uploads are missing or changed: \(missing.prefix(5).map(\.id))")
        for upload in acknowledged.suffix(10) {
            let content = try Self.spawn(["/usr/bin/curl", "-sS", "-u", "\(TwoInstanceTests.key):\(TwoInstanceTests.secret)", "\(server.endpoint)/\(upload.id)"]).output
            #expect(Data(content.utf8) == upload.bytes, "acknowledged upload \(upload.id) came back as \(content)")
        }
    }
}

/// Scripts that stop and start the throwaway cluster (scripts/checks/postgres writes them).
enum OutageScripts {
    static let stop = ProcessInfo.processInfo.environment["MEDIA_TEST_POSTGRES_STOP"]
    static let start = ProcessInfo.processInfo.environment["MEDIA_TEST_POSTGRES_START"]
}

/// A value under a lock.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLockedValue<T>(_ body: (inout Value) -> T) -> T { lock.withLock { body(&value) } }
}
