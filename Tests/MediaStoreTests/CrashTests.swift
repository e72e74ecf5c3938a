import Crypto
import Foundation
import MediaAPI
import MediaServiceContract
import MediaStore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The MD5 hex of a file, by swift-crypto: a check independent of the store's own hashing code.
private func md5(_ file: URL) throws -> String {
    Insecure.MD5.hash(data: try Data(contentsOf: file)).map { String(format: "%02x", $0) }.joined()
}

/// A store whose writer is killed mid-upload still opens, lists only whole items, and serves each intact.
@Suite(.serialized) struct CrashTests {
    /// The `store-stress` executable SwiftPM built beside the test bundle.
    static func stressExecutable() throws -> URL {
        var candidates = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        if let executable = Bundle.main.executableURL { candidates.append(executable.deletingLastPathComponent()) }
        for folder in candidates {
            let url = folder.appendingPathComponent("store-stress")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        throw MediaError.invalidInput("store-stress was not built beside the tests (looked in \(candidates.map(\.path))); run swift build --build-tests")
    }

    /// Kills store-stress with SIGKILL after a number of acknowledged operations (events, not
    /// time), several times over one store. After each kill the store opens, lists only whole
    /// items whose content matches their ETag, keeps every upload it acknowledged (unless it
    /// acknowledged its delete too), and has none of the items whose delete it acknowledged.
    @Test func killedWriterLeavesAConsistentStore() async throws {
        let folder = try TemporaryFolder()
        let executable = try Self.stressExecutable()
        var uploaded: [String: (etag: String, size: Int64)] = [:]
        var deleted: Set<String> = []
        var deleting: Set<String> = []
        // Kills after 1, 7, 25 and 60 acknowledgements of this run land in different phases of
        // the four workers' uploads and deletes: copying, syncing, renaming, committing.
        for acknowledgements in [1, 7, 25, 60] {
            let process = Process()
            process.executableURL = executable
            process.arguments = [folder.store.path]
            let errors = Pipe(), output = Pipe()
            process.standardError = errors
            process.standardOutput = output
            try process.run()

            let reader = LineReader(output.fileHandleForReading)
            let seen = await reader.lines(atLeast: acknowledgements)
            let wasRunning = process.isRunning
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            // What it acknowledged between our count and the kill counts too.
            let lines = seen + reader.rest()
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            try #require(wasRunning && seen.count >= acknowledgements, "store-stress stopped by itself: \(stderr)")
            #expect(process.terminationReason == .uncaughtSignal)
            for line in lines {
                let words = line.split(separator: " ").map(String.init)
                switch (words.first, words.count) {
                case ("uploaded", 4): uploaded[words[1]] = (words[2], Int64(words[3]) ?? -1)
                case ("deleted", 2): deleted.insert(words[1])
                case ("deleting", 2): deleting.insert(words[1])
                default: Issue.record("store-stress printed '\(line)'")
                }
            }

            // A kill that lands mid-upload (the scheduler decides; on an idle machine none may) leaves
            // staging files; opening the store must sweep them.
            let store = try MediaStore(directory: folder.store)
            let service = store.service(account: "local")
            let items = try await service.all(MediaQuery(pageSize: 50))
            let listed = Set(items.map(\.id))
            for (id, acknowledged) in uploaded where !deleting.contains(id) {
                let item = items.first { $0.id == id }
                #expect(item != nil, "acknowledged upload \(id) is gone after kill at \(acknowledgements)")
                #expect(item.map { $0.etag == acknowledged.etag && $0.size == acknowledged.size } ?? true, "item \(id) changed")
            }
            for id in deleted {
                #expect(!listed.contains(id), "acknowledged delete of \(id) came back after kill at \(acknowledgements)")
            }
            for item in items {
                let destination = folder.url.appendingPathComponent("check-\(item.id)")
                let result = try await service.download(id: item.id, to: destination, options: DownloadOptions(resume: false, skipIfUnchanged: false))
                #expect(result.etag == item.etag)
                #expect(try md5(destination) == item.etag, "item \(item.id) does not match its ETag")
                #expect(result.bytesTransferred == item.size)
                try FileManager.default.removeItem(at: destination)
            }
            let content = folder.store.appendingPathComponent("content")
            let files = try FileManager.default.contentsOfDirectory(atPath: content.path)
            #expect(Set(files) == listed, "the sweep left content files without rows, or rows lost their files")
            #expect(try FileManager.default.contentsOfDirectory(atPath: store.temporaryDirectory.path).isEmpty, "the sweep left staging files")
        }
        #expect(uploaded.count > deleted.count, "no upload was acknowledged")
        #expect(!deleted.isEmpty, "no delete was acknowledged")
    }
}

/// Lines from a pipe, read on a thread of their own (a blocking read must not hold one of the
/// few threads Swift concurrency runs tasks on).
private final class LineReader: @unchecked Sendable {
    private let handle: FileHandle
    private var buffer = Data()

    init(_ handle: FileHandle) { self.handle = handle }

    /// Waits until `count` whole lines have arrived, or the pipe ends; returns the lines read.
    func lines(atLeast count: Int) async -> [String] {
        await withCheckedContinuation { (done: CheckedContinuation<[String], Never>) in
            Thread.detachNewThread {
                var lines: [String] = []
                while lines.count < count {
                    let chunk = self.handle.availableData
                    if chunk.isEmpty { break }
                    self.buffer.append(chunk)
                    lines += self.takeLines()
                }
                done.resume(returning: lines)
            }
        }
    }

    /// The whole lines left once the writer has gone (a line cut short by the kill is dropped).
    func rest() -> [String] {
        buffer.append(handle.readDataToEndOfFile())
        return takeLines()
    }

    private func takeLines() -> [String] {
        var lines: [String] = []
        while let end = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            lines.append(String(decoding: buffer[buffer.startIndex..<end], as: UTF8.self))
            buffer.removeSubrange(buffer.startIndex...end)
        }
        return lines
    }
}
