import Foundation
import MediaAPI

/// Downloading: whole, resumed, skipped when unchanged, and limited.
enum DownloadChecks {
    static let all: [ContractCheck] = [
        ContractCheck("download writes the content, its ETag is the MD5, and it is counted") { service, scratch in
            let bytes = content(size: 200_000, seed: 7)
            let item = try await service.upload(MediaUpload(source: .file(try scratch.file("d.bin", bytes))))
            let destination = scratch.url("out.bin")
            let result = try await service.download(id: item.id, to: destination)
            try expect(result.outcome == .downloaded, "outcome is \(result.outcome), expected downloaded")
            try expect(try Data(contentsOf: destination) == bytes, "the downloaded content differs from the upload")
            try expect(result.etag == MD5.hex(of: bytes) && item.etag == result.etag, "ETag \(result.etag ?? "nil") is not the content's MD5")
            try expect(result.bytesTransferred == Int64(bytes.count), "transferred \(result.bytesTransferred) bytes, expected \(bytes.count)")
            try expect(!FileManager.default.fileExists(atPath: DownloadOptions.partialURL(for: destination).path), "the .partial file was left behind")
            try expect(try await service.info(id: item.id).timesDownloaded == 1, "the download was not counted")
        },
        ContractCheck("download resumes from a partial file") { service, scratch in
            let bytes = content(size: 200_000, seed: 8)
            let item = try await service.upload(MediaUpload(source: .file(try scratch.file("r.bin", bytes))))
            let destination = scratch.url("resumed.bin")
            try bytes.prefix(70_000).write(to: DownloadOptions.partialURL(for: destination))
            let result = try await service.download(id: item.id, to: destination)
            try expect(result.outcome == .resumed, "outcome is \(result.outcome), expected resumed")
            try expect(result.bytesTransferred == 130_000, "resuming transferred \(result.bytesTransferred) bytes, expected 130000")
            try expect(try Data(contentsOf: destination) == bytes, "the resumed content differs from the upload")
            try expect(try MD5.hex(ofFile: destination) == item.etag, "the resumed file's MD5 is not the ETag")

            // A partial file that is not this content's beginning must not corrupt the result.
            let other = scratch.url("other.bin")
            try content(size: 5_000, seed: 99).write(to: DownloadOptions.partialURL(for: other))
            _ = try await service.download(id: item.id, to: other)
            try expect(try Data(contentsOf: other) == bytes, "a foreign partial file corrupted the download")

            let fresh = scratch.url("fresh.bin")
            try bytes.prefix(1_000).write(to: DownloadOptions.partialURL(for: fresh))
            let restarted = try await service.download(id: item.id, to: fresh, options: DownloadOptions(resume: false))
            try expect(restarted.outcome == .downloaded && restarted.bytesTransferred == Int64(bytes.count), "resume: false resumed anyway")
            try expect(try Data(contentsOf: fresh) == bytes, "a download without resume differs from the upload")
        },
        ContractCheck("download skips a destination that already holds the content") { service, scratch in
            let bytes = content(size: 80_000, seed: 9)
            let item = try await service.upload(MediaUpload(source: .file(try scratch.file("s.bin", bytes))))
            let destination = scratch.url("same.bin")
            _ = try await service.download(id: item.id, to: destination)
            let again = try await service.download(id: item.id, to: destination)
            try expect(again.outcome == .unchanged && again.bytesTransferred == 0, "a second download was \(again.outcome), \(again.bytesTransferred) bytes, expected unchanged, 0")
            try expect(again.etag == item.etag, "an unchanged download reports ETag \(again.etag ?? "nil")")
            try expect(try await service.info(id: item.id).timesDownloaded == 1, "an unchanged download was counted")

            try Data("edited locally".utf8).write(to: destination)
            let refreshed = try await service.download(id: item.id, to: destination)
            try expect(refreshed.outcome == .downloaded, "a changed destination was \(refreshed.outcome), expected downloaded")
            try expect(try Data(contentsOf: destination) == bytes, "a changed destination was not replaced by the content")
            let forced = try await service.download(id: item.id, to: destination, options: DownloadOptions(skipIfUnchanged: false))
            try expect(forced.outcome == .downloaded, "skipIfUnchanged: false skipped anyway")
        },
        ContractCheck("download limits: the download past max_downloads_allowed is forbidden") { service, scratch in
            let item = try await service.upload(MediaUpload(
                source: .file(try scratch.file("l.bin", content(size: 1_000, seed: 10))), info: MediaUpdate(maxDownloadsAllowed: 2)))
            let options = DownloadOptions(skipIfUnchanged: false)
            _ = try await service.download(id: item.id, to: scratch.url("1.bin"), options: options)
            _ = try await service.download(id: item.id, to: scratch.url("2.bin"), options: options)
            try await expectError("forbidden on the third download", matches: \.isForbidden) {
                _ = try await service.download(id: item.id, to: scratch.url("3.bin"), options: options)
            }
            try expect(!FileManager.default.fileExists(atPath: scratch.url("3.bin").path), "a forbidden download left a file")
            try expect(try await service.info(id: item.id).timesDownloaded == 2, "times_downloaded is not 2 after a refused download")
            try await service.update(id: item.id, MediaUpdate(maxDownloadsAllowed: 0))
            _ = try await service.download(id: item.id, to: scratch.url("4.bin"), options: options)
            try expect(try await service.info(id: item.id).timesDownloaded == 3, "lifting the limit did not allow a third download")
        },
    ]
}
