import Foundation
import MediaAPI
import MediaURLFetch

/// Brings an upload's content to a staging file in the store's `tmp/`, hashing it on the way.
struct Staging {
    let store: MediaStore
    /// Where an http(s) source may be fetched from.
    let urlFetch: URLFetchPolicy

    /// Writes the content of `source` to `staged` (moving `consumed` there instead when given)
    /// and returns its ETag and size.
    func stage(_ source: MediaUpload.Source, consumed: URL?, to staged: URL, maxBytes: Int64?) async throws
        -> (etag: String, size: Int64)
    {
        if let consumed {
            return try stageConsumed(consumed, to: staged, maxBytes: maxBytes)
        }
        switch source {
        case .file(let url):
            guard url.isFileURL else {
                throw MediaError.invalidInput("'\(url.absoluteString)' is not a local file; upload it as a URL instead")
            }
            return try copy(localFile: url, to: staged, maxBytes: maxBytes)
        case .url(let url):
            switch url.scheme?.lowercased() {
            case "file":
                return try copy(localFile: url, to: staged, maxBytes: maxBytes)
            case "http", "https":
                return try await URLFetch(policy: urlFetch).download(url, to: staged, maxBytes: maxBytes)
            default:
                throw MediaError.invalidInput("cannot fetch '\(url.absoluteString)': only file, http and https URLs are supported")
            }
        }
    }

    private func stageConsumed(_ file: URL, to staged: URL, maxBytes: Int64?) throws -> (etag: String, size: Int64) {
        try LocalFile.requireRegularFile(file)
        // A staging name needs no durability (the sweep removes staging files), so a plain rename.
        if rename(file.path, staged.path) != 0 {
            // Not on the store's file system after all: copy, then honour "consumed" by removing the original.
            defer { try? FileManager.default.removeItem(at: file) }
            return try copy(localFile: file, to: staged, maxBytes: maxBytes)
        }
        let handle = try FileHandle(forReadingFrom: staged)
        defer { try? handle.close() }
        var hashing = HashingCopy()
        try hashing.consume(handle, maxBytes: maxBytes)
        // Whoever wrote the file did not necessarily sync it: its bytes reach the disk before
        // it is renamed into place.
        do {
            try handle.synchronize()
        } catch {
            throw MediaError.storage("cannot sync \(staged.path): \(error.localizedDescription)")
        }
        return (hashing.hex, hashing.bytes)
    }

    /// A streamed copy of a local file.
    private func copy(localFile source: URL, to staged: URL, maxBytes: Int64?) throws -> (etag: String, size: Int64) {
        try LocalFile.requireRegularFile(source)
        if let maxBytes, let size = LocalFile.size(source), size > maxBytes {
            throw MediaError.invalidInput("\(source.path) is \(size) bytes, larger than the limit of \(maxBytes) bytes")
        }
        let input: FileHandle
        do {
            input = try FileHandle(forReadingFrom: source)
        } catch {
            throw MediaError.invalidInput("cannot read \(source.path): \(error.localizedDescription)")
        }
        defer { try? input.close() }
        return try write(staged) { output in
            var hashing = HashingCopy()
            try hashing.consume(input, into: output, maxBytes: maxBytes)
            return (hashing.hex, hashing.bytes)
        }
    }

    /// Creates `file`, lets `body` fill it, and flushes it to disk before it can be renamed into place.
    private func write<T>(_ file: URL, _ body: (FileHandle) throws -> T) throws -> T {
        let output = try DurableFile.create(file)
        defer { try? output.close() }
        try PrivateFiles.restrict(output, file)
        return try DurableFile.writing(file) {
            let result = try body(output)
            try output.synchronize()
            return result
        }
    }
}
