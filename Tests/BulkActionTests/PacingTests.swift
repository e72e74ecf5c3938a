import Foundation
import MediaAPI
import MediaHTTPClient
import MediaServer
import MediaShell
import Testing

/// The real HTTP client with a meter around it: counts the deletes in flight as each one starts,
/// and sends `burst.count` items' first calls, from call number `burst.lowerBound` on, to a second
/// client, whose server rate-limits everything.
///
/// A gate holds the calls numbered in its range (before they reach the server) until `inFlight`
/// calls are in flight at once, then lets them all go and stays open: a window that is as wide
/// as it should be fills up and opens the gate, on any machine, however loaded. A window too
/// narrow never does, and the gate gives up after `patience`, so the peak seen stays below.
final class MeteredService: MediaService, @unchecked Sendable {
    struct Start {
        var number: Int
        var inFlight: Int
        var time: ContinuousClock.Instant
    }

    struct Gate {
        var numbers: Range<Int>
        var inFlight: Int
        fileprivate var open = false
        fileprivate var waiting: [CheckedContinuation<Void, Never>] = []

        init(numbers: Range<Int>, inFlight: Int) {
            self.numbers = numbers
            self.inFlight = inFlight
        }
    }

    private let base: any MediaService
    private let limiting: any MediaService
    private let burst: Range<Int>
    private let lock = NSLock()
    private var inFlight = 0
    private var seenIDs: Set<String> = []
    private var refused = 0
    private var gaveUp: [ContinuousClock.Instant] = []
    private(set) var starts: [Start] = []
    private var gates: [Gate]
    static let patience: Duration = .seconds(20)

    init(_ base: any MediaService, burst: Range<Int> = 0..<0, to limiting: (any MediaService)? = nil, gates: [Gate] = []) {
        self.base = base
        self.burst = burst
        self.limiting = limiting ?? base
        self.gates = gates
    }

    /// Opens gate `index`: everyone waiting at it goes on. Called with the lock held.
    private func openGate(_ index: Int) -> [CheckedContinuation<Void, Never>] {
        guard !gates[index].open else { return [] }
        gates[index].open = true
        defer { gates[index].waiting = [] }
        return gates[index].waiting
    }

    /// Waits at the gate whose range holds `number`, if it is still closed.
    private func pass(_ number: Int) async {
        guard let index = lock.withLock({ gates.firstIndex { $0.numbers.contains(number) && !$0.open } }) else { return }
        let giveUp = Task {
            try await Task.sleep(for: Self.patience)
            for waiter in lock.withLock({ openGate(index) }) { waiter.resume() }
        }
        defer { giveUp.cancel() }
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let go = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
                if gates[index].open { return [waiter] }
                gates[index].waiting.append(waiter)
                return inFlight >= gates[index].inFlight ? openGate(index) : []
            }
            for waiter in go { waiter.resume() }
        }
    }

    var recorded: [Start] {
        lock.lock()
        defer { lock.unlock() }
        return starts
    }

    func delete(id: String) async throws {
        let (number, refuse) = lock.withLock {
            inFlight += 1
            starts.append(Start(number: starts.count, inFlight: inFlight, time: .now))
            let number = starts.count - 1
            // The first `burst.count` items to start from number `burst.lowerBound` on are refused,
            // each once: on a loaded machine the action's retry of a refused item can start before
            // the burst is over, and a retry is never refused again.
            let fresh = seenIDs.insert(id).inserted
            let refuse = fresh && number >= burst.lowerBound && refused < burst.count
            if refuse { refused += 1 }
            return (number, refuse)
        }
        defer { lock.withLock { inFlight -= 1 } }
        await pass(number)
        guard refuse else { return try await base.delete(id: id) }
        do {
            try await limiting.delete(id: id)
        } catch {
            lock.withLock { gaveUp.append(.now) }
            throw error
        }
    }

    /// When the rate-limiting client gave each refused call up to the action (its permit freed).
    var refusals: [ContinuousClock.Instant] { lock.withLock { gaveUp } }

    func list(_ query: MediaQuery) -> MediaItemSequence { base.list(query) }
    func info(id: String) async throws -> MediaItem { try await base.info(id: id) }
    func update(id: String, _ changes: MediaUpdate) async throws { try await base.update(id: id, changes) }
    func download(id: String, to destination: URL, options: DownloadOptions) async throws -> DownloadResult {
        try await base.download(id: id, to: destination, options: options)
    }
    func upload(_ upload: MediaUpload) async throws -> MediaItem { try await base.upload(upload) }
}

@Suite("pacing")
struct PacingTests {
    @Test("a burst of 429s halves the action's concurrency, holds it for Retry-After, and it climbs back")
    func burstOf429s() async throws {
        // 20 ms a request: long enough that the window is seen full even on a loaded machine.
        try await withBulkServer(FaultPlan(latency: .milliseconds(20))) { server in
            let items = try await server.seed(700)
            // Every request to this one is refused for 0.4 s; its client tries twice, reporting the
            // first 429 to the action as it retries, then gives the second up to the action.
            var twice = BulkServer.clientConfiguration
            twice.maxAttempts = 2
            let refusing = try await server.extraClient(FaultPlan(latency: .milliseconds(20), rateLimitEvery: 1, retryAfterSeconds: 0.4),
                                                        configuration: twice)
            let burst = 150..<166
            // The first window, and one late after the burst (by then clean answers have raised the
            // limit back: it takes 8 + 9 + … + 15 = 92 of them), must each fill to 16 in flight.
            let metered = MeteredService(try #require(server.client), burst: burst, to: refusing, gates: [
                MeteredService.Gate(numbers: 0..<16, inFlight: 16),
                MeteredService.Gate(numbers: 500..<600, inFlight: 16),
            ])
            let ran = try await server.run("list | delete concurrency 16", service: metered)
            #expect(ran.outcome.status == .success, "\(ran.err) \(ran.rows(status: "failed"))")
            #expect(ran.ids(status: "deleted") == Set(items.map(\.id)))
            #expect(try await server.stored().isEmpty)

            let starts = metered.recorded
            #expect(starts.count == 700 + burst.count)
            let before = starts[0..<burst.lowerBound].map(\.inFlight).max() ?? 0
            #expect(before == 16)
            // Nothing new leaves while the action's pause runs. Each refused call holds its permit
            // through its client's own Retry-After wait, so the pause shows once they are given up:
            // from the first, the action waits 0.4 s more. With two CPU hogs running, 0 left in the
            // 0.3 s looked at (5 runs); with the pause ignored, 16 and 45 did.
            let released = try #require(metered.refusals.min())
            let duringPause = starts.filter { $0.time > released + .milliseconds(50) && $0.time < released + .milliseconds(350) }
            #expect(duringPause.count <= 4, "\(duringPause.count) requests left during the pause")
            // Right after, fewer in flight (halved; requests already let through before the pause
            // may still be counted on a busy machine, so only "lowered" is asserted).
            let after = starts[burst.upperBound..<(burst.upperBound + 40)].map(\.inFlight).max() ?? 0
            #expect(after < 16, "peak in flight after the burst: \(after)")
            // Clean answers raise it back to the full 16.
            let late = starts[500...].map(\.inFlight).max() ?? 0
            #expect(late == 16, "peak in flight at the end: \(late)")
        }
    }

    @Test("without rate limits the window stays full: peak in flight is the concurrency asked for")
    func fullWindow() async throws {
        try await withBulkServer(FaultPlan(latency: .milliseconds(5))) { server in
            try await server.seed(200)
            // The first 32 wait until 32 are in flight (it never happens with a narrower window),
            // and the window never goes past 32.
            let metered = MeteredService(try #require(server.client), gates: [MeteredService.Gate(numbers: 0..<32, inFlight: 32)])
            let ran = try await server.run("list | delete concurrency 32", service: metered)
            #expect(ran.outcome.status == .success, "\(ran.err)")
            #expect(metered.recorded.count == 200)
            #expect(metered.recorded.map(\.inFlight).max() == 32)
        }
    }

    @Test("the client and the action do not both retry a 429: each refusal costs one more request")
    func retriesAreNotMultiplied() async throws {
        try await withBulkServer(FaultPlan(rateLimitEvery: 4, retryAfterSeconds: 0.01)) { server in
            try await server.seed(60)
            let client = try #require(server.client)
            let before = client.requestsSent
            // `first 1000` keeps the listing in order (time windows would make the list requests
            // vary with the timing), so the count below is exact.
            let ran = try await server.run("list | first 1000 | delete concurrency 4")
            #expect(ran.outcome.status == .success, "\(ran.err)")
            // 60 deletes and two listing pages (the second, empty, ends the list); every 4th
            // request was refused and sent once more.
            let sent = client.requestsSent - before
            let answered = 60 + 2
            #expect(sent == answered + (sent / 4), "sent \(sent)")
        }
    }
}
