import Foundation
import MediaAPI

/// Runs an action over a stream of items: bounded, adaptive concurrency; one result row per
/// item; failures reported and counted, never stopping the rest; a summary line at the end.
struct ActionRunner: Sendable {
    var policy: ActionPolicy
    var context: EvaluationContext
    var concurrency: Int
    var dryRun: Bool
    var assumeYes: Bool
    /// The most items this run may act on (the policy's limit setting); nil = no limit.
    var limit: Int?
    /// What the verb makes of an item before any request (update: what would change, or nothing).
    var prepare: @Sendable (ActionTarget, Value) throws -> ItemPlan
    /// Does the work for one item; throws MediaError on failure.
    var perform: @Sendable (ActionTarget) async throws -> ActionOutcome

    var verb: String { policy.verb }

    init(_ policy: ActionPolicy, call: VerbCall,
         prepare: @escaping @Sendable (ActionTarget, Value) throws -> ItemPlan = { target, _ in .act(target) },
         perform: @escaping @Sendable (ActionTarget) async throws -> ActionOutcome) throws {
        self.policy = policy
        self.context = call.context
        let setting = ShellSettings.concurrency
        if let given = try call.value("concurrency") {
            _ = try setting.validate(given)
        }
        self.concurrency = try call.count("concurrency", default: call.context.environment.concurrency)
        self.dryRun = call.has("dry-run") || call.context.environment.dryRun
        self.assumeYes = call.has("yes") || call.context.environment.assumeYes
        self.limit = policy.limit.flatMap { ShellSettings.limit($0.current(call.context.environment)) }
        self.prepare = prepare
        self.perform = perform
    }

    /// Each value as the action sees it: an item to act on, one left as it is, or not an item.
    private func candidates(_ input: ValueStream) -> CandidateStream {
        CandidateStream { [self] in
            guard let value = try await input.next() else { return nil }
            guard let target = ActionTarget(value) else { return .invalid(value) }
            switch try prepare(target, value) {
            case .act(let t): return .act(t)
            case .unchanged(let t): return .unchanged(t)
            case .skipped(let t, let note): return .skipped(t, note)
            }
        }
    }

    func run(_ input: ValueStream) async throws -> ValueStream {
        let tally = Tally(policy: policy, dryRun: dryRun, limit: limit)
        let items = candidates(input)
        if dryRun {
            return ValueStream {
                guard let candidate = try await items.next() else {
                    tally.finish(self.context)
                    // The preview is shown whole; then the run fails as the real one would.
                    if let limit = self.limit, tally.count(of: self.policy.dryRun) > limit {
                        self.context.failAfterOutput(self.overLimit(limit, found: tally.count(of: self.policy.dryRun), counted: false))
                    }
                    return nil
                }
                let result = switch candidate {
                case .invalid(let value): self.invalid(value)
                case .unchanged(let target): ActionResult(target: target, status: .unchanged)
                case .skipped(let target, let note): ActionResult(target: target, status: .skipped, note: note)
                case .act(let target): ActionResult(target: target, status: self.policy.dryRun, bytes: target.size ?? 0)
                }
                return .record(self.row(tally.count(result)))
            }
        }
        var source = items
        var total: Int?
        if let limit {
            // Read ahead one past the limit: enough to know, never the whole listing.
            var read: [Candidate] = []
            var acting = 0
            while acting <= limit, let next = try await items.next() {
                read.append(next)
                if case .act = next { acting += 1 }
            }
            if acting > limit { throw overLimit(limit, found: acting, counted: true) }
            source = .of(read)
            total = acting
        }
        if policy.destructive, !assumeYes {
            guard let confirm = context.environment.confirm else {
                throw RunError("'\(verb)' changes items and there is no terminal to ask at: add --yes to go ahead, or --dry-run to see what it would do", usage: true)
            }
            let all = try await source.collect()
            let acting = all.compactMap { if case .act(let t) = $0 { t } else { nil } }
            let bytes = acting.compactMap(\.size).reduce(Int64(0), Int64.saturatingSum)
            guard !all.isEmpty else {
                // Said the same way at a prompt as under -c: `delete: nothing to do (0 B)`.
                tally.finish(context)
                return .empty
            }
            if !acting.isEmpty {
                guard await confirm(ConfirmationRequest(verb: verb, itemCount: acting.count, totalBytes: bytes)) else {
                    context.err.write("\(verb): not confirmed, nothing changed\n")
                    return .empty
                }
            }
            source = .of(all)
            total = acting.count
        }
        return Window(runner: self, input: source, tally: tally, total: total).stream()
    }

    /// The guard's refusal, worded the same for a real run and for a dry run that previewed it.
    func overLimit(_ limit: Int, found: Int, counted: Bool) -> RunError {
        let setting = policy.limit?.name ?? "limit"
        let found = counted ? "found \(found) before it stopped counting" : "\(found) in the preview"
        return RunError("""
            '\(verb)' would \(verb) more than \(limit) item\(limit == 1 ? "" : "s") (\(found); \(setting) \(limit)): \
            \(dryRun ? "a real run would send nothing" : "nothing was sent"). Narrow the pipeline, or raise the limit (--\(setting) N, set \(setting) N)
            """)
    }

    /// A result as its row; an action that reports changes has a `change` column on every row.
    func row(_ result: ActionResult) -> Record {
        var r = result.record
        if policy.reportsChanges { r.set("change", Value(result.target?.change)) }
        return r
    }

    func invalid(_ value: Value) -> ActionResult {
        ActionResult(target: nil, status: .failed, error: "not a media item or an id: \(value.humanText.prefix(60))")
    }

    /// Rate-limited rounds an item gets after the binding has given up on it (a Retry-After
    /// longer than it waits, or its attempts spent on 429s); each round waits for the action's pause.
    static let rateLimitRounds = 4

    /// One item. Retrying a request is the binding's job (MediaHTTPClient retries 5xx, dropped
    /// connections and 429s within its own budget), so a transient error that reaches here has
    /// already spent that budget and the item fails. Rate limits are the action's job too: the
    /// binding reports them while it retries, and the whole action slows down.
    func attempt(_ target: ActionTarget, limiter: RateLimiter) async -> ActionResult {
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
                return ActionResult(target: target, status: outcome.status, path: outcome.path,
                                    error: outcome.status == .failed ? outcome.note : nil, note: outcome.status == .failed ? nil : outcome.note,
                                    bytes: outcome.status == .skipped ? 0 : outcome.bytes, journal: outcome.journal ?? target.journal)
            } catch let error as MediaError {
                if case .rateLimited(let after) = error, rounds < Self.rateLimitRounds {
                    rounds += 1
                    await limiter.rateLimited(retryAfter: after)
                    continue
                }
                if case .notFound = error, case .skipped(let note) = policy.notFound {
                    return ActionResult(target: target, status: .skipped, note: note, journal: target.journal)
                }
                return ActionResult(target: target, status: .failed, error: error.description, journal: target.journal)
            } catch is CancellationError {
                return ActionResult(target: target, status: .failed, error: "cancelled", journal: target.journal)
            } catch {
                return ActionResult(target: target, status: .failed, error: Shell.message(error), journal: target.journal)
            }
        }
    }

    /// One item's journal line, written as soon as its outcome is known (not when its row goes
    /// out): with its run, its statement's origin, and what reversing it needs.
    func journal(_ result: ActionResult) {
        let env = context.environment
        guard let journal = env.journal, let target = result.target else { return }
        var entry = ActionRecord(time: env.now(), verb: verb, id: target.id, name: target.name, size: target.size,
                                 status: result.status.text, error: result.error, note: result.note,
                                 runbook: env.origin?.runbook, block: env.origin?.block)
        entry.run = env.runID
        entry.origin = env.statementOrigin
        let detail = result.journal ?? target.journal
        entry.changes = detail?.changes
        entry.item = detail?.item
        entry.backup = detail?.backup
        entry.undoes = detail?.undoes
        entry.undoneID = detail?.undoneID
        entry.restoredID = detail?.restoredID
        if policy.durableJournal { journal.recordDurably(entry) } else { journal.record(entry) }
    }
}

/// Counts outcomes and writes the summary line.
final class Tally: @unchecked Sendable {
    private let policy: ActionPolicy
    private let dryRun: Bool
    private let lock = NSLock()
    private var counts: [ActionStatus: Int] = [:]
    private var order: [ActionStatus] = []
    private var bytes: Int64 = 0
    private var finished = false
    private var doneCount = 0
    private let limit: Int?

    init(policy: ActionPolicy, dryRun: Bool, limit: Int? = nil) {
        self.policy = policy
        self.dryRun = dryRun
        self.limit = limit
    }

    func count(_ result: ActionResult) -> ActionResult {
        lock.lock()
        defer { lock.unlock() }
        if counts[result.status] == nil { order.append(result.status) }
        counts[result.status, default: 0] += 1
        bytes = Int64.saturatingSum(bytes, result.bytes)
        doneCount += 1
        return result
    }

    var done: Int { lock.lock(); defer { lock.unlock() }; return doneCount }
    func count(of status: ActionStatus) -> Int { lock.lock(); defer { lock.unlock() }; return counts[status] ?? 0 }
    var failed: Int { lock.lock(); defer { lock.unlock() }; return counts[.failed] ?? 0 }
    var totalBytes: Int64 { lock.lock(); defer { lock.unlock() }; return bytes }

    /// `delete: 40 deleted, 2 skipped, 1 failed (57.3 MB)` or `delete --dry-run: would delete 42 items (57.3 MB)`.
    func finish(_ context: EvaluationContext) {
        let line: String
        let failed = self.failed
        lock.lock()
        guard !finished else { lock.unlock(); return }
        finished = true
        if dryRun {
            let n = counts[policy.dryRun] ?? 0
            var text = "\(policy.verb) --dry-run: \(policy.dryRun.text) \(n) item\(n == 1 ? "" : "s") (\(Value.humanSize(bytes)))"
            if let unchanged = counts[.unchanged] { text += ", \(unchanged) unchanged" }
            if failed > 0 { text += ", \(failed) not items" }
            if let limit, let setting = policy.limit, n > limit {
                text += "; more than \(setting.name) \(limit): a real run would stop before its first request"
            }
            line = text
        } else {
            let parts = order.sorted { $0.rank < $1.rank }.map { "\(counts[$0] ?? 0) \($0.text)" }
            line = "\(policy.verb): \(parts.isEmpty ? "nothing to do" : parts.joined(separator: ", ")) (\(Value.humanSize(bytes)))"
        }
        let totals = ActionTotals(verb: policy.verb, counts: order.sorted { $0.rank < $1.rank }.map { .init(status: $0.text, count: counts[$0] ?? 0) })
        lock.unlock()
        context.err.write(line + "\n")
        context.noteFailures(failed)
        context.environment.actionFinished?(totals)
    }
}

/// The sliding window of requests in flight. The input is read ahead in a task of its own, so
/// the listing runs while requests are out and the first request leaves before it has finished;
/// a slot that frees is filled at once.
private final class Window: @unchecked Sendable {
    private enum Event: Sendable {
        case input(Candidate?)
        /// The reader has read the batch it was asked for and stopped.
        case readerIdle
        case inputFailed(any Error)
        case finished(index: Int, result: ActionResult)
    }

    private let runner: ActionRunner
    private let input: CandidateStream
    private let tally: Tally
    private let total: Int?
    private let limiter: RateLimiter
    private let continuation: AsyncStream<Event>.Continuation
    private var events: AsyncStream<Event>.Iterator
    /// Values read ahead and not yet started; at most `readAhead` of them.
    private var queued: [Candidate] = []
    private var queueHead = 0
    private let readAhead: Int
    private var reading = false
    private var upstreamDone = false
    private var upstreamError: (any Error)?
    private var nextIndex = 0
    private var inFlight = 0
    /// Rows finished ahead of an earlier one, waiting to go out in input order; bounded, so a
    /// stuck item holds back at most this many others.
    private var ready: [Int: ActionResult] = [:]
    private let readyBound: Int
    private var nextOut = 0
    /// Running tasks, cancelled when the consumer goes away or is cancelled.
    private let lock = NSLockBox()
    private var tasks: [Int: Task<Void, Never>] = [:]
    private var reader: Task<Void, Never>?

    init(runner: ActionRunner, input: CandidateStream, tally: Tally, total: Int?) {
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
            while inFlight < limit, ready.count < readyBound, let candidate = dequeue() {
                switch candidate {
                case .act(let target):
                    start(target)
                case .unchanged(let target):
                    // Nothing would change: no request.
                    let result = ActionResult(target: target, status: .unchanged)
                    runner.journal(result)
                    ready[nextIndex] = result
                    nextIndex += 1
                case .skipped(let target, let note):
                    let result = ActionResult(target: target, status: .skipped, note: note, journal: target.journal)
                    runner.journal(result)
                    ready[nextIndex] = result
                    nextIndex += 1
                case .invalid(let value):
                    ready[nextIndex] = runner.invalid(value)
                    nextIndex += 1
                }
            }
            readIfRoom()
            if let result = ready.removeValue(forKey: nextOut) {
                nextOut += 1
                return .record(record(tally.count(result)))
            }
            if inFlight == 0, upstreamDone, queueHead == queued.count {
                // A source that failed before any item (the service cannot be reached) gets its
                // error alone, not a "nothing to do" summary first.
                if let error = upstreamError {
                    upstreamError = nil
                    if tally.done > 0 { tally.finish(runner.context) }
                    throw error
                }
                tally.finish(runner.context)
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
            case .finished(let index, let result)?:
                inFlight -= 1
                lock.with { tasks[index] = nil }
                ready[index] = result
            }
        }
    }

    private func dequeue() -> Candidate? {
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
            let result = await runner.attempt(target, limiter: limiter)
            runner.journal(result)
            continuation.yield(.finished(index: index, result: result))
        }
        lock.with { tasks[index] = task }
    }

    /// Reports progress, and turns the result into its row (it was journaled when it finished).
    private func record(_ result: ActionResult) -> Record {
        let context = runner.context
        context.environment.progress?.update(ActionProgressUpdate(verb: runner.verb, done: tally.done, total: total, bytes: tally.totalBytes))
        return runner.row(result)
    }
}

/// What a verb makes of an item before any request.
enum ItemPlan: Sendable {
    /// Send the request (the target may carry what the verb prepared for it).
    case act(ActionTarget)
    /// Nothing would change: the row says `unchanged` and no request is sent.
    case unchanged(ActionTarget)
    /// Nothing can be done: the row says `skipped` with this note, and no request is sent.
    case skipped(ActionTarget, String)
}

/// One value read for an action.
enum Candidate: Sendable {
    case act(ActionTarget)
    case unchanged(ActionTarget)
    case skipped(ActionTarget, String)
    /// Neither a media item nor an id: its row fails.
    case invalid(Value)
}

/// A pull-based stream of candidates, as `ValueStream` is of values.
final class CandidateStream: @unchecked Sendable {
    private let pull: () async throws -> Candidate?

    init(_ pull: @escaping () async throws -> Candidate?) { self.pull = pull }

    func next() async throws -> Candidate? { try await pull() }

    static func of(_ candidates: [Candidate]) -> CandidateStream {
        var i = 0
        return CandidateStream {
            guard i < candidates.count else { return nil }
            defer { i += 1 }
            return candidates[i]
        }
    }

    func collect() async throws -> [Candidate] {
        var out: [Candidate] = []
        while let c = try await next() {
            out.append(c)
            if out.count & 1023 == 0 { try Task.checkCancellation() }
        }
        return out
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
