import Foundation
import MediaAPI

/// Runs an action over a stream of items: bounded, adaptive concurrency; one result row per
/// item; failures reported and counted, never stopping the rest; a summary line at the end.
struct ActionRunner: Sendable {
    /// `delete`, `update`, `download`.
    var verb: String
    /// The status of a dry-run row: `would delete`.
    var wouldStatus: String
    /// Asks for confirmation first (delete, update).
    var destructive: Bool
    var context: EvaluationContext
    var concurrency: Int
    var dryRun: Bool
    var assumeYes: Bool
    /// Does the work for one item; throws MediaError on failure.
    var perform: @Sendable (ActionTarget) async throws -> ActionOutcome

    init(verb: String, wouldStatus: String, destructive: Bool, call: VerbCall, perform: @escaping @Sendable (ActionTarget) async throws -> ActionOutcome) throws {
        self.verb = verb
        self.wouldStatus = wouldStatus
        self.destructive = destructive
        self.context = call.context
        self.concurrency = try call.count("concurrency", default: call.context.environment.concurrency)
        guard concurrency >= 1 else { throw RunError("concurrency must be 1 or more") }
        self.dryRun = call.has("dry-run") || call.context.environment.dryRun
        self.assumeYes = call.has("yes") || call.context.environment.assumeYes
        self.perform = perform
    }

    func run(_ input: ValueStream) async throws -> ValueStream {
        let tally = Tally(verb: verb, dryRun: dryRun, wouldStatus: wouldStatus)
        if dryRun {
            return ValueStream {
                guard let value = try await input.next() else {
                    tally.finish(self.context)
                    return nil
                }
                guard let target = ActionTarget(value) else { return .record(tally.count(self.invalid(value))) }
                return .record(tally.count(Self.row(target, status: self.wouldStatus, path: nil, error: nil), bytes: target.size ?? 0))
            }
        }
        var source = input
        var total: Int?
        if destructive, !assumeYes {
            guard let confirm = context.environment.confirm else {
                throw RunError("'\(verb)' changes items and there is no terminal to ask at: add --yes to go ahead, or --dry-run to see what it would do")
            }
            let values = try await input.collect()
            let bytes = values.compactMap { ActionTarget($0)?.size }.reduce(Int64(0), Int64.saturatingSum)
            guard !values.isEmpty else { return .empty }
            guard await confirm(ConfirmationRequest(verb: verb, itemCount: values.count, totalBytes: bytes)) else {
                context.err.write("\(verb): not confirmed, nothing changed\n")
                return .empty
            }
            source = .of(values)
            total = values.count
        }
        return Window(runner: self, input: source, tally: tally, total: total).stream()
    }

    func invalid(_ value: Value) -> Record {
        Self.row(nil, status: "failed", path: nil, error: "not a media item or an id: \(value.humanText.prefix(60))")
    }

    static func row(_ target: ActionTarget?, status: String, path: String?, error: String?) -> Record {
        var r = Record(names: ["id", "name", "size", "status", "error"], values: [
            target.map { .string($0.id) } ?? .null, Value(target?.name), target?.size.map(Value.size) ?? .null,
            .string(status), Value(error),
        ])
        if let path { r.set("path", .string(path)) }
        return r
    }

    /// Rate-limited rounds an item gets after the binding has given up on it (a Retry-After
    /// longer than it waits, or its attempts spent on 429s); each round waits for the action's pause.
    static let rateLimitRounds = 4

    /// One item. Retrying a request is the binding's job (MediaHTTPClient retries 5xx, dropped
    /// connections and 429s within its own budget), so a transient error that reaches here has
    /// already spent that budget and the item fails. Rate limits are the action's job too: the
    /// binding reports them while it retries, and the whole action slows down.
    func attempt(_ target: ActionTarget, limiter: RateLimiter) async -> (Record, Int64) {
        var rounds = 0
        while true {
            do {
                try await limiter.acquire()
                let outcome: ActionOutcome
                do {
                    outcome = try await RateLimitReporting.$listener.withValue(limiter) { try await perform(target) }
                } catch {
                    await limiter.release()
                    throw error
                }
                await limiter.release()
                await limiter.succeeded()
                return (Self.row(target, status: outcome.status, path: outcome.path, error: outcome.note), outcome.status == "skipped" ? 0 : outcome.bytes)
            } catch let error as MediaError {
                if case .rateLimited(let after) = error, rounds < Self.rateLimitRounds {
                    rounds += 1
                    await limiter.rateLimited(retryAfter: after)
                    continue
                }
                if case .notFound = error, verb == "delete" {
                    return (Self.row(target, status: "skipped", path: nil, error: "already gone"), 0)
                }
                return (Self.row(target, status: "failed", path: nil, error: error.description), 0)
            } catch is CancellationError {
                return (Self.row(target, status: "failed", path: nil, error: "cancelled"), 0)
            } catch {
                return (Self.row(target, status: "failed", path: nil, error: Shell.message(error)), 0)
            }
        }
    }
}

/// Counts outcomes and writes the summary line.
final class Tally: @unchecked Sendable {
    private let verb: String
    private let dryRun: Bool
    private let wouldStatus: String
    private var counts: [String: Int] = [:]
    private var order: [String] = []
    private var bytes: Int64 = 0
    private var finished = false
    private(set) var done = 0

    init(verb: String, dryRun: Bool, wouldStatus: String) {
        self.verb = verb
        self.dryRun = dryRun
        self.wouldStatus = wouldStatus
    }

    func count(_ row: Record, bytes: Int64 = 0) -> Record {
        let status: String = if case .string(let s)? = row["status"] { s } else { "failed" }
        if counts[status] == nil { order.append(status) }
        counts[status, default: 0] += 1
        self.bytes = Int64.saturatingSum(self.bytes, bytes)
        done += 1
        return row
    }

    var failed: Int { counts["failed"] ?? 0 }
    var totalBytes: Int64 { bytes }

    /// `delete: 40 deleted, 2 skipped, 1 failed (57.3 MB)` or `delete --dry-run: would delete 42 items (57.3 MB)`.
    func finish(_ context: EvaluationContext) {
        guard !finished else { return }
        finished = true
        if dryRun {
            let n = counts[wouldStatus] ?? 0
            var line = "\(verb) --dry-run: \(wouldStatus) \(n) item\(n == 1 ? "" : "s") (\(Value.humanSize(bytes)))"
            if failed > 0 { line += ", \(failed) not items" }
            context.err.write(line + "\n")
        } else {
            let parts = order.sorted { Tally.rank($0) < Tally.rank($1) }.map { "\(counts[$0] ?? 0) \($0)" }
            context.err.write("\(verb): \(parts.isEmpty ? "nothing to do" : parts.joined(separator: ", ")) (\(Value.humanSize(bytes)))\n")
        }
        context.noteFailures(failed)
    }

    private static func rank(_ status: String) -> Int {
        switch status {
        case "failed": 2
        case "skipped": 1
        default: 0
        }
    }
}

/// The sliding window of requests in flight. The input is read ahead in a task of its own, so
/// the listing runs while requests are out and the first request leaves before it has finished;
/// a slot that frees is filled at once.
private final class Window: @unchecked Sendable {
    private enum Event: Sendable {
        case input(Value?)
        /// The reader has read the batch it was asked for and stopped.
        case readerIdle
        case inputFailed(any Error)
        case finished(index: Int, row: Record, bytes: Int64)
    }

    private let runner: ActionRunner
    private let input: ValueStream
    private let tally: Tally
    private let total: Int?
    private let limiter: RateLimiter
    private let continuation: AsyncStream<Event>.Continuation
    private var events: AsyncStream<Event>.Iterator
    /// Values read ahead and not yet started; at most `readAhead` of them.
    private var queued: [Value] = []
    private var queueHead = 0
    private let readAhead: Int
    private var reading = false
    private var upstreamDone = false
    private var upstreamError: (any Error)?
    private var nextIndex = 0
    private var inFlight = 0
    /// Rows finished ahead of an earlier one, waiting to go out in input order; bounded, so a
    /// stuck item holds back at most this many others.
    private var ready: [Int: (Record, Int64)] = [:]
    private let readyBound: Int
    private var nextOut = 0
    /// Running tasks, cancelled when the consumer goes away or is cancelled.
    private let lock = NSLockBox()
    private var tasks: [Int: Task<Void, Never>] = [:]
    private var reader: Task<Void, Never>?

    init(runner: ActionRunner, input: ValueStream, tally: Tally, total: Int?) {
        self.runner = runner
        self.input = input
        self.tally = tally
        self.total = total
        self.limiter = RateLimiter(maximum: runner.concurrency)
        self.readAhead = max(128, 4 * runner.concurrency)
        self.readyBound = max(1024, 16 * runner.concurrency)
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self)
        self.continuation = continuation
        events = stream.makeAsyncIterator()
    }

    deinit { cancelAll() }

    private func cancelAll() {
        let running = lock.with {
            defer {
                tasks = [:]
                reader = nil
            }
            return Array(tasks.values) + (reader.map { [$0] } ?? [])
        }
        for t in running { t.cancel() }
    }

    func stream() -> ValueStream {
        ValueStream { [self] in try await self.next() }
    }

    /// Rows go out in the order items came in; before handing one out, every free slot is filled.
    private func next() async throws -> Value? {
        while true {
            try Task.checkCancellation()
            let limit = await limiter.limit
            while inFlight < limit, ready.count < readyBound, let value = dequeue() {
                if let target = ActionTarget(value) {
                    start(target)
                } else {
                    ready[nextIndex] = (runner.invalid(value), 0)
                    nextIndex += 1
                }
            }
            readIfRoom()
            if let row = ready.removeValue(forKey: nextOut) {
                nextOut += 1
                return .record(record(tally.count(row.0, bytes: row.1)))
            }
            if inFlight == 0, upstreamDone, queueHead == queued.count {
                tally.finish(runner.context)
                if let error = upstreamError {
                    upstreamError = nil
                    throw error
                }
                return nil
            }
            let event = await withTaskCancellationHandler {
                await events.next()
            } onCancel: { [self] in
                cancelAll()
                continuation.finish()
            }
            switch event {
            case nil:
                throw CancellationError()
            case .input(let value)?:
                if let value { queued.append(value) } else { upstreamDone = true }
            case .readerIdle?:
                reading = false
            case .inputFailed(let error)?:
                // What was started still finishes and is accounted for; the error comes after.
                reading = false
                upstreamDone = true
                upstreamError = error
            case .finished(let index, let row, let bytes)?:
                inFlight -= 1
                lock.with { tasks[index] = nil }
                ready[index] = (row, bytes)
            }
        }
    }

    private func dequeue() -> Value? {
        guard queueHead < queued.count else { return nil }
        let value = queued[queueHead]
        queueHead += 1
        if queueHead >= 256, queueHead * 2 >= queued.count {
            queued.removeFirst(queueHead)
            queueHead = 0
        }
        return value
    }

    /// Reads ahead in the background, up to `readAhead` values waiting, unless a read is out.
    /// One task reads the whole batch and hands each value over as it comes, so a page of items
    /// reaches the window at once and every free slot fills without a task per item.
    private func readIfRoom() {
        let room = readAhead - (queued.count - queueHead)
        guard !upstreamDone, !reading, room > 0 else { return }
        reading = true
        let input = self.input, continuation = self.continuation
        let task = Task {
            do {
                for _ in 0..<room {
                    let value = try await input.next()
                    continuation.yield(.input(value))
                    if value == nil { break }
                }
                continuation.yield(.readerIdle)
            } catch {
                continuation.yield(.inputFailed(error))
            }
        }
        lock.with { reader = task }
    }

    private func start(_ target: ActionTarget) {
        let index = nextIndex
        nextIndex += 1
        inFlight += 1
        let runner = self.runner, limiter = self.limiter, continuation = self.continuation
        let task = Task {
            let (row, bytes) = await runner.attempt(target, limiter: limiter)
            continuation.yield(.finished(index: index, row: row, bytes: bytes))
        }
        lock.with { tasks[index] = task }
    }

    /// Journals the row and reports progress.
    private func record(_ row: Record) -> Record {
        let context = runner.context
        if let journal = context.environment.journal, case .string(let id)? = row["id"] {
            var size: Int64?
            if case .size(let s)? = row["size"] { size = s }
            var name: String?, error: String?
            if case .string(let n)? = row["name"] { name = n }
            if case .string(let e)? = row["error"] { error = e }
            let status: String = if case .string(let s)? = row["status"] { s } else { "failed" }
            journal.record(ActionRecord(time: context.environment.now(), verb: runner.verb, id: id, name: name, size: size, status: status, error: error))
        }
        context.environment.progress?.update(ActionProgressUpdate(verb: runner.verb, done: tally.done, total: total, bytes: tally.totalBytes))
        return row
    }
}

extension Int64 {
    /// Sizes come from a server or a file: a total past Int64 stays at its largest (or smallest)
    /// instead of trapping.
    static func saturatingSum(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? .max : .min) : sum
    }
}
