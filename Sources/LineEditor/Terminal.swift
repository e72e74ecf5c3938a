import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The size of the terminal behind a file descriptor.
public enum TerminalSize {
    /// Its width in columns, or nil when the descriptor is not a terminal.
    public static func columns(of fd: Int32) -> Int? {
        guard isatty(fd) == 1 else { return nil }
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }
}

/// libedit decodes and draws characters through the C library's locale; a process starts
/// in the "C" locale, where anything past ASCII would be drawn as escapes.
enum UTF8Locale {
    static func adopt() {
        if let current = setlocale(LC_CTYPE, ""), String(cString: current).localizedCaseInsensitiveContains("utf") { return }
        if setlocale(LC_CTYPE, "C.UTF-8") == nil { _ = setlocale(LC_CTYPE, "C.utf8") }
    }
}
