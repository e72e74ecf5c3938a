import Foundation
import MediaAPI

/// `download [to DIR]`: fetches each item's content into a folder, named by its original file
/// name (made unique on collision); a file already there with the same ETag is not fetched again.
struct DownloadVerb: Verb {
    static let name = "download"
    let signature = VerbSignature(
        name, .action, summary: "save the items' content to files (skips files already there with the same content)",
        parameters: [.keyword("to", .text, "DIR", help: "the folder (default: the current one)")] + VerbSignature.actionParameters,
        output: .results,
        examples: [
            VerbExample("list | where mime =~ \"wav\" | download to backup", "back up the WAV files"),
            VerbExample("list | first 2 | download to backup --dry-run", "what would be downloaded"),
        ])

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
        return try await ActionRunner(verb: "download", wouldStatus: "would download", destructive: false, call: call) { target in
            let item: MediaItem
            if let known = target.item, known.etag != nil, known.originalFileName != nil { item = known } else { item = try await service.info(id: target.id) }
            let destination = try names.destination(for: item)
            let result = try await service.download(id: item.id, to: destination, options: DownloadOptions(resume: true, skipIfUnchanged: true))
            let status = result.outcome == .unchanged ? "skipped" : "downloaded"
            return ActionOutcome(status: status, bytes: result.outcome == .unchanged ? 0 : item.size, path: names.shown(destination),
                                 note: result.outcome == .unchanged ? "already there with the same content" : nil)
        }.run(call.input)
    }
}

/// Picks each download's file name: the original name, or `name (2).ext` when another item
/// (in this run, or a different file already on disk) holds it.
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
        let original = item.originalFileName.flatMap { $0.isEmpty ? nil : $0 } ?? item.id
        let safe = original.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "\0", with: "")
        let name = safe == "." || safe == ".." ? item.id : safe
        let base = (name as NSString).deletingPathExtension, ext = (name as NSString).pathExtension
        lock.lock()
        defer { lock.unlock() }
        for n in 1...10_000 {
            let candidate = n == 1 ? name : "\(base) (\(n))" + (ext.isEmpty ? "" : ".\(ext)")
            guard !claimed.contains(candidate) else { continue }
            let url = folder.appendingPathComponent(candidate)
            if FileManager.default.fileExists(atPath: url.path), !Self.holds(url, item) { continue }
            claimed.insert(candidate)
            return url
        }
        throw RunError("no free file name for '\(name)' in \(folder.path)")
    }

    /// True when the file there already holds this item's content (same size and MD5 as its ETag).
    static func holds(_ url: URL, _ item: MediaItem) -> Bool {
        guard let etag = item.etag?.lowercased(),
              let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
              (attributes[.size] as? NSNumber)?.int64Value == item.size,
              let digest = try? MD5Digest.hex(of: url) else { return false }
        return digest == etag
    }
}
