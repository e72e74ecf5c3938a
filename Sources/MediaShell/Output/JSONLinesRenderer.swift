/// JSON Lines: one value per line, streamed.
struct JSONLinesRenderer: Renderer {
    func render(_ stream: ValueStream, shape: StreamShape, to sink: any TextSink) async throws {
        var batch: [UInt8] = []
        while let v = try await stream.next() {
            JSONRenderer.append(v, to: &batch)
            batch.append(10)
            if batch.count > 1 << 16 {
                sink.write(String(decoding: batch, as: UTF8.self))
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { sink.write(String(decoding: batch, as: UTF8.self)) }
    }
}
