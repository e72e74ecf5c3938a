import Foundation
import PostgresTestSupport
import MediaAPI
import MediaHTTPClient
import MediaServer
import MediaServiceContract
import MediaStorePostgres
import PostgresNIO
import Testing

/// What the server relies on beyond MediaService, on PostgreSQL: migrations, the shared download
/// limit, chunked content, uploads that are all or nothing, access rules.
@Suite("PostgresMediaStore", .disabled(if: PostgresEnvironment.url == nil, PostgresEnvironment.missing))
struct PostgresStoreTests {
    @Test func instancesStartingAtOnceMigrateOnceAndANewerSchemaIsRefused() async throws {
        let url = try await PostgresEnvironment.freshDatabase()
        let stores = try await withThrowingTaskGroup(of: PostgresMediaStore.self) { group in
            for _ in 0..<4 { group.addTask { try await PostgresMediaStore.open(DatabaseURL(url)) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        // Each migration applied once (two: the tables, then the readers and garbage of deleted chunks).
        #expect(try await count("SELECT count(*) FROM media_schema", in: url) == 2)
        for store in stores { await store.close() }

        try await execute("INSERT INTO media_schema (version) VALUES (99)", in: url)
        let error = await mediaError { _ = try await PostgresMediaStore.open(DatabaseURL(url)) }
        guard case .storage(let message)? = error else {
            Issue.record("a newer schema was not refused: \(String(describing: error))")
            return
        }
        #expect(message.contains("version 99, newer than this media-server knows (2)"))
        #expect(!message.contains("secret"), "the password leaked into \(message)")
    }

    @Test func theDownloadLimitIsExactAcrossInstances() async throws {
        let a = try await PostgresEnvironment.store()
        let b = try await PostgresEnvironment.store()
        let account = PostgresEnvironment.account()
        let item = try await a.service(account: account).upload(MediaUpload(
            source: .file(try scratchFile(Data("limited".utf8))), info: MediaUpdate(maxDownloadsAllowed: 3)))
        let served = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<20 {
                let store = i % 2 == 0 ? a : b
                group.addTask { (try? await store.openDownload(id: item.id, account: account)) != nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(served == 3)
        #expect(try await b.service(account: account).info(id: item.id).timesDownloaded == 3)
        let refused = await mediaError { _ = try await b.openDownload(id: item.id, account: account) }
        #expect(refused.map { if case .forbidden = $0 { true } else { false } } == true)
        await a.close()
        await b.close()
    }

    @Test func contentIsChunkedAndARangeReadsAcrossChunks() async throws {
        let store = try await PostgresEnvironment.store()
        let account = PostgresEnvironment.account()
        let chunk = PostgresMediaStore.chunkSize
        let bytes = content(size: 2 * chunk + chunk / 2, seed: 3)
        let item = try await store.service(account: account).upload(MediaUpload(source: .file(try scratchFile(bytes))))
        #expect(try await count("SELECT count(*) FROM media_chunk WHERE media_id = '\(item.id)'", in: PostgresEnvironment.url ?? "") == 3)
        let (_, content) = try await store.openDownload(id: item.id, account: account)
        guard case .chunks(let read) = content else {
            Issue.record("content is not chunked")
            return
        }
        for range in [Int64(chunk - 10)...Int64(2 * chunk + 10), 0...0, Int64(bytes.count - 1)...Int64(bytes.count - 1), 0...Int64(bytes.count - 1)] {
            var got = Data()
            for try await piece in read(range) { got.append(piece) }
            #expect(got == bytes[Int(range.lowerBound)...Int(range.upperBound)], "range \(range)")
        }
        await store.close()
    }

    @Test func aFailedUploadLeavesNothing() async throws {
        // A database of its own: on the shared one, a delete in another test leaves its chunks
        // until the downloads reading them end (migration 2), which this count would take for
        // this upload's (it failed so in a clean-clone run).
        let database = try await PostgresEnvironment.freshDatabase()
        let store = try await PostgresMediaStore.open(DatabaseURL(database))
        let account = PostgresEnvironment.account()
        let bytes = content(size: PostgresMediaStore.chunkSize + 100, seed: 4)
        // Over the limit only after its first chunk is written: the transaction must take that chunk back.
        let error = await mediaError {
            _ = try await store.upload(
                MediaUpload(source: .file(try scratchFile(bytes))), account: account, consumingFile: false,
                maxBytes: Int64(PostgresMediaStore.chunkSize + 1))
        }
        #expect(error.map { if case .invalidInput = $0 { true } else { false } } == true)
        #expect(try await store.service(account: account).all().isEmpty)
        #expect(try await count(
            "SELECT count(*) FROM media_chunk c WHERE NOT EXISTS (SELECT 1 FROM media m WHERE m.id = c.media_id)",
            in: database) == 0)
        await store.close()
    }

    @Test func downloadsFollowTheAccessRules() async throws {
        let store = try await PostgresEnvironment.store()
        let (alice, bob) = (PostgresEnvironment.account(), PostgresEnvironment.account())
        let secret = try await store.service(account: alice).upload(MediaUpload(source: .file(try scratchFile(Data("s".utf8)))))
        let shared = try await store.service(account: alice).upload(MediaUpload(
            source: .file(try scratchFile(Data("p".utf8))), info: MediaUpdate(isPublic: true)))
        #expect(try await store.openDownload(id: secret.id, account: alice).item.timesDownloaded == 1)
        let bobSeesSecret = await mediaError { _ = try await store.openDownload(id: secret.id, account: bob) }
        #expect(bobSeesSecret == .notFound(id: secret.id))
        let anonymous = await mediaError { _ = try await store.openDownload(id: secret.id, account: nil) }
        #expect(anonymous.map { if case .unauthorized = $0 { true } else { false } } == true)
        #expect(try await store.openDownload(id: shared.id, account: nil).item.timesDownloaded == 1)
        #expect(try await store.openDownload(id: shared.id, account: bob).item.timesDownloaded == 2)
        let bobDeletes = await mediaError { try await store.service(account: bob).delete(id: secret.id) }
        #expect(bobDeletes == .notFound(id: secret.id))
        #expect(try await store.page(account: bob, query: MediaQuery(), pageIndex: 0, pageSize: 10).total == 0)
        let page = try await store.page(account: alice, query: MediaQuery(), pageIndex: 0, pageSize: 1)
        #expect(page.total == 2 && page.items.map(\.id) == [shared.id])
        #expect(try await store.page(account: alice, query: MediaQuery(), pageIndex: 5, pageSize: 1).total == 2)
        await store.close()
    }

    @Test func readinessFollowsTheDatabase() async throws {
        let url = try await PostgresEnvironment.freshDatabase()
        let store = try await PostgresMediaStore.open(DatabaseURL(url))
        let (port, task) = try await launchMediaServer(store: store, configuration: MediaServerConfiguration(port: 0))
        func status(_ path: String) async throws -> String {
            try await run(URL(fileURLWithPath: "/usr/bin/env"), ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)\(path)"]).stdout
        }
        #expect(try await status("/readyz") == "200")
        let name = String(url.split(separator: "/").last?.split(separator: "?").first ?? "")
        try await execute("DROP DATABASE \(name) WITH (FORCE)", in: PostgresEnvironment.url ?? "")
        #expect(try await status("/readyz") == "503")
        #expect(try await status("/healthz") == "200")
        task.cancel()
        _ = try? await task.value
        await store.close()
    }

    @Test func aBadDatabaseURLIsAClearError() async throws {
        for text in ["mysql://u@h/db", "postgresql://h/db", "postgresql://u:p@h", "postgresql://u:p@h/db?sslmode=maybe"] {
            let error = await mediaError { _ = try DatabaseURL(text) }
            #expect(error.map { if case .invalidInput = $0 { true } else { false } } == true, "\(text)")
        }
        #expect(try DatabaseURL("postgresql://u:hunter2@127.0.0.1:5/db").description == "postgresql://u:***@127.0.0.1:5/db")
    }

    /// The test cluster has no TLS: `prefer` (the default) connects without it, `require` refuses.
    @Test func sslmodePreferFallsBackAndRequireRefuses() async throws {
        let url = try await PostgresEnvironment.freshDatabase()
        let plain = try #require(url.components(separatedBy: "?").first)
        for mode in ["", "?sslmode=prefer"] {
            let store = try await PostgresMediaStore.open(DatabaseURL(plain + mode))
            try await store.checkReady()
            await store.close()
        }
        let refused = await mediaError { _ = try await PostgresMediaStore.open(DatabaseURL(plain + "?sslmode=require")) }
        guard case .storage(let message) = refused else {
            Issue.record("sslmode=require on a cluster without TLS: \(String(describing: refused))")
            return
        }
        #expect(message.contains("cannot open the database") && !message.contains(plain), "\(message)")
    }
}

/// The shared contract through HTTP: MediaHTTPClient → media-server → PostgreSQL.
@Test(
    "media-server on PostgreSQL meets the MediaService contract over HTTP",
    .disabled(if: PostgresEnvironment.url == nil, PostgresEnvironment.missing), arguments: MediaServiceContract.checks)
func postgresHTTPContract(_ check: ContractCheck) async throws {
    let store = try await PostgresEnvironment.store()
    let account = PostgresEnvironment.account()
    let configuration = MediaServerConfiguration(port: 0, accounts: [Account(apiKey: account, apiSecret: "s3cret")])
    let (port, task) = try await launchMediaServer(store: store, configuration: configuration)
    let client = try MediaHTTPClient(
        endpoint: URL(string: "http://127.0.0.1:\(port)/v3/media")!, credentials: .apiKey(key: account, secret: "s3cret"))
    defer {
        task.cancel()
    }
    do {
        try await check.run { client }
    } catch {
        try? await client.shutdown()
        await store.close()
        throw error
    }
    try? await client.shutdown()
    task.cancel()
    _ = try? await task.value
    await store.close()
}

/// A file with `bytes` in a fresh temporary folder.
func scratchFile(_ bytes: Data) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pg-test-\(UUID().uuidString.lowercased())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let file = folder.appendingPathComponent("file.bin")
    try bytes.write(to: file)
    return file
}

func mediaError(_ body: () async throws -> Void) async -> MediaError? {
    do {
        try await body()
        return nil
    } catch {
        return error as? MediaError
    }
}

/// Runs SQL on the database at `url` with a client of the test's own.
func withDatabase<T: Sendable>(_ url: String, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
    let client = PostgresClient(configuration: try DatabaseURL(url).configuration)
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { await client.run(); return nil }
        let result = try await body(client)
        group.cancelAll()
        return result
    }
}

func count(_ sql: String, in url: String) async throws -> Int64 {
    try await withDatabase(url) { client in
        var value: Int64 = -1
        for try await n in try await client.query(PostgresQuery(unsafeSQL: sql)).decode(Int64.self) { value = n }
        return value
    }
}

func execute(_ sql: String, in url: String) async throws {
    _ = try await withDatabase(url) { client in try await client.query(PostgresQuery(unsafeSQL: sql)); return 0 }
}
