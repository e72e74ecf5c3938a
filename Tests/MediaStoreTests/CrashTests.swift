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

    @Test func killedWriterLeavesAConsistentStore() async throws {
        let folder = try TemporaryFolder()
        let executable = try Self.stressExecutable()
        var everListed = 0
        var interruptedWrites = 0
        // Different delays land the kill in different phases: copying, renaming, committing.
        for delay in [150, 400, 900, 1_600] {
            let process = Process()
            process.executableURL = executable
            process.arguments = [folder.store.path]
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()

            let content = folder.store.appendingPathComponent("content")
            let deadline = Date().addingTimeInterval(60)
            func uploadsStarted() -> Bool {
                ((try? FileManager.default.contentsOfDirectory(atPath: content.path).count) ?? 0) > everListed
            }
            while !uploadsStarted(), process.isRunning, Date() < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            try await Task.sleep(for: .milliseconds(delay))
            let wasRunning = process.isRunning
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            try #require(wasRunning, "store-stress stopped by itself: \(stderr)")
            #expect(process.terminationReason == .uncaughtSignal)

            // Staging files prove the kill landed mid-upload; opening the store must sweep them.
            let staging = folder.store.appendingPathComponent("tmp")
            interruptedWrites += (try? FileManager.default.contentsOfDirectory(atPath: staging.path).count) ?? 0
            let store = try MediaStore(directory: folder.store)
            let service = store.service(account: "local")
            let items = try await service.all(MediaQuery(pageSize: 50))
            everListed = items.count
            for item in items {
                let destination = folder.url.appendingPathComponent("check-\(item.id)")
                let result = try await service.download(id: item.id, to: destination, options: DownloadOptions(resume: false, skipIfUnchanged: false))
                #expect(result.etag == item.etag)
                #expect(try md5(destination) == item.etag, "item \(item.id) does not match its ETag")
                #expect(result.bytesTransferred == item.size)
                try FileManager.default.removeItem(at: destination)
            }
            let files = try FileManager.default.contentsOfDirectory(atPath: content.path)
            #expect(Set(files) == Set(items.map(\.id)), "the sweep left content files without rows")
            #expect(try FileManager.default.contentsOfDirectory(atPath: store.temporaryDirectory.path).isEmpty, "the sweep left staging files")
        }
        #expect(everListed > 0, "no upload ever completed before a kill")
        #expect(interruptedWrites > 0, "no kill landed in the middle of an upload")
    }
}
