import Crypto
import Foundation
import MediaAPI

/// One download from the database to a local file, through `<destination>.partial`: skips content
/// already there, resumes a partial file, and renames into place when whole.
struct PostgresDownload {
    let service: PostgresMediaService
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
               (try? Self.md5(of: destination, prefix: item.size).hex) == etag
            {
                return DownloadResult(outcome: .unchanged, bytesTransferred: 0, etag: etag)
            }
        }
        let folder = destination.deletingLastPathComponent()
        guard files.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw MediaError.invalidInput("the folder \(folder.path) does not exist; create it first")
        }

        let (counted, content) = try await service.store.openDownload(id: id, account: service.account)
        guard case .chunks(let read) = content else { throw MediaError.storage("media item '\(id)' has no content in the database") }
        let partial = DownloadOptions.partialURL(for: destination)
        let size = counted.size
        var resumeFrom: Int64 = 0
        if options.resume, let kept = fileSize(partial), kept > 0, kept <= size { resumeFrom = kept }
        var copy = try await transfer(read, size: size, to: partial, from: resumeFrom)
        if copy.hex != counted.etag, resumeFrom > 0 {
            // The partial file held other bytes than this content's beginning: start again.
            resumeFrom = 0
            copy = try await transfer(read, size: size, to: partial, from: 0)
        }
        guard copy.hex == counted.etag else {
            try? files.removeItem(at: partial)
            throw MediaError.storage("the content of media item '\(id)' does not match its ETag \(counted.etag ?? "(none)"); the database may be damaged")
        }
        guard rename(partial.path, destination.path) == 0 else {
            throw MediaError.storage("cannot move \(partial.path) to \(destination.path): \(String(cString: strerror(errno)))")
        }
        return DownloadResult(outcome: resumeFrom > 0 ? .resumed : .downloaded, bytesTransferred: size - resumeFrom, etag: copy.hex)
    }

    /// Hashes the first `offset` bytes already in `partial`, then appends the content from there on.
    private func transfer(
        _ read: @Sendable (ClosedRange<Int64>) -> AsyncThrowingStream<Data, any Error>, size: Int64, to partial: URL, from offset: Int64
    ) async throws -> (hex: String, bytes: Int64) {
        do {
            var md5 = offset > 0 ? try Self.md5(of: partial, prefix: offset).hash : Insecure.MD5()
            if offset == 0, !FileManager.default.createFile(atPath: partial.path, contents: nil) {
                throw MediaError.storage("cannot create \(partial.path)")
            }
            let output = try FileHandle(forWritingTo: partial)
            defer { try? output.close() }
            try output.truncate(atOffset: UInt64(offset))
            try output.seek(toOffset: UInt64(offset))
            if offset < size {
                for try await piece in read(offset...(size - 1)) {
                    md5.update(data: piece)
                    try output.write(contentsOf: piece)
                }
            }
            try output.synchronize()
            return (Self.hex(md5), size)
        } catch let error as MediaError {
            throw error
        } catch {
            throw MediaError.storage("cannot write \(partial.path): \(error.localizedDescription)")
        }
    }

    /// The MD5 of the first `prefix` bytes of `file`, streamed.
    static func md5(of file: URL, prefix: Int64) throws -> (hash: Insecure.MD5, hex: String) {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var md5 = Insecure.MD5()
        var left = prefix
        while left > 0, let chunk = try handle.read(upToCount: Int(min(left, 1 << 16))), !chunk.isEmpty {
            md5.update(data: chunk)
            left -= Int64(chunk.count)
        }
        return (md5, hex(md5))
    }

    static func hex(_ md5: Insecure.MD5) -> String {
        md5.finalize().map { String(format: "%02x", $0) }.joined()
    }

    private func fileSize(_ file: URL) -> Int64? {
        (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.int64Value
    }
}
