import AsyncHTTPClient
import Foundation
import MediaAPI
import NIOCore

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
                return try await fetch(url, to: staged, maxBytes: maxBytes)
            default:
                throw MediaError.invalidInput("cannot fetch '\(url.absoluteString)': only file, http and https URLs are supported")
            }
        }
    }

    private func stageConsumed(_ file: URL, to staged: URL, maxBytes: Int64?) throws -> (etag: String, size: Int64) {
        try requireRegularFile(file)
        do {
            try store.moveIntoPlace(file, staged)
        } catch {
            // Not on the store's file system after all: copy, then honour "consumed" by removing the original.
            defer { try? FileManager.default.removeItem(at: file) }
            return try copy(localFile: file, to: staged, maxBytes: maxBytes)
        }
        let handle = try FileHandle(forReadingFrom: staged)
        defer { try? handle.close() }
        var hashing = HashingCopy()
        try hashing.consume(handle, maxBytes: maxBytes)
        return (hashing.hex, hashing.bytes)
    }

    /// A streamed copy of a local file.
    private func copy(localFile source: URL, to staged: URL, maxBytes: Int64?) throws -> (etag: String, size: Int64) {
        try requireRegularFile(source)
        if let maxBytes, let size = (try? FileManager.default.attributesOfItem(atPath: source.path)[.size] as? NSNumber)?.int64Value, size > maxBytes {
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

    /// Streams an http(s) URL into the staging file, hashing it on the way. Every way the fetch
    /// can fail is a URLFetchError, except failing to write the staging file.
    private func fetch(_ url: URL, to staged: URL, maxBytes: Int64?) async throws -> (etag: String, size: Int64) {
        do {
            return try await URLFetch(policy: urlFetch).fetch(url) { response -> (etag: String, size: Int64) in
                if let maxBytes, let length = response.headers.first(name: "content-length").flatMap({ Int64($0) }), length > maxBytes {
                    throw URLFetchError(url: url.absoluteString, reason: "it is \(length) bytes, larger than the limit of \(maxBytes) bytes")
                }
                let output = try create(staged)
                defer { try? output.close() }
                var hashing = HashingCopy()
                for try await chunk in response.body {
                    try storing(staged) { try hashing.add(Data(chunk.readableBytesView), into: output, maxBytes: maxBytes) }
                }
                try storing(staged) { try output.synchronize() }
                return (hashing.hex, hashing.bytes)
            }
        } catch let error as URLFetchError {
            throw error
        } catch let error as MediaError {
            if case .storage = error { throw error }
            throw URLFetchError(url: url.absoluteString, reason: error.description)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw URLFetchError(url: url.absoluteString, reason: "\(error)")
        }
    }

    private func requireRegularFile(_ file: URL) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isFolder) else {
            throw MediaError.invalidInput("no file at \(file.path); check the path")
        }
        guard !isFolder.boolValue else {
            throw MediaError.invalidInput("\(file.path) is a folder; upload the files in it one by one")
        }
    }

    /// Runs a write to `file`, its failures (other than our own errors) becoming `.storage`.
    private func storing(_ file: URL, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as MediaError {
            throw error
        } catch {
            throw MediaError.storage("cannot write \(file.path): \(error.localizedDescription)")
        }
    }

    /// Creates `file` empty and opens it for writing.
    private func create(_ file: URL) throws -> FileHandle {
        guard FileManager.default.createFile(atPath: file.path, contents: nil) else {
            throw MediaError.storage("cannot create \(file.path)")
        }
        do {
            return try FileHandle(forWritingTo: file)
        } catch {
            throw MediaError.storage("cannot write \(file.path): \(error.localizedDescription)")
        }
    }

    /// Creates `file`, lets `body` fill it, and flushes it to disk before it can be renamed into place.
    private func write<T>(_ file: URL, _ body: (FileHandle) throws -> T) throws -> T {
        let output = try create(file)
        defer { try? output.close() }
        do {
            let result = try body(output)
            try output.synchronize()
            return result
        } catch let error as MediaError {
            throw error
        } catch {
            throw MediaError.storage("cannot write \(file.path): \(error.localizedDescription)")
        }
    }
}
