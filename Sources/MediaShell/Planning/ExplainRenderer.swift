import Foundation
import MediaAPI

/// Writes a plan as `explain` shows it: the listing query, the requests each `RequestExplaining`
/// stage says it sends, and the local stages.
enum ExplainRenderer {
    /// The plan of checked stages, after the plans of the pipelines in parentheses they hold
    /// (which `explain` plans, never runs).
    static func render(_ stages: [CheckedStage], subpipelines: some Collection<CheckedSubpipeline>, interpreter: Interpreter, concurrency: Int) throws -> String {
        var out = ""
        for (i, sub) in subpipelines.enumerated() {
            out += "Pipeline in parentheses \(i + 1), run once before the rest: (\(sub.subpipeline.text))\n"
            let text: String
            do { text = render(try Planner(interpreter: interpreter, concurrency: concurrency).plan(sub.stages)) } catch { text = "(planned when it runs: \(Shell.message(error)))\n" }
            for row in text.split(separator: "\n") { out += "  \(row)\n" }
        }
        return out + render(try Planner(interpreter: interpreter, concurrency: concurrency).plan(stages))
    }

    static func render(_ plan: Plan) -> String {
        var out = "API requests:\n"
        if let q = plan.query {
            var params = ["order=\(q.order.rawValue)", "page_size=\(q.pageSize)"]
            if let s = q.startTime { params.append("start_time=\(MediaTime.format(s))") }
            if let e = q.endTime { params.append("end_time=\(MediaTime.format(e))") }
            let paging = q.limit.map { "pages from page_index=0, stopping after \($0) item\($0 == 1 ? "" : "s")" }
                ?? (q.windows > 1
                    ? "over HTTP: in up to \(q.windows) time windows paged side by side, items in any order, since nothing after needs it; " +
                      "two one-item probes find the range first, and the densest windows are split"
                    : "pages from page_index=0 until the last")
            out += "  GET /v3/media?\(params.joined(separator: "&"))  (\(paging))\n"
        }
        var requests = false
        for stage in plan.stages {
            guard let sender = stage.verb as? any RequestExplaining else { continue }
            for line in sender.explainRequests(stage.stage) {
                out += "  \(line)\n"
                requests = true
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
            out += "  \(stage.stage.text)\n"
        }
        return out
    }
}
