import CConcurrencyHook
import NIOCore
import NIOPosix

/// Swift Concurrency's jobs run on NIO's event loops rather than on Dispatch's pool: a request's
/// handler then runs where its connection lives, without a thread hop each way.
enum EventLoopExecutor {
    private typealias EnqueueGlobal = @convention(thin) (UnownedJob, @convention(thin) (UnownedJob) -> Void) -> Void

    /// Installs the event loops as the global executor; false when another hook was there first.
    /// NIO's own installer finds the runtime's hook with dlsym, which works only where the runtime
    /// is a shared library (debug builds). Release builds link it statically (`--static-swift-stdlib`),
    /// which hides its symbols: there NIO's installer returns false, and until this fallback every
    /// release media-server ran its handlers on Dispatch's threads (two thread hops a request).
    /// Call once, from `main`, before the server starts.
    static func install() -> Bool {
        if NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor() { return true }
        let enqueue: EnqueueGlobal = { job, _ in
            // `any()` is the loop of the calling thread when it is one of the group's: no hop.
            MultiThreadedEventLoopGroup.singleton.any().enqueue(ExecutorJob(job))
        }
        return media_install_enqueue_global_hook(unsafeBitCast(enqueue, to: UnsafeMutableRawPointer.self))
    }
}
