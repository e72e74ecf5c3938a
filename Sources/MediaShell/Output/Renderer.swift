import Foundation

/// Writes a pipeline's results to a sink in one format.
protocol Renderer {
    func render(_ stream: ValueStream, shape: StreamShape, to sink: any TextSink) async throws
}

extension OutputFormat {
    func renderer(terminalWidth: Int?, timeZone: TimeZone = ShellEnvironment.utc) -> any Renderer {
        switch self {
        case .table: TableRenderer(width: terminalWidth, timeZone: timeZone)
        case .json: JSONRenderer()
        case .jsonl: JSONLinesRenderer()
        case .csv: CSVRenderer()
        case .csvExact: CSVRenderer(exact: true)
        }
    }
}
