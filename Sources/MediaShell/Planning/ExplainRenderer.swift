import Foundation
import MediaAPI

/// Writes a plan as `explain` shows it: the API requests it would make and the local stages.
enum ExplainRenderer {
    static func render(_ plan: Plan) -> String {
        var out = "API requests:\n"
        if let q = plan.query {
            var params = ["order=\(q.order.rawValue)", "page_size=\(q.pageSize)"]
            if let s = q.startTime { params.append("start_time=\(MediaTime.format(s))") }
            if let e = q.endTime { params.append("end_time=\(MediaTime.format(e))") }
            let paging = q.limit.map { "pages from page_index=0, stopping after \($0) item\($0 == 1 ? "" : "s")" } ?? "pages from page_index=0 until the last"
            out += "  GET /v3/media?\(params.joined(separator: "&"))  (\(paging))\n"
        }
        var requests = false
        for stage in plan.stages {
            switch stage.verb.signature.name {
            case InfoVerb.name: out += "  GET /v3/media/{id}/info  for each id given\n"; requests = true
            case DeleteVerb.name: out += "  DELETE /v3/media/{id}  for each item\(dry(stage))\n"; requests = true
            case UpdateVerb.name: out += "  PUT /v3/media/{id}/info  for each item\(dry(stage))\n"; requests = true
            case DownloadVerb.name: out += "  GET /v3/media/{id}  for each item not already downloaded\(dry(stage))\n"; requests = true
            case UploadVerb.name: out += "  POST /v3/media  for each file\n"; requests = true
            default: break
            }
        }
        if plan.query == nil, !requests { out += "  none\n" }
        if !plan.pushedDown.isEmpty {
            out += "Pushed down:\n" + plan.pushedDown.map { "  \($0)\n" }.joined()
        }
        out += "Local stages:\n"
        let local = plan.stages.enumerated().filter { !($0.offset == 0 && plan.query != nil) }
        if local.isEmpty { out += "  none\n" }
        for (_, stage) in local {
            out += "  \(describe(stage))\n"
        }
        return out
    }

    private static func dry(_ stage: CheckedStage) -> String {
        stage.stage.has("dry-run") ? " (not sent: --dry-run)" : ""
    }

    private static func describe(_ stage: CheckedStage) -> String {
        if stage.verb.signature.name == WhereVerb.name, let p = stage.stage.argument("predicate")?.value.expression {
            return "where \(p)"
        }
        return stage.stage.text
    }
}
