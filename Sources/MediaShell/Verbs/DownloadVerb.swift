import Foundation
import MediaAPI

/// `download [to DIR]`: fetches each item's content into a folder, named by its original file
/// name (made unique on collision); a file already there with the same ETag is not fetched again.
struct DownloadVerb: RequestExplaining {
    static let name = "download"
    let signature = VerbSignature(
        name, .action, summary: "save the items' content to files (skips files already there with the same content)",
        parameters: [.keyword("to", .text(.path), "DIR", help: "the folder (default: the current one)")] + VerbSignature.actionParameters,
        output: .results,
        examples: [
            VerbExample("list | where mime =~ \"wav\" | download to backup", "back up the WAV files"),
            VerbExample("list | first 2 | download to backup --dry-run", "what would be downloaded"),
        ])

    static let policy = ActionPolicy(verb: name, destructive: false, dryRunWording: "would download")

    func explainRequests(_ stage: Stage) -> [String] {
        ["GET /v3/media/{id}  for each item not already downloaded\(ActionPolicy.dryRunNote(stage))"]
    }

    func run(_ call: VerbCall) async throws -> ValueStream {
        let folder = try call.path("to") ?? call.context.environment.workingDirectory
        let service = call.context.service
        let names = FileNames(folder: folder, workingDirectory: call.context.environment.workingDirectory)
        let dryRun = call.has("dry-run") || call.context.environment.dryRun
        if !dryRun {
            do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
                throw RunError("cannot create \(folder.path): \(error.localizedDescription)")
            }
        }
        return try await ActionRunner(Self.policy, call: call) { target in
            let item: MediaItem
            if let known = target.item, known.etag != nil, known.originalFileName != nil { item = known } else { item = try await service.info(id: target.id) }
            let destination = try names.destination(for: item)
            let result = try await service.download(id: item.id, to: destination, options: DownloadOptions(resume: true, skipIfUnchanged: true))
            let status: ActionStatus = result.outcome == .unchanged ? .skipped : .done("downloaded")
            return ActionOutcome(status: status, bytes: result.outcome == .unchanged ? 0 : item.size, path: names.shown(destination),
                                 note: result.outcome == .unchanged ? "already there with the same content" : nil)
        }.run(call.input)
    }
}

/// Picks each download's file name: the original name, or `name (2).ext` when another item
/// (in this run, or a different file already on disk) holds it.
///
/// Names come from the server, so each is made one plain entry of the folder (`safeName`), the
/// result is checked to lie in the folder (symlinks of the folder resolved), and an entry that
/// is already there but is not a regular file (a planted symlink, a folder) is never written
/// through: the next free name is taken instead.
final class FileNames: @unchecked Sendable {
    private let folder: URL
    private let lock = NSLock()
    private var claimed: Set<String> = []

    private let workingDirectory: URL

    init(folder: URL, workingDirectory: URL) {
        self.folder = folder
        self.workingDirectory = workingDirectory.standardizedFileURL
    }

    /// The path as the user would type it: relative to the working directory when inside it.
    func shown(_ url: URL) -> String {
        let base = workingDirectory.path.hasSuffix("/") ? workingDirectory.path : workingDirectory.path + "/"
        return url.path.hasPrefix(base) ? String(url.path.dropFirst(base.count)) : url.path
    }

    func destination(for item: MediaItem) throws -> URL {
        let name = Self.safeName(item.originalFileName, id: item.id)
        let base = (name as NSString).deletingPathExtension, ext = (name as NSString).pathExtension
        let resolvedFolder = folder.resolvingSymlinksInPath().standardizedFileURL
        lock.lock()
        defer { lock.unlock() }
        for n in 1...10_000 {
            let candidate = n == 1 ? name : "\(base) (\(n))" + (ext.isEmpty ? "" : ".\(ext)")
            guard !claimed.contains(candidate) else { continue }
            let url = folder.appendingPathComponent(candidate)
            // safeName makes this so; checked again because a wrong path here writes anywhere.
            guard resolvedFolder.appendingPathComponent(candidate).standardizedFileURL.deletingLastPathComponent().path == resolvedFolder.path,
                  url.lastPathComponent == candidate else {
                throw RunError("the file name '\(candidate)' would leave the folder \(folder.path)")
            }
            let partial = DownloadOptions.partialURL(for: url)
            guard Self.isFreeOrRegularFile(url), Self.isFreeOrRegularFile(partial) else { continue }
            if FileManager.default.fileExists(atPath: url.path), !Self.holds(url, item) { continue }
            claimed.insert(candidate)
            return url
        }
        throw RunError("no free file name for '\(name)' in \(folder.path)")
    }

    /// The longest name chosen, in UTF-8 bytes: room under the usual 255-byte limit for
    /// ` (10000)` and `.partial`.
    static let longestName = 200

    /// A server's file name (or, when it has none, the item's id) as one plain entry of a folder:
    /// `/`, `\`, NUL, control characters (C0, DEL, C1) and bidirectional overrides become `_`;
    /// a leading dot (a hidden file such as `.bashrc`) gets a `_` before it; `.`, `..` and empty
    /// names fall back to the id, made safe the same way, then to `item`; names longer than
    /// `longestName` bytes are cut, keeping a short extension.
    static func safeName(_ original: String?, id: String) -> String {
        func clean(_ text: String) -> String? {
            var out = String.UnicodeScalarView()
            for scalar in text.unicodeScalars {
                switch scalar.value {
                case 0x00...0x1F, 0x7F...0x9F, 0x2F, 0x5C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069:
                    out.append("_")
                default:
                    out.append(scalar)
                }
            }
            var name = String(out).trimmingCharacters(in: .whitespaces)
            if name.isEmpty || name.allSatisfy({ $0 == "." }) { return nil }
            if name.hasPrefix(".") { name = "_" + name }
            return cut(name)
        }
        return original.flatMap(clean) ?? clean(id) ?? "item"
    }

    /// Cuts a name to `longestName` UTF-8 bytes at a character boundary, keeping an extension of up to 16 bytes.
    private static func cut(_ name: String) -> String {
        guard name.utf8.count > longestName else { return name }
        let ext = (name as NSString).pathExtension
        let suffix = !ext.isEmpty && ext.utf8.count <= 16 ? "." + ext : ""
        var stem = String(name.dropLast(suffix.count))
        while stem.utf8.count + suffix.utf8.count > longestName { stem.removeLast() }
        return stem + suffix
    }

    /// True when nothing is at `url`, or a regular file is (not a symlink, folder, device or pipe).
    static func isFreeOrRegularFile(_ url: URL) -> Bool {
        var info = stat()
        guard lstat(url.path, &info) == 0 else { return errno == ENOENT }
        return info.st_mode & S_IFMT == S_IFREG
    }

    /// True when the file there already holds this item's content (same size and MD5 as its ETag).
    static func holds(_ url: URL, _ item: MediaItem) -> Bool {
        guard let etag = item.etag?.lowercased(),
              let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
              (attributes[.size] as? NSNumber)?.int64Value == item.size,
              let digest = try? MD5.hex(of: url) else { return false }
        return digest == etag
    }
}
