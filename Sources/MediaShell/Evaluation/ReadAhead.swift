import Foundation

/// Runs a reader on a thread of its own, a few batches of values ahead of the pipeline that
/// consumes them: the pipeline evaluates one batch while the reader reads and parses the next,
/// so both cores stay busy the whole time. At most `depth` batches wait, so memory stays
/// bounded; values, and the error that ends them, arrive in the order the reader met them.
/// When the consumer lets go of its `Values` (it finished early, failed or was cancelled),
/// the reader stops at its next hand-over and lets go of its input.
final class ReadAhead: @unchecked Sendable {
    private let condition = NSCondition()
    private var ready: [[Value]] = []
    private var failure: (any Error)?
    private var ended = false
    private var gone = false
    private let depth: Int
    /// The producer's values not yet handed over (touched by the producer's thread alone).
    private var pending: [Value] = []
    /// A batch is handed over once it holds this many values (or before the reader waits for input).
    static let batchSize = 1024

    /// Starts `produce` on a new thread: it passes values to `add` and returns at the end of its
    /// input, or early once `abandoned`; what it throws reaches the consumer after the values before it.
    init(depth: Int = 2, produce: @escaping @Sendable (ReadAhead) throws -> Void) {
        self.depth = max(1, depth)
        let job = Producer(produce)
        let thread = Thread { [self] in
            var failure: (any Error)?
            do { try job.run(self) } catch { failure = error }
            handOver()
            // The reader, and the file it holds, are let go before the consumer hears of the
            // end: when the pipeline has its last value, nothing of the reader is left.
            job.release()
            finish(failure)
        }
        thread.start()
    }

    /// The reader's work, held until it is done.
    private final class Producer: @unchecked Sendable {
        private var produce: (@Sendable (ReadAhead) throws -> Void)?

        init(_ produce: @escaping @Sendable (ReadAhead) throws -> Void) { self.produce = produce }

        func run(_ ahead: ReadAhead) throws { try produce?(ahead) }

        func release() { produce = nil }
    }

    /// A reader's values as a stream: with `ahead`, `produce` runs on a thread of its own; without,
    /// `next` reads in order on the pipeline's thread. Either way cancellation is checked every 4,096 values.
    static func stream(ahead: Bool, next: @escaping () throws -> Value?, produce: @escaping @Sendable (ReadAhead) throws -> Void) -> ValueStream {
        var taken = 0
        guard ahead else {
            return ValueStream {
                taken += 1
                if taken & 4095 == 0 { try Task.checkCancellation() }
                return try next()
            }
        }
        let values = Values(ReadAhead(produce: produce))
        return ValueStream {
            taken += 1
            if taken & 4095 == 0 { try Task.checkCancellation() }
            return try values.next()
        }
    }

    // MARK: - The producer's side

    /// The consumer has let go: nothing more is wanted.
    var abandoned: Bool {
        condition.lock()
        defer { condition.unlock() }
        return gone
    }

    func add(_ value: Value) {
        pending.append(value)
        if pending.count >= Self.batchSize { handOver() }
    }

    func add(_ values: [Value]) {
        if pending.isEmpty { pending = values } else { pending += values }
        handOver()
    }

    /// Passes on the values added so far: before the reader waits for input (a pipe's writer may
    /// be waiting for these records to be shown), and at each batch's end. Waits while `depth`
    /// batches are unread.
    func handOver() {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending = []
        condition.lock()
        defer { condition.unlock() }
        while ready.count >= depth, !gone { condition.wait() }
        if gone { return }
        ready.append(batch)
        condition.broadcast()
    }

    private func finish(_ error: (any Error)?) {
        condition.lock()
        defer { condition.unlock() }
        failure = error
        ended = true
        condition.broadcast()
    }

    // MARK: - The consumer's side

    /// The next batch in order; nil at the end; throws the reader's error after its last values.
    fileprivate func take() throws -> [Value]? {
        condition.lock()
        defer { condition.unlock() }
        while ready.isEmpty, !ended { condition.wait() }
        if !ready.isEmpty {
            condition.broadcast()
            return ready.removeFirst()
        }
        if let failure {
            self.failure = nil
            throw failure
        }
        return nil
    }

    fileprivate func abandon() {
        condition.lock()
        defer { condition.unlock() }
        gone = true
        ready.removeAll()
        condition.broadcast()
    }

    /// The consumer's end: values one at a time. Letting go of it stops the reader.
    final class Values: @unchecked Sendable {
        private let ahead: ReadAhead
        private var batch: [Value] = []
        private var at = 0

        init(_ ahead: ReadAhead) {
            self.ahead = ahead
        }

        deinit { ahead.abandon() }

        func next() throws -> Value? {
            while at == batch.count {
                guard let more = try ahead.take() else { return nil }
                (batch, at) = (more, 0)
            }
            // Moved out, not copied: no reference counting for the record's parts.
            var value = Value.null
            swap(&value, &batch[at])
            at += 1
            return value
        }
    }
}
