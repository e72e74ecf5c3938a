import Foundation

/// A lock for state shared between an action's concurrent requests.
final class NSLockBox: @unchecked Sendable {
    private let lock = NSLock()

    func with<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}

/// A value shared between concurrent requests, read and changed under a lock.
final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T

    init(_ value: T) { self.value = value }

    func with<R>(_ body: (inout T) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
