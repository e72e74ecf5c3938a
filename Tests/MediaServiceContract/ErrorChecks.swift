import Foundation
import MediaAPI

/// Unknown ids and invalid input fail with the right `MediaError`, and change nothing.
enum ErrorChecks {
    static let all: [ContractCheck] = [
        ContractCheck("an unknown id is not found by info, update, delete and download") { service, scratch in
            let unknown = UUID().uuidString.lowercased()
            try await expectError("notFound from info", matches: \.isNotFound) { _ = try await service.info(id: unknown) }
            try await expectError("notFound from update", matches: \.isNotFound) {
                try await service.update(id: unknown, MediaUpdate(title: "x"))
            }
            try await expectError("notFound from delete", matches: \.isNotFound) { try await service.delete(id: unknown) }
            try await expectError("notFound from download", matches: \.isNotFound) {
                _ = try await service.download(id: unknown, to: scratch.url("nothing.bin"))
            }
            try expect(!FileManager.default.fileExists(atPath: scratch.url("nothing.bin").path), "a failed download left a file")
        },
        ContractCheck("invalid input is refused and changes nothing") { service, scratch in
            let item = try await service.upload(MediaUpload(source: .file(try scratch.file("v.txt", Data("valid".utf8)))))
            try await expectError("invalidInput for a negative max_downloads_allowed", matches: \.isInvalidInput) {
                try await service.update(id: item.id, MediaUpdate(maxDownloadsAllowed: -1))
            }
            try await expectError("invalidInput for a bad MIME type", matches: \.isInvalidInput) {
                try await service.update(id: item.id, MediaUpdate(mimeType: "not a mime type"))
            }
            let after = try await service.info(id: item.id)
            try expect(after == item, "a refused update changed the item: \(after)")

            try await expectError("invalidInput for a missing upload file", matches: \.isInvalidInput) {
                _ = try await service.upload(MediaUpload(source: .file(scratch.url("missing.wav"))))
            }
            try await expectError("invalidInput for an upload with a negative limit", matches: \.isInvalidInput) {
                _ = try await service.upload(MediaUpload(
                    source: .file(try scratch.file("w.txt", Data("x".utf8))), info: MediaUpdate(maxDownloadsAllowed: -3)))
            }
            try await expectError("invalidInput for an upload with a bad MIME type", matches: \.isInvalidInput) {
                _ = try await service.upload(MediaUpload(
                    source: .file(try scratch.file("m.txt", Data("x".utf8))), info: MediaUpdate(mimeType: "audio")))
            }
            let listed = try await service.all()
            try expect(listed.map(\.id) == [item.id], "refused uploads created items: \(listed.count) listed")
        },
        ContractCheck("text with NUL is refused alike by every binding; any other character is kept") { service, scratch in
            let item = try await service.upload(MediaUpload(source: .file(try scratch.file("n.txt", Data("nul".utf8)))))
            try await expectError("invalidInput for a title with NUL", matches: \.isInvalidInput) {
                try await service.update(id: item.id, MediaUpdate(title: "a\u{0}b"))
            }
            try await expectError("invalidInput for an upload whose description has NUL", matches: \.isInvalidInput) {
                _ = try await service.upload(MediaUpload(
                    source: .file(try scratch.file("d.txt", Data("x".utf8))), info: MediaUpdate(description: "\u{0}")))
            }
            try await expectError("invalidInput for an upload whose file name has NUL", matches: \.isInvalidInput) {
                _ = try await service.upload(MediaUpload(source: .file(try scratch.file("f.txt", Data("x".utf8))), fileName: "f\u{0}.txt"))
            }
            try expect(try await service.all().map(\.id) == [item.id], "a refused upload created an item")

            let odd = "&\u{1}\u{7f}\u{9f}é😀\u{10FFFF}\u{FFFD}\"'\\ \t"
            try await service.update(id: item.id, MediaUpdate(title: odd, metadataPrimary: odd))
            let kept = try await service.info(id: item.id)
            try expect(kept.title == odd && kept.metadataPrimary == odd, "odd text was not kept as sent: \(kept.title.debugDescription)")
        },
    ]
}
