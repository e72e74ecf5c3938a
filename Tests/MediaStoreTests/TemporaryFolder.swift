import Foundation
import Testing
import MediaAPI
import MediaStore

/// A fresh folder under the system's temporary directory, removed when the test is done with it.
final class TemporaryFolder: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("media-store-test-\(UUID().uuidString.lowercased())", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    var store: URL { url.appendingPathComponent("store", isDirectory: true) }

    func file(_ name: String, _ content: Data) throws -> URL {
        let file = url.appendingPathComponent(name)
        try content.write(to: file)
        return file
    }
}

/// Runs `body` and returns the MediaError it threw, or nil when it threw nothing. Any other
/// error is a test failure of its own (recorded here), never taken for the expected one.
func mediaError(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> MediaError? {
    do {
        try await body()
        return nil
    } catch let error as MediaError {
        return error
    } catch {
        Issue.record("expected a MediaError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

extension MediaService {
    /// Uploads a small text file named `name` from `folder`.
    func uploadFile(_ folder: TemporaryFolder, _ name: String, _ text: String = "content", info: MediaUpdate = MediaUpdate()) async throws -> MediaItem {
        try await upload(MediaUpload(source: .file(try folder.file(name, Data(text.utf8))), info: info))
    }
}
