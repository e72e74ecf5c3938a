import MediaAPI

/// `info ID…`: the records of items by id (also ids streamed in).
struct InfoVerb: RequestExplaining {
    static let name = "info"
    let signature = VerbSignature(
        name, .source, summary: "show items by id",
        parameters: [.positional("ids", .text(.mediaID), "ID", repeats: true, help: "ids of the items")],
        output: .media,
        examples: [VerbExample("let newest = list | first 1; info $newest.id | select name size", "items by id (a list of ids counts as its ids)")])

    func explainRequests(_ stage: Stage) -> [String] { ["GET /v3/media/{id}/info  for each id given"] }

    func run(_ call: VerbCall) async throws -> ValueStream {
        let ids = try call.values("ids").flatMap { value -> [Value] in
            if case .list(let values) = value { return values }
            return [value]
        }.map(\.humanText)
        let service = call.context.service
        var i = 0
        return ValueStream {
            guard i < ids.count else { return nil }
            defer { i += 1 }
            return .record(Record(try await service.info(id: ids[i])))
        }
    }
}
