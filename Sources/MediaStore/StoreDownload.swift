import Foundation
import MediaAPI

/// One download from the store to a local file, through `<destination>.partial`:
/// skips content already there, resumes a partial file, and renames into place when whole.
struct StoreDownload {
    let service: MediaStoreService
    let id: String
    let destination: URL
    let options: DownloadOptions

    func run() async throws -> DownloadResult {
        let item = try await service.info(id: id)
        let files = FileManager.default
        var isFolder: ObjCBool = false
        if files.fileExists(atPath: destination.path, isDirectory: &isFolder) {
            guard !isFolder.boolValue else {
                throw MediaError.invalidInput("\(destination.path) is a folder; give a file name to download to")
            }
            if options.skipIfUnchanged, let etag = item.etag, fileSize(destination) == item.size,
               (try? HashingCopy.md5(of: destination).hex) == etag
            {
                return DownloadResult(outcome: .unchanged, bytesTransferred: 0, etag: etag)
            }
        }
        let folder = destination.deletingLastPathComponent()
        guard files.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw MediaError.invalidInput("the folder \(folder.path) does not exist; create it first")
        }

        let (counted, content) = try await service.store.openContent(id: id, account: service.account)
        let source = content.handle
        defer { try? source.close() }

        let partial = DownloadOptions.partialURL(for: destination)
        var resumeFrom = options.resume ? resumableLength(partial, total: counted.size) : 0
        var copy = try transfer(source, to: partial, from: resumeFrom)
        if copy.hex != counted.etag, resumeFrom > 0 {
            // The partial file held other bytes than this content's beginning: start again.
            resumeFrom = 0
            copy = try transfer(source, to: partial, from: 0)
        }
        guard copy.hex == counted.etag else {
            try? files.removeItem(at: partial)
            throw MediaError.storage("the content of media item '\(id)' does not match its ETag \(counted.etag ?? "(none)"); the store may be damaged")
        }
        guard rename(partial.path, destination.path) == 0 else {
            throw MediaError.storage("cannot move \(partial.path) to \(destination.path): \(String(cString: strerror(errno)))")
        }
        return DownloadResult(
            outcome: resumeFrom > 0 ? .resumed : .downloaded,
            bytesTransferred: copy.bytes - resumeFrom,
            etag: copy.hex)
    }

    /// How much of a partial file can be kept: all of it when it is no longer than the content.
    private func resumableLength(_ partial: URL, total: Int64) -> Int64 {
        guard let size = fileSize(partial), size > 0, size <= total else { return 0 }
        return size
    }

    /// Hashes the first `offset` bytes already in `partial`, then appends the rest of `source`.
    private func transfer(_ source: FileHandle, to partial: URL, from offset: Int64) throws -> HashingCopy {
        var hashing = HashingCopy()
        do {
            if offset > 0 {
                let kept = try FileHandle(forReadingFrom: partial)
                defer { try? kept.close() }
                try hashing.consume(kept)
            } else {
                guard FileManager.default.createFile(atPath: partial.path, contents: nil) else {
                    throw MediaError.storage("cannot create \(partial.path)")
                }
            }
            let output = try FileHandle(forWritingTo: partial)
            defer { try? output.close() }
            try output.seek(toOffset: UInt64(offset))
            try output.truncate(atOffset: UInt64(offset))
            try source.seek(toOffset: UInt64(offset))
            try hashing.consume(source, into: output)
            try output.synchronize()
        } catch let error as MediaError {
            throw error
        } catch {
            throw MediaError.storage("cannot write \(partial.path): \(error.localizedDescription)")
        }
        return hashing
    }

    private func fileSize(_ file: URL) -> Int64? {
        (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.int64Value
    }
}
