import Foundation
import MediaAPI

/// `list [since T] [until T] [order asc|desc]`: every media item, streamed page by page. Its
/// arguments become the API query, which later stages may narrow (see `QueryRefining`).
struct ListVerb: QuerySource {
    static let name = "list"
    let signature = VerbSignature(
        name, .source, summary: "list media items (no bounds: every item), newest first",
        parameters: [
            .keyword("since", .value([.duration, .datetime]), "T", help: "created at or after T: a duration back from now (7d) or a datetime"),
            .keyword("until", .value([.duration, .datetime]), "T", help: "created at or before T"),
            .keyword("order", .choice(["asc", "desc"]), "asc|desc", help: "by creation time (default desc)"),
        ],
        output: .media,
        examples: [
            VerbExample("list | count", "how many items there are"),
            VerbExample("list since 7d | select name size created", "items of the last week"),
            VerbExample("list since 2026-10-20 until 2026-11-01 order asc | first 2 | select name created", "a window of time, oldest first"),
        ])

    func query(for stage: Stage, planning: inout QueryPlanning) throws -> MediaQuery {
        var query = MediaQuery()
        if case .string(let order)? = try planning.constant(stage.argument("order")) {
            query.order = order.hasPrefix("asc") ? .ascending : .descending
        }
        if let since = try planning.constant(stage.argument("since")) {
            query.startTime = try planning.moment(since, "since")
            planning.notes.append("since → start_time")
        }
        if let until = try planning.constant(stage.argument("until")) {
            query.endTime = try planning.moment(until, "until")
            planning.notes.append("until → end_time")
        }
        return query
    }

    func run(_ call: VerbCall) async throws -> ValueStream {
        let query = call.query ?? MediaQuery()
        var iterator = call.context.service.list(query).makeAsyncIterator()
        return ValueStream {
            guard let item = try await iterator.next(isolation: #isolation) else { return nil }
            return .record(Record(item))
        }
    }
}
