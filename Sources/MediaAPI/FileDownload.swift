import Foundation

/// The local-file half of a download, the same for every binding that reads an item's content
/// itself (the embedded store, PostgreSQL, in memory): skips content already at the destination,
/// writes through `<destination>.partial` (resuming one that is the content's beginning), checks
/// the whole against the item's ETag, syncs it, and renames it into place. Each binding gives only
/// how it finds the item and opens its content.
public struct FileDownload: Sendable {
    public let id: String
    public let destination: URL
    public let options: DownloadOptions

    public init(id: String, destination: URL, options: DownloadOptions) {
        self.id = id
        self.destination = destination
        self.options = options
    }

    /// `info` gives the item as it is (nothing counted); `open` counts one download and gives the
    /// item after counting and its content. `open` is called only when bytes will be written.
    public func run(
        info: () async throws -> MediaItem, open: () async throws -> (item: MediaItem, content: MediaContent)
    ) async throws -> DownloadResult {
        let item = try await info()
        let files = FileManager.default
        var isFolder: ObjCBool = false
        if files.fileExists(atPath: destination.path, isDirectory: &isFolder) {
            guard !isFolder.boolValue else {
                throw MediaError.invalidInput("\(destination.path) is a folder; give a file name to download to")
            }
            if options.skipIfUnchanged, let etag = item.etag, LocalFile.size(destination) == item.size,
               (try? HashingCopy.md5(of: destination).hex) == etag
            {
                return DownloadResult(outcome: .unchanged, bytesTransferred: 0, etag: etag)
            }
        }
        let folder = destination.deletingLastPathComponent()
        guard files.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw MediaError.invalidInput("the folder \(folder.path) does not exist; create it first")
        }

        let (counted, content) = try await open()
        let partial = DownloadOptions.partialURL(for: destination)
        var resumeFrom: Int64 = 0
        if options.resume, let kept = LocalFile.size(partial), kept > 0, kept <= counted.size { resumeFrom = kept }
        var copy = try await transfer(content, size: counted.size, to: partial, from: resumeFrom)
        if copy.hex != counted.etag, resumeFrom > 0 {
            // The partial file held other bytes than this content's beginning: start again.
            resumeFrom = 0
            copy = try await transfer(content, size: counted.size, to: partial, from: 0)
        }
        guard copy.hex == counted.etag else {
            try? files.removeItem(at: partial)
            throw MediaError.storage("the content of media item '\(id)' does not match its ETag \(counted.etag ?? "(none)"); the store may be damaged")
        }
        try DurableFile.move(partial, to: destination)
        return DownloadResult(outcome: resumeFrom > 0 ? .resumed : .downloaded, bytesTransferred: copy.bytes - resumeFrom, etag: copy.hex)
    }

    /// Hashes the first `offset` bytes already in `partial`, then appends the content from there
    /// on and syncs the file.
    private func transfer(_ content: MediaContent, size: Int64, to partial: URL, from offset: Int64) async throws -> HashingCopy {
        var hashing = HashingCopy()
        do {
            if offset > 0 {
                let kept = try FileHandle(forReadingFrom: partial)
                defer { try? kept.close() }
                try hashing.consume(kept)
            }
            let output = offset > 0 ? try FileHandle(forWritingTo: partial) : try DurableFile.create(partial)
            defer { try? output.close() }
            try output.truncate(atOffset: UInt64(offset))
            try output.seek(toOffset: UInt64(offset))
            if offset < size {
                switch content {
                case .reader(let read):
                    var position = offset
                    while position < size {
                        let piece = try read(position, Int(min(Int64(HashingCopy.chunkSize), size - position)))
                        guard !piece.isEmpty else {
                            throw MediaError.storage("the content of media item '\(id)' ends after \(position) of its \(size) bytes")
                        }
                        try hashing.add(piece, into: output, maxBytes: nil)
                        position += Int64(piece.count)
                    }
                case .chunks(let read):
                    for try await piece in read(offset...(size - 1)) {
                        try hashing.add(piece, into: output, maxBytes: nil)
                    }
                }
            }
            try output.synchronize()
        } catch let error as MediaError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw MediaError.storage("cannot write \(partial.path): \(error.localizedDescription)")
        }
        return hashing
    }
}
