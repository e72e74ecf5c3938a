import Foundation
import MediaAPI
@testable import MediaShell

/// A real service with instruments around it: counts requests in flight, can add
/// latency, and can answer some requests with injected failures (rate limits, 503s), the way a
/// live API would, to test how actions cope.
final class InstrumentedService: MediaService, @unchecked Sendable {
    let base: any MediaService
    private let lock = NSLock()
    private var inFlight = 0
    private(set) var maxInFlight = 0
    private(set) var calls = 0
    /// Listings begun (each `list` stage's run is one, however many pages it reads).
    private var lists = 0
    var listCount: Int { locked { lists } }
    /// When each call began, by call number - 1.
    private var starts: [ContinuousClock.Instant] = []
    /// Tasks waiting for the number of calls to reach theirs.
    private var callWaiters: [(calls: Int, wake: CheckedContinuation<Void, Never>)] = []
    /// Tasks waiting for no call to be in flight.
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    var latency: TimeInterval = 0
    /// Given the call number (1-based), an error to throw instead of doing the call.
    var fault: @Sendable (Int) -> MediaError? = { _ in nil }
    /// When set, listing stops after the first page until `releaseList()` is called.
    var holdListAfterFirstPage = false
    private var release: CheckedContinuation<Void, Never>?
    private var released = false

    init(_ base: any MediaService) { self.base = base }

    var peak: Int { locked { maxInFlight } }
    var callCount: Int { locked { calls } }
    var callStarts: [ContinuousClock.Instant] { locked { starts } }

    /// Returns once no call is in flight (every call begun has ended, one way or another).
    func waitUntilIdle() async {
        await withCheckedContinuation { wake in
            let now = locked { () -> Bool in
                if inFlight == 0 { return true }
                idleWaiters.append(wake)
                return false
            }
            if now { wake.resume() }
        }
    }

    /// Returns once `count` calls have begun (an event to act on, instead of a guess at time).
    func waitForCalls(_ count: Int) async {
        await withCheckedContinuation { wake in
            let now = locked { () -> Bool in
                if calls >= count { return true }
                callWaiters.append((count, wake))
                return false
            }
            if now { wake.resume() }
        }
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    func releaseList() {
        let r = locked { () -> CheckedContinuation<Void, Never>? in
            released = true
            defer { release = nil }
            return release
        }
        r?.resume()
    }

    private func waitForRelease() async {
        await withCheckedContinuation { c in
            let now = locked { () -> Bool in
                if released { return true }
                release = c
                return false
            }
            if now { c.resume() }
        }
    }

    private func around<T>(_ body: () async throws -> T) async throws -> T {
        let (n, woken) = locked { () -> (Int, [CheckedContinuation<Void, Never>]) in
            calls += 1
            starts.append(.now)
            inFlight += 1
            maxInFlight = max(maxInFlight, inFlight)
            let due = callWaiters.filter { $0.calls <= calls }.map(\.wake)
            callWaiters.removeAll { $0.calls <= calls }
            return (calls, due)
        }
        for wake in woken { wake.resume() }
        defer {
            let idle = locked { () -> [CheckedContinuation<Void, Never>] in
                inFlight -= 1
                guard inFlight == 0 else { return [] }
                defer { idleWaiters = [] }
                return idleWaiters
            }
            for wake in idle { wake.resume() }
        }
        if latency > 0 { try await Task.sleep(nanoseconds: UInt64(latency * 1e9)) }
        if let e = fault(n) { throw e }
        return try await body()
    }

    func list(_ query: MediaQuery) -> MediaItemSequence {
        locked { lists += 1 }
        guard holdListAfterFirstPage else { return base.list(query) }
        let base = self.base
        return MediaItemSequence(start: 0) { page in
            if page == 1 { await self.waitForRelease() }
            var q = query
            q.limit = nil
            var items: [MediaItem] = []
            var skipped = 0
            for try await item in base.list(q) {
                if skipped < page * 2 { skipped += 1; continue }
                items.append(item)
                if items.count == 2 { break }
            }
            return (items, items.count == 2 ? page + 1 : nil)
        }
    }

    func info(id: String) async throws -> MediaItem { try await around { try await base.info(id: id) } }
    func update(id: String, _ changes: MediaUpdate) async throws { try await around { try await base.update(id: id, changes) } }
    func delete(id: String) async throws { try await around { try await base.delete(id: id) } }
    func download(id: String, to destination: URL, options: DownloadOptions) async throws -> DownloadResult {
        try await around { try await base.download(id: id, to: destination, options: options) }
    }
    func upload(_ upload: MediaUpload) async throws -> MediaItem { try await around { try await base.upload(upload) } }
}

/// Journal and progress hooks that keep what they are told.
final class Recorder: ActionJournal, ActionProgress, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var entries: [ActionRecord] = []
    private(set) var updates: [ActionProgressUpdate] = []
    func record(_ entry: ActionRecord) { lock.lock(); entries.append(entry); lock.unlock() }
    func update(_ progress: ActionProgressUpdate) { lock.lock(); updates.append(progress); lock.unlock() }
}
