import Foundation

/// A pull-based stream of values: each stage pulls from the one before it, so nothing is
/// read ahead of what the consumer takes and memory stays bounded.
public final class ValueStream: @unchecked Sendable {
    private let pull: nonisolated(nonsending) () async throws -> Value?

    /// A stream whose `next()` calls `pull`; `pull` returns nil at the end.
    public init(_ pull: nonisolated(nonsending) @escaping () async throws -> Value?) {
        self.pull = pull
    }

    nonisolated(nonsending) public func next() async throws -> Value? {
        try await pull()
    }

    public static func of(_ values: [Value]) -> ValueStream {
        var i = 0
        return ValueStream {
            guard i < values.count else { return nil }
            defer { i += 1 }
            return values[i]
        }
    }

    public static var empty: ValueStream { ValueStream { nil } }

    /// Reads the whole stream.
    public func collect() async throws -> [Value] {
        var out: [Value] = []
        while let v = try await next() {
            out.append(v)
            if out.count & 1023 == 0 { try Task.checkCancellation() }
        }
        return out
    }
}
