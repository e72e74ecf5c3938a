import Foundation
import MediaAPI

/// One item's life: upload with information, info, update of each field, delete.
enum ItemChecks {
    /// Each of the seven updatable fields, a change to it, and how to read it back.
    static let fieldChanges: [(name: String, change: MediaUpdate, holds: @Sendable (MediaItem) -> Bool)] = [
        ("title", MediaUpdate(title: "New title"), { $0.title == "New title" }),
        ("description", MediaUpdate(description: "A new description"), { $0.description == "A new description" }),
        ("metadata_primary", MediaUpdate(metadataPrimary: "primary-2"), { $0.metadataPrimary == "primary-2" }),
        ("metadata_secondary", MediaUpdate(metadataSecondary: "secondary-2"), { $0.metadataSecondary == "secondary-2" }),
        ("mime_type", MediaUpdate(mimeType: "audio/ogg"), { $0.mimeType == "audio/ogg" }),
        ("public", MediaUpdate(isPublic: true), { $0.isPublic }),
        ("max_downloads_allowed", MediaUpdate(maxDownloadsAllowed: 7), { $0.maxDownloadsAllowed == 7 }),
    ]

    static let all: [ContractCheck] = [
        ContractCheck("upload records the file, its information and its ETag") { service, scratch in
            let bytes = content(size: 150_000, seed: 42)
            let file = try scratch.file("greeting.bin", bytes)
            let info = MediaUpdate(
                title: "Greeting", description: "The welcome message", metadataPrimary: "campaign-7",
                metadataSecondary: "en-GB", mimeType: "audio/wav", isPublic: true, maxDownloadsAllowed: 3)
            let item = try await service.upload(MediaUpload(source: .file(file), fileName: "greeting.wav", info: info))
            try expect(item.size == Int64(bytes.count), "size is \(item.size), expected \(bytes.count)")
            try expect(item.etag == MD5.hex(of: bytes), "ETag \(item.etag ?? "nil") is not the MD5 of the content \(MD5.hex(of: bytes))")
            try expect(item.originalFileName == "greeting.wav", "original_file_name is \(item.originalFileName ?? "nil")")
            var expected = item
            info.apply(to: &expected)
            try expect(item == expected, "the upload's information was not all recorded: \(item)")
            try expect(item.timesDownloaded == 0, "a new item has times_downloaded \(item.timesDownloaded)")
            try expect(item.timeCreated != nil && item.timeLastUpdated != nil, "a new item lacks its times")
            try expect(!item.id.isEmpty, "a new item has no id")

            let plain = try await service.upload(MediaUpload(source: .file(try scratch.file("plain.txt", Data("hi".utf8)))))
            try expect(plain.originalFileName == "plain.txt", "the file name defaults to \(plain.originalFileName ?? "nil"), expected plain.txt")
            try expect(!plain.isPublic && plain.maxDownloadsAllowed == 0, "a plain upload is public or limited")
            try expect(plain.id != item.id, "two uploads got the same id")
        },
        ContractCheck("info returns the item as uploaded") { service, scratch in
            let uploaded = try await service.upload(MediaUpload(
                source: .file(try scratch.file("a.txt", content(size: 999, seed: 1))), info: MediaUpdate(title: "A")))
            let info = try await service.info(id: uploaded.id)
            for (field, same) in [
                ("id", info.id == uploaded.id), ("size", info.size == uploaded.size), ("etag", info.etag == uploaded.etag),
                ("mime_type", info.mimeType == uploaded.mimeType), ("title", info.title == uploaded.title),
                ("original_file_name", info.originalFileName == uploaded.originalFileName),
                ("time_created", info.timeCreated == uploaded.timeCreated), ("public", info.isPublic == uploaded.isPublic),
            ] {
                try expect(same, "info's \(field) differs from the upload's")
            }
        },
        ContractCheck("update changes each of the seven fields alone and moves time_last_updated") { service, scratch in
            let item = try await service.upload(MediaUpload(
                source: .file(try scratch.file("u.txt", content(size: 10, seed: 2))),
                info: MediaUpdate(title: "T", description: "D", metadataPrimary: "P", metadataSecondary: "S", mimeType: "text/plain")))
            var before = try await service.info(id: item.id)
            for (name, change, holds) in fieldChanges {
                try await Task.sleep(for: .milliseconds(2))
                try await service.update(id: item.id, change)
                let after = try await service.info(id: item.id)
                try expect(holds(after), "updating \(name) did not change it: \(after)")
                var expected = before
                change.apply(to: &expected)
                expected.timeLastUpdated = after.timeLastUpdated
                try expect(after == expected, "updating \(name) changed other fields: before \(before), after \(after)")
                try expect((after.timeLastUpdated ?? .distantPast) > (before.timeLastUpdated ?? .distantPast),
                           "updating \(name) did not move time_last_updated")
                try expect(after.timeCreated == item.timeCreated, "updating \(name) moved time_created")
                before = after
            }
        },
        ContractCheck("delete removes the item") { service, scratch in
            let kept = try await service.upload(MediaUpload(source: .file(try scratch.file("k.txt", Data("keep".utf8)))))
            let gone = try await service.upload(MediaUpload(source: .file(try scratch.file("g.txt", Data("gone".utf8)))))
            try await service.delete(id: gone.id)
            try await expectError("notFound after delete", matches: \.isNotFound) { _ = try await service.info(id: gone.id) }
            try await expectError("notFound deleting twice", matches: \.isNotFound) { try await service.delete(id: gone.id) }
            try await expectError("notFound downloading a deleted item", matches: \.isNotFound) {
                _ = try await service.download(id: gone.id, to: scratch.url("g.out"))
            }
            let left = try await service.all()
            try expect(left.map(\.id) == [kept.id], "after one delete the list holds \(left.map(\.id)), expected only \(kept.id)")
        },
    ]
}
