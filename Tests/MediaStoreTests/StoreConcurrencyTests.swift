import Foundation
import MediaAPI
import MediaServiceContract
import MediaStore
import Testing

/// Many tasks using one store at once.
@Suite struct StoreConcurrencyTests {
    @Test func manyTasksUploadDownloadAndDeleteAtOnce() async throws {
        let folder = try TemporaryFolder()
        let store = try MediaStore(directory: folder.store)
        let service = store.service(account: "local")
        let sources = try (0..<8).map { i in try folder.file("source-\(i).bin", content(size: 20_000 + i * 7_000, seed: UInt64(i))) }

        let survivors = try await withThrowingTaskGroup(of: MediaItem?.self) { group in
            for task in 0..<64 {
                group.addTask {
                    let source = sources[task % sources.count]
                    let item = try await service.upload(MediaUpload(source: .file(source), info: MediaUpdate(title: "task \(task)")))
                    try await service.update(id: item.id, MediaUpdate(metadataPrimary: "\(task)"))
                    let destination = folder.url.appendingPathComponent("out-\(task).bin")
                    let result = try await service.download(id: item.id, to: destination)
                    #expect(result.etag == item.etag)
                    if task % 3 == 0 {
                        try await service.delete(id: item.id)
                        return nil
                    }
                    return item
                }
            }
            var kept: [MediaItem] = []
            for try await item in group { if let item { kept.append(item) } }
            return kept
        }

        let listed = try await service.all(MediaQuery(pageSize: 7))
        #expect(Set(listed.map(\.id)) == Set(survivors.map(\.id)))
        #expect(listed.count == 64 - 22)
        for item in listed {
            #expect(item.timesDownloaded == 1)
            #expect(item.metadataPrimary.map { item.title == "task \($0)" } == true)
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.store.appendingPathComponent("content").path)
        #expect(Set(files) == Set(listed.map(\.id)), "content files and rows disagree")
    }

    @Test func concurrentDownloadsNeverExceedTheLimit() async throws {
        let folder = try TemporaryFolder()
        let store = try MediaStore(directory: folder.store)
        let item = try await store.service(account: "local").uploadFile(folder, "limited.txt", info: MediaUpdate(maxDownloadsAllowed: 5))
        let granted = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 {
                group.addTask { (try? await store.openContent(id: item.id, account: "local")) != nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(granted == 5)
        #expect(try await store.item(id: item.id)?.timesDownloaded == 5)
    }
}
