import Foundation
import MediaAPI

/// `upload PATH… [title S] [public] [metadata S]`: new items from local files.
struct UploadVerb: RequestExplaining {
    static let name = "upload"
    let signature = VerbSignature(
        name, .source, summary: "upload local files as new items",
        parameters: [
            .positional("paths", .text(.path), "PATH", repeats: true, help: "files to upload"),
            .keyword("title", .text(.words), "S", help: "the items' title"),
            .keyword("public", .flag, "", help: "downloadable without authentication"),
            .keyword("metadata", .text(.words), "S", help: "the items' primary metadata"),
        ],
        output: .media,
        examples: [VerbExample("upload hello.txt title \"greeting\" | select name size title", "upload a file with a title")])

    func explainRequests(_ stage: Stage) -> [String] { ["POST /v3/media  for each file"] }

    func run(_ call: VerbCall) async throws -> ValueStream {
        let paths = try call.values("paths").map { call.context.resolve(path: $0.humanText) }
        var info = MediaUpdate()
        info.title = try call.value("title")?.humanText
        info.metadataPrimary = try call.value("metadata")?.humanText
        if call.has("public") { info.isPublic = true }
        let service = call.context.service
        var i = 0
        return ValueStream {
            guard i < paths.count else { return nil }
            defer { i += 1 }
            guard FileManager.default.fileExists(atPath: paths[i].path) else { throw RunError("no file at \(paths[i].path)") }
            return .record(Record(try await service.upload(MediaUpload(source: .file(paths[i]), info: info))))
        }
    }
}
