import Foundation
import MediaAPI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `upload PATH… [title S] [public] [metadata S] [--skip-existing]`: new items from local files.
/// A path may be a folder (its files, hidden ones left out), a pattern (`~/recs/*.wav`) or a
/// list (`$args`); `--skip-existing` leaves out files whose content is already stored (MD5 = ETag),
/// so rerunning an upload is a sync.
struct UploadVerb: RequestExplaining {
    static let name = "upload"
    let signature = VerbSignature(
        name, .source, summary: "upload local files (folders and patterns too) as new items",
        parameters: [
            .positional("paths", .text(.path), "PATH", repeats: true, help: "files, folders (every file inside), patterns (*.wav) or a list ($args)"),
            .keyword("title", .text(.words), "S", help: "the items' title"),
            .keyword("public", .flag, "", help: "downloadable without authentication"),
            .keyword("metadata", .text(.words), "S", help: "the items' primary metadata"),
            .switchFlag("skip-existing", help: "leave out files whose content is already stored (MD5 = ETag): a rerun is a sync"),
        ],
        output: .media,
        examples: [
            VerbExample("upload hello.txt title \"greeting\" | select name size title", "upload a file with a title"),
            VerbExample("upload recordings --skip-existing | select name size", "sync a folder: files already stored are left out"),
            VerbExample("upload recordings/*.wav | count", "the files a pattern matches"),
        ])

    func explainRequests(_ stage: Stage) -> [String] {
        (stage.has("skip-existing") ? ["GET /v3/media  every page, once (the stored ETags)"] : []) + ["POST /v3/media  for each file"]
    }

    func run(_ call: VerbCall) async throws -> ValueStream {
        var words: [String] = []
        for v in try call.values("paths") {
            if case .list(let items) = v { words += items.map(\.humanText) } else { words.append(v.humanText) }
        }
        let paths = try words.flatMap { try Self.files(for: $0, context: call.context) }
        var info = MediaUpdate()
        info.title = try call.value("title")?.humanText
        info.metadataPrimary = try call.value("metadata")?.humanText
        if call.has("public") { info.isPublic = true }
        let service = call.context.service
        let skipExisting = call.has("skip-existing")
        var stored: Set<String>?
        var i = 0
        var skipped = 0
        var uploaded = 0
        let err = call.context.err
        return ValueStream {
            while i < paths.count {
                let url = paths[i]
                i += 1
                guard FileManager.default.fileExists(atPath: url.path) else { throw RunError("no file at \(url.path)") }
                if skipExisting {
                    if stored == nil {
                        var etags = Set<String>()
                        for try await item in service.list(MediaQuery()) { if let e = item.etag { etags.insert(Self.normalized(e)) } }
                        stored = etags
                    }
                    let digest = try MD5.hex(of: url)
                    if stored?.contains(digest) == true {
                        skipped += 1
                        continue
                    }
                    stored?.insert(digest)
                }
                uploaded += 1
                return .record(Record(try await service.upload(MediaUpload(source: .file(url), info: info))))
            }
            if skipExisting, i == paths.count {
                i += 1
                err.write("upload: \(uploaded) uploaded, \(skipped) skipped (already stored: same MD5)\n")
            }
            return nil
        }
    }

    /// An ETag as a bare lower-case MD5 (servers may quote it).
    static func normalized(_ etag: String) -> String {
        etag.trimmingCharacters(in: CharacterSet(charactersIn: "\"W/")).lowercased()
    }

    /// The files a word names: itself, the files under a folder (hidden ones left out, sorted),
    /// or the files matching a pattern in its last part (sorted); a pattern matching none is an error.
    static func files(for word: String, context: EvaluationContext) throws -> [URL] {
        let url = context.resolve(path: word)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) {
            guard isFolder.boolValue else { return [url] }
            guard let walk = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]) else { return [] }
            var out: [URL] = []
            for case let file as URL in walk where (try? file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                out.append(file)
            }
            return out.sorted { $0.path < $1.path }
        }
        let pattern = url.lastPathComponent
        guard pattern.contains(where: { "*?[".contains($0) }) else { throw RunError("no file or folder at \(url.path)") }
        let folder = url.deletingLastPathComponent()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let matches = names.filter { !$0.hasPrefix(".") && fnmatch(pattern, $0, 0) == 0 }.sorted().map { folder.appendingPathComponent($0) }
            .filter { var d: ObjCBool = false; return FileManager.default.fileExists(atPath: $0.path, isDirectory: &d) && !d.boolValue }
        guard !matches.isEmpty else { throw RunError("no file matches \(word) (in \(folder.path))") }
        return matches
    }
}
