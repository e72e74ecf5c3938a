#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Bytes read from a file descriptor in chunks, for readers that stream: a window of the input
/// that grows only as far as one record needs, so a pipe or a file of any size is read in
/// bounded memory. A reader parses `bytes` from `start`; when a record runs past `bytes.count`
/// it calls `refill(keeping:)` and parses that record again from where it began.
final class ByteInput: @unchecked Sendable {
    /// A source of bytes: a file's descriptor (closed at the end) or one the host owns (stdin).
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private var storage: UnsafeMutableRawBufferPointer
    /// Bytes `0..<filled` of `storage` hold input; `bytes` views them.
    private var filled = 0
    /// The input's offset of `storage[0]`, for messages that give a byte position.
    private(set) var base = 0
    /// No more bytes will come.
    private(set) var atEnd = false
    let name: String
    /// A file on disk (reads do not wait on a producer), not a pipe or terminal.
    let isRegularFile: Bool
    /// At most this many bytes per read (tests cut the input at every byte with 1).
    private let readLimit: Int

    static let chunk = 1 << 20

    /// Reads the file at `url`.
    init(url: URL, chunk: Int = ByteInput.chunk, readLimit: Int = .max) throws {
        let fd = url.path.withCString { open($0, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { throw RunError("cannot read \(url.path): \(String(cString: strerror(errno)))") }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw RunError("cannot read \(url.path): it is a folder")
        }
        descriptor = fd
        ownsDescriptor = true
        isRegularFile = (info.st_mode & S_IFMT) == S_IFREG
        name = url.lastPathComponent
        self.readLimit = max(1, readLimit)
        storage = .allocate(byteCount: max(1, chunk), alignment: 16)
    }

    /// Reads a descriptor the caller keeps open (standard input).
    init(descriptor: Int32, name: String, chunk: Int = ByteInput.chunk, readLimit: Int = .max) {
        self.descriptor = descriptor
        ownsDescriptor = false
        var info = stat()
        let known = fstat(descriptor, &info) == 0
        isRegularFile = known && (info.st_mode & S_IFMT) == S_IFREG
        if known, (info.st_mode & S_IFMT) == S_IFIFO { Self.widen(pipe: descriptor) }
        self.name = name
        self.readLimit = max(1, readLimit)
        storage = .allocate(byteCount: max(1, chunk), alignment: 16)
    }

    /// The most a pipe may hold that an unprivileged process can ask for (Linux's default
    /// /proc/sys/fs/pipe-max-size).
    static let pipeSize: Int32 = 1 << 20

    /// Lets a pipe hold a window's worth (Linux holds 64 KiB by default): the writer and this
    /// reader then wake each other once a megabyte, not sixteen times. A refusal (over the
    /// user's limit, or not Linux) leaves the pipe as it was.
    private static func widen(pipe descriptor: Int32) {
        #if os(Linux)
        let F_SETPIPE_SZ: Int32 = 1031, F_GETPIPE_SZ: Int32 = 1032
        if fcntl(descriptor, F_GETPIPE_SZ) < pipeSize { _ = fcntl(descriptor, F_SETPIPE_SZ, pipeSize) }
        #endif
    }

    deinit {
        storage.deallocate()
        if ownsDescriptor { close(descriptor) }
    }

    /// The bytes read so far that no reader has let go of.
    var bytes: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: storage.baseAddress?.assumingMemoryBound(to: UInt8.self), count: filled)
    }

    /// Drops the bytes before `keeping`, then reads at least one more byte (growing the window
    /// when one record fills it). False at the end of the input; `bytes` then starts at what was `keeping`.
    func refill(keeping: Int) throws -> Bool {
        if keeping > 0 {
            let kept = filled - keeping
            if kept > 0, let to = storage.baseAddress { memmove(to, to + keeping, kept) }
            filled = kept
            base += keeping
        }
        if atEnd { return false }
        if filled == storage.count {
            let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: storage.count * 2, alignment: 16)
            if filled > 0, let to = bigger.baseAddress, let from = storage.baseAddress { memcpy(to, from, filled) }
            storage.deallocate()
            storage = bigger
        }
        // A long record is parsed again after each refill: reading at least as much again as
        // is kept makes that work grow linearly with the record, not with its square.
        let kept = filled
        var added = 0
        while true {
            guard let to = storage.baseAddress else { return false }
            let n = read(descriptor, to + filled, min(storage.count - filled, readLimit))
            if n > 0 {
                filled += n
                added += n
                if kept < 1 << 16 || added >= kept || filled == storage.count { return true }
                continue
            }
            if n == 0 {
                atEnd = true
                return added > 0
            }
            if errno == EINTR { continue }
            throw RunError("cannot read \(name): \(String(cString: strerror(errno)))")
        }
    }
}
