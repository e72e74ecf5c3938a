import Dispatch
import Foundation

/// libFuzzer's entry for a program that has its own `main`.
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// Runs libFuzzer over `callback` with the command line's flags and corpus folders.
///
/// SwiftPM names an executable's entry `<module>_main` and links `main` to it, so each fuzz
/// target defines that function (with `@_cdecl`) and hands over to libFuzzer here.
public func runFuzzer(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, callback)
}

/// The input's bytes (libFuzzer passes a null pointer for an empty input).
public func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Data {
    guard let data, size > 0 else { return Data() }
    return Data(bytes: data, count: size)
}

/// Runs async code to its end from libFuzzer's synchronous callback, and waits until the task
/// has let go of what it captured: LeakSanitizer checks right after the callback returns, and
/// memory a finished task still holds would be reported as leaked.
public func runBlocking(_ body: @escaping @Sendable () async -> Void) {
    let done = DispatchSemaphore(value: 0)
    var sentinel: Sentinel? = Sentinel()
    weak let released = sentinel
    Task.detached { [sentinel] in
        await body()
        withExtendedLifetime(sentinel) {}
        done.signal()
    }
    sentinel = nil
    done.wait()
    while released != nil { sched_yield() }
}

private final class Sentinel: Sendable {}
