#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Descriptors 0, 1 and 2 a process was started without (`media-server 2>&-`, a cron line with
/// `>&-`) are opened on /dev/null before anything else is. Otherwise the next file the process
/// opens takes that number, and what it writes to "standard error" (access-log lines) or
/// "standard output" (rows) lands in that file: a download, an upload's content, a lock file.
public enum StandardDescriptors {
    /// Call first thing in `main`, before any file, socket or thread is made.
    public static func openMissing() {
        for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            let opened = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY)
            // open takes the lowest free number, this one when those below it are open; else move it there.
            if opened >= 0, opened != fd {
                _ = dup2(opened, fd)
                _ = close(opened)
            }
        }
    }
}
