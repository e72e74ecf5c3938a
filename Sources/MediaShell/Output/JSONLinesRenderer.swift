/// JSON Lines: one value per line, each written as soon as it arrives.
struct JSONLinesRenderer: Renderer {
    func render(_ stream: ValueStream, shape: StreamShape, to sink: any TextSink) async throws {
        var line: [UInt8] = []
        while let v = try await stream.next() {
            line.removeAll(keepingCapacity: true)
            JSONRenderer.append(v, to: &line)
            line.append(10)
            sink.write(String(decoding: line, as: UTF8.self))
        }
    }
}
