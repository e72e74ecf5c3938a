import Foundation
import MediaAPI
import MediaMemory
import MediaServiceContract
import Testing

/// The shared MediaService contract, each check on a fresh in-memory service.
@Test("MemoryMediaService meets the MediaService contract", arguments: MediaServiceContract.checks)
func memoryServiceContract(_ check: ContractCheck) async throws {
    try await check.run { MemoryMediaService() }
}

@Test("an upload from a URL is refused: the in-memory service fetches nothing")
func memoryServiceRefusesURLs() async throws {
    let service = MemoryMediaService()
    await #expect(throws: MediaError.invalidInput("an in-memory service cannot fetch content from a URL; upload a local file")) {
        _ = try await service.upload(MediaUpload(source: .url(URL(string: "http://127.0.0.1:9/x")!)))
    }
    #expect(try await service.all().isEmpty)
}
