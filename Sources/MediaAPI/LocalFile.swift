import Foundation

/// Checks on local files that every binding makes the same way, with the same words.
public enum LocalFile {
    /// Throws `.invalidInput` unless `file` exists and is not a folder: what an upload of a file needs.
    public static func requireRegularFile(_ file: URL) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isFolder) else {
            throw MediaError.invalidInput("no file at \(file.path); check the path")
        }
        guard !isFolder.boolValue else {
            throw MediaError.invalidInput("\(file.path) is a folder; upload the files in it one by one")
        }
    }

    /// The size of the file at `file`, or nil when there is none.
    public static func size(_ file: URL) -> Int64? {
        (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.int64Value
    }
}
