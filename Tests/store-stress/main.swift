// Uploads (and now and then deletes) items into a store until killed, so the crash test can
// SIGKILL it mid-write. Usage: store-stress STORE_FOLDER.
// Each acknowledged operation is one line on standard output, written once the store has
// answered: `uploaded ID ETAG SIZE` or `deleted ID` (and `deleting ID` just before a delete is asked). The crash test kills after a number of
// them and then holds the store to every acknowledgement it saw.
import Foundation
import MediaAPI
import MediaStore

let arguments = CommandLine.arguments
guard arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: store-stress STORE_FOLDER\n".utf8))
    exit(2)
}
let folder = URL(fileURLWithPath: arguments[1], isDirectory: true)

/// One line in one write(2), so lines of concurrent workers never interleave.
func acknowledge(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

do {
    let store = try MediaStore(directory: folder)
    let service = store.service(account: "local")
    // Beside the store, so whoever removes the store's parent folder removes these too.
    let sources = folder.deletingLastPathComponent().appendingPathComponent("stress-sources-\(getpid())", isDirectory: true)
    try FileManager.default.createDirectory(at: sources, withIntermediateDirectories: true)
    try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in 0..<4 {
            group.addTask {
                var round = 0
                while true {
                    round += 1
                    // Sizes from a few bytes to 600 kB (several copy chunks), so kills land in copies of every length.
                    let size = (round * 7919 + worker * 104_729) % 600_000
                    let file = sources.appendingPathComponent("w\(worker)-\(round).bin")
                    try Data(repeating: UInt8(truncatingIfNeeded: round &+ worker), count: size).write(to: file)
                    if worker == 0 {
                        // Half the time the server's path: a file in the store's tmp/, moved in.
                        let staged = store.temporaryDirectory.appendingPathComponent("incoming-\(round)")
                        try FileManager.default.moveItem(at: file, to: staged)
                        let item = try await store.upload(MediaUpload(source: .file(staged)), account: "local", consumingFile: true, maxBytes: nil)
                        acknowledge("uploaded \(item.id) \(item.etag ?? "-") \(item.size)")
                    } else {
                        let item = try await service.upload(MediaUpload(source: .file(file), info: MediaUpdate(title: "round \(round)")))
                        acknowledge("uploaded \(item.id) \(item.etag ?? "-") \(item.size)")
                        try FileManager.default.removeItem(at: file)
                        if round % 5 == 0 {
                            // Said before asking: killed mid-delete, the item may be there or not.
                            acknowledge("deleting \(item.id)")
                            try await service.delete(id: item.id)
                            acknowledge("deleted \(item.id)")
                        }
                    }
                }
            }
        }
        try await group.waitForAll()
    }
} catch {
    FileHandle.standardError.write(Data("store-stress: \(error)\n".utf8))
    exit(1)
}
