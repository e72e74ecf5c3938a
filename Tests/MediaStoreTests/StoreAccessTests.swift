import Foundation
import MediaAPI
import MediaServiceContract
import MediaStore
import Testing

/// What the server relies on beyond MediaService: accounts, openContent's rules, pages with totals, consumed uploads.
@Suite struct StoreAccessTests {
    let folder: TemporaryFolder
    let store: MediaStore

    init() throws {
        folder = try TemporaryFolder()
        store = try MediaStore(directory: folder.store)
    }

    @Test func openContentFollowsTheAccessRules() async throws {
        let alice = store.service(account: "alice")
        let secret = try await alice.uploadFile(folder, "secret.txt", "secret")
        let shared = try await alice.uploadFile(folder, "shared.txt", "shared", info: MediaUpdate(isPublic: true))

        #expect(try await store.contentInfo(id: secret.id, account: "alice").timesDownloaded == 0)
        let own = try await store.openContent(id: secret.id, account: "alice")
        #expect(try own.content.read(at: 0, count: 100) == Data("secret".utf8))
        #expect(try own.content.read(at: 2, count: 3) == Data("cre".utf8))
        #expect(own.item.timesDownloaded == 1)
        #expect(try await store.contentInfo(id: secret.id, account: "alice").timesDownloaded == 1, "contentInfo counted")

        let bobSeesSecret = await mediaError { _ = try await store.openContent(id: secret.id, account: "bob") }
        #expect(bobSeesSecret == .notFound(id: secret.id))
        let anonymousSecret = await mediaError { _ = try await store.openContent(id: secret.id, account: nil) }
        guard case .unauthorized = anonymousSecret else {
            Issue.record("an unauthenticated download of a private item gave \(String(describing: anonymousSecret))")
            return
        }
        #expect(try await alice.info(id: secret.id).timesDownloaded == 1, "refused downloads were counted")
        #expect(await mediaError { _ = try await store.contentInfo(id: secret.id, account: "bob") } == .notFound(id: secret.id))

        let anonymousShared = try await store.openContent(id: shared.id, account: nil)
        #expect(anonymousShared.item.timesDownloaded == 1)
        #expect(try await store.openContent(id: shared.id, account: "bob").item.timesDownloaded == 2)

        let unknown = await mediaError { _ = try await store.openContent(id: "nope", account: nil) }
        #expect(unknown == .notFound(id: "nope"))
    }

    @Test func deletesInFlightTogetherEachGetTheirOwnAnswer() async throws {
        let alice = store.service(account: "alice")
        var ids: [String] = []
        for n in 0..<60 { ids.append(try await alice.uploadFile(folder, "item\(n).txt", "content \(n)").id) }
        let bobs = try await store.service(account: "bob").uploadFile(folder, "bob.txt", "bob's")
        // 60 items, one that never was and one of another account's, all at once: the store
        // commits them in groups, and each answer is about its own item.
        let asked = ids + ["never-was", bobs.id]
        let answers = await withTaskGroup(of: (String, MediaError?).self) { group in
            for id in asked {
                group.addTask { (id, await mediaError { try await alice.delete(id: id) }) }
            }
            var all: [String: MediaError?] = [:]
            for await (id, error) in group { all[id] = error }
            return all
        }
        #expect(answers.count == asked.count)
        for id in ids { #expect(answers[id] == .some(nil), "\(id): \(String(describing: answers[id]))") }
        #expect(answers["never-was"] == .some(.notFound(id: "never-was")))
        #expect(answers[bobs.id] == .some(.notFound(id: bobs.id)))
        var left = 0
        for try await _ in alice.list(MediaQuery()) { left += 1 }
        #expect(left == 0)
        #expect(try await store.service(account: "bob").info(id: bobs.id) == bobs)
    }

    @Test func aDeleteCancelledBeforeItsTurnDeletesNothing() async throws {
        let alice = store.service(account: "alice")
        let item = try await alice.uploadFile(folder, "kept.txt", "kept")
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await alice.delete(id: item.id)
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(try await alice.info(id: item.id) == item)
    }

    @Test func openContentEnforcesTheDownloadLimit() async throws {
        let service = store.service(account: "local")
        let item = try await service.uploadFile(folder, "once.txt", info: MediaUpdate(maxDownloadsAllowed: 1))
        _ = try await store.openContent(id: item.id, account: "local")
        let second = await mediaError { _ = try await store.openContent(id: item.id, account: "local") }
        guard case .forbidden(let message) = second else {
            Issue.record("the second download gave \(String(describing: second))")
            return
        }
        #expect(message.contains("download limit of 1 reached"), "\(message)")
    }

    @Test func accountsSeeOnlyTheirOwnItems() async throws {
        let alice = store.service(account: "alice")
        let bob = store.service(account: "bob")
        let item = try await alice.uploadFile(folder, "a.txt")
        #expect(try await bob.all().isEmpty)
        #expect(await mediaError { _ = try await bob.info(id: item.id) } == .notFound(id: item.id))
        #expect(await mediaError { try await bob.update(id: item.id, MediaUpdate(title: "mine")) } == .notFound(id: item.id))
        #expect(await mediaError { try await bob.delete(id: item.id) } == .notFound(id: item.id))
        #expect(try await alice.info(id: item.id).title == nil)
        #expect(try await store.item(id: item.id)?.accountID == "alice")
    }

    @Test func pagesCarryTheTotalAndHonourOrderAndBounds() async throws {
        let service = store.service(account: "local")
        var uploaded: [MediaItem] = []
        for i in 0..<23 {
            uploaded.append(try await service.uploadFile(folder, "p\(i).txt", "page \(i)"))
            try await Task.sleep(for: .milliseconds(2))
        }
        _ = try await store.service(account: "other").uploadFile(folder, "o.txt")
        let ascending = MediaQuery(order: .ascending)
        var listed: [MediaItem] = []
        for index in 0..<4 {
            let page = try await store.page(account: "local", query: ascending, pageIndex: index, pageSize: 10)
            #expect(page.total == 23)
            #expect(page.items.count == [10, 10, 3, 0][index])
            listed += page.items
        }
        #expect(listed.map(\.id) == uploaded.map(\.id))
        let newest = try await store.page(account: "local", query: MediaQuery(order: .descending), pageIndex: 0, pageSize: 5)
        #expect(newest.items.map(\.id) == uploaded.reversed().prefix(5).map(\.id))

        let bounded = MediaQuery(order: .ascending, startTime: uploaded[5].timeCreated, endTime: uploaded[14].timeCreated)
        let expected = uploaded.filter { bounded.contains($0.timeCreated ?? .distantPast) }
        let page = try await store.page(account: "local", query: bounded, pageIndex: 0, pageSize: 100)
        #expect(page.total == expected.count)
        #expect(page.items.map(\.id) == expected.map(\.id))

        #expect(await mediaError { _ = try await store.page(account: "local", query: ascending, pageIndex: -1, pageSize: 10) } != nil)
        #expect(await mediaError { _ = try await store.page(account: "local", query: ascending, pageIndex: 0, pageSize: 0) } != nil)
    }

    @Test func listUsesKeysetPagingSoDeletionsNeverSkipItems() async throws {
        // Many items share a millisecond here: the id breaks ties, so no page boundary loses one.
        let clock = Date(timeIntervalSince1970: 1_700_000_000)
        let sameTime = try MediaStore(directory: folder.url.appendingPathComponent("frozen"), now: { clock })
        let service = sameTime.service(account: "local")
        for i in 0..<45 { _ = try await service.uploadFile(folder, "f\(i).txt", "frozen \(i)") }
        let ids = try await service.all(MediaQuery(order: .ascending, pageSize: 4)).map(\.id)
        #expect(ids.count == 45)
        #expect(ids == ids.sorted(), "equal times are not ordered by id")
        var deleted = 0
        for try await item in service.list(MediaQuery(pageSize: 4)) {
            try await service.delete(id: item.id)
            deleted += 1
        }
        #expect(deleted == 45)
        #expect(try await service.all().isEmpty)
    }

    @Test func aLimitSizesTheLastPageSoNothingPastItIsListed() async throws {
        let service = store.service(account: "local")
        for i in 0..<20 { _ = try await service.uploadFile(folder, "l\(i).txt") }
        #expect(try await service.all(MediaQuery(pageSize: 7, limit: 10)).count == 10)
        #expect(try await service.all(MediaQuery(pageSize: 5, limit: 10)).count == 10)
        #expect(try await service.all(MediaQuery(pageSize: 7, limit: 0)).isEmpty)
        #expect(try await service.all(MediaQuery(pageSize: 7, limit: 50)).count == 20)
    }

    @Test func consumingFileMovesAFileFromTheTemporaryDirectory() async throws {
        let bytes = content(size: 300_000, seed: 5)
        let incoming = store.temporaryDirectory.appendingPathComponent("incoming-upload")
        try bytes.write(to: incoming)
        let item = try await store.upload(MediaUpload(source: .file(incoming), fileName: "voice.mp3"), account: "local", consumingFile: true, maxBytes: nil)
        #expect(!FileManager.default.fileExists(atPath: incoming.path), "the consumed file is still there")
        #expect(item.etag == MD5.hex(of: bytes))
        #expect(item.mimeType == "audio/mpeg")
        #expect(item.originalFileName == "voice.mp3")
        let (_, file) = try await store.openContent(id: item.id, account: "local")
        #expect(try file.read(at: 0, count: bytes.count + 1) == bytes)

        // A file elsewhere is copied even when consumingFile is set.
        let outside = try folder.file("outside.txt", Data("stay".utf8))
        _ = try await store.upload(MediaUpload(source: .file(outside)), account: "local", consumingFile: true, maxBytes: nil)
        #expect(FileManager.default.fileExists(atPath: outside.path))
    }

    @Test func maxBytesRefusesLargerContentAndKeepsNothing() async throws {
        let big = try folder.file("big.bin", content(size: 5_000, seed: 6))
        let refused = await mediaError {
            _ = try await store.upload(MediaUpload(source: .file(big)), account: "local", consumingFile: false, maxBytes: 4_999)
        }
        guard case .invalidInput(let message) = refused else {
            Issue.record("maxBytes gave \(String(describing: refused))")
            return
        }
        #expect(message.contains("4999"), "\(message)")
        let incoming = store.temporaryDirectory.appendingPathComponent("too-big")
        try content(size: 5_000, seed: 6).write(to: incoming)
        #expect(await mediaError {
            _ = try await store.upload(MediaUpload(source: .file(incoming)), account: "local", consumingFile: true, maxBytes: 100)
        } != nil)
        #expect(try await store.service(account: "local").all().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.temporaryDirectory.path).isEmpty, "refused uploads left staging files")
        let exact = try await store.upload(MediaUpload(source: .file(big)), account: "local", consumingFile: false, maxBytes: 5_000)
        #expect(exact.size == 5_000)
    }

    @Test(arguments: [
        ("take.wav", "audio/wav"), ("song.MP3", "audio/mpeg"), ("a.ogg", "audio/ogg"), ("b.flac", "audio/flac"),
        ("c.m4a", "audio/mp4"), ("d.json", "application/json"), ("e.txt", "text/plain"), ("f.png", "image/png"),
        ("g.jpg", "image/jpeg"), ("noextension", "application/octet-stream"), ("h.xyz", "application/octet-stream"),
    ])
    func guessesTheMIMETypeFromTheExtension(name: String, mimeType: String) async throws {
        let item = try await store.service(account: "local").uploadFile(folder, name)
        #expect(item.mimeType == mimeType)
    }

    @Test func uploadsFromAnHTTPURL() async throws {
        let bytes = content(size: 250_000, seed: 11)
        let server = try LoopbackHTTPServer(files: ["/clips/hello.wav": bytes])
        let service = store.service(account: "local", urlFetch: URLFetchPolicy(allowedHosts: ["127.0.0.1"]))
        let item = try await service.upload(MediaUpload(source: .url(server.url("/clips/hello.wav")), info: MediaUpdate(title: "Hello")))
        #expect(item.originalFileName == "hello.wav")
        #expect(item.mimeType == "audio/wav")
        #expect(item.size == Int64(bytes.count))
        #expect(item.etag == MD5.hex(of: bytes))
        let missing = await mediaError { _ = try await service.upload(MediaUpload(source: .url(server.url("/nothing.wav")))) }
        guard case .invalidInput(let message) = missing else {
            Issue.record("a 404 gave \(String(describing: missing))")
            return
        }
        #expect(message.contains("404"), "\(message)")
        #expect(try await service.all().map(\.id) == [item.id])
    }

    @Test func uploadsFromAFileURLAndRefusesOtherSchemes() async throws {
        let file = try folder.file("by-url.json", Data("{}".utf8))
        let service = store.service(account: "local")
        let item = try await service.upload(MediaUpload(source: .url(file)))
        #expect(item.originalFileName == "by-url.json")
        #expect(item.mimeType == "application/json")
        #expect(item.etag == MD5.hex(of: Data("{}".utf8)))
        let ftpURL = try #require(URL(string: "ftp://example.com/a.wav"))
        let ftp = await mediaError { _ = try await service.upload(MediaUpload(source: .url(ftpURL))) }
        guard case .invalidInput = ftp else {
            Issue.record("an ftp URL gave \(String(describing: ftp))")
            return
        }
    }
}
