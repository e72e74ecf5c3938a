import Foundation

/// The thread a reader parses its windows' second halves on: started with the first window,
/// given one job at a time, and ended when the reader lets go of it (`stop`). One thread for the
/// whole input, not one a window: starting a thread costs more than waking one.
final class HalfWorker: @unchecked Sendable {
    private let condition = NSCondition()
    private var job: (@Sendable () -> Void)?
    private var stopping = false
    private var started = false

    /// Runs `work` on the worker's thread; the caller waits for it by its own means.
    func run(_ work: @escaping @Sendable () -> Void) {
        condition.lock()
        defer { condition.unlock() }
        if !started {
            started = true
            // The thread holds the worker until `stop`.
            Thread { [self] in loop() }.start()
        }
        job = work
        condition.signal()
    }

    /// Ends the thread once its job, if any, is done.
    func stop() {
        condition.lock()
        defer { condition.unlock() }
        stopping = true
        condition.signal()
    }

    private func loop() {
        while true {
            condition.lock()
            while job == nil, !stopping { condition.wait() }
            guard let work = job else {
                condition.unlock()
                return
            }
            job = nil
            condition.unlock()
            work()
        }
    }
}

extension Array {
    /// The same elements in storage of their own: a thread that keeps its own copy of shared
    /// data (a reader's key layout, its header's names) must not count references to the other's.
    var unshared: [Element] {
        var copy: [Element] = []
        copy.reserveCapacity(count)
        copy.append(contentsOf: self)
        return copy
    }
}
