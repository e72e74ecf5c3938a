import CEditLine
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Line editing at a terminal over libedit: a prompt, emacs keys, history shared through a
/// `HistoryFile`, incremental search (Ctrl-R), Tab completion through a callback, and Ctrl-C
/// that abandons the line being typed. Use it from one thread.
public final class LineEditor {
    /// What the completion callback proposes for the word before the cursor.
    public struct Completions: Sendable, Equatable {
        /// Where the word being completed starts, in Unicode scalars from the line's start.
        public var wordStart: Int
        /// Whole replacements for that word; several are listed below the line.
        public var candidates: [String]

        public init(wordStart: Int, candidates: [String]) {
            self.wordStart = wordStart
            self.candidates = candidates
        }
    }

    /// Ctrl-C while a line was being typed: the line is dropped.
    public struct Interrupted: Error {}

    /// Wakes a `readLine` in progress from another thread or a signal source, as Ctrl-C does.
    public struct Interrupter: Sendable {
        fileprivate let fd: Int32
        public func interrupt() {
            var byte: UInt8 = 1
            _ = write(fd, &byte, 1)
        }
    }

    /// Given the line and the cursor (in Unicode scalars), the word start and its candidates.
    public var completer: ((_ line: String, _ cursor: Int) -> Completions)?
    /// The history, oldest first: what the file held at start plus what was entered since.
    public private(set) var entries: [String]
    public let interrupter: Interrupter

    private let historyFile: HistoryFile?
    private let editLine: OpaquePointer
    private let history: OpaquePointer
    private let input: Int32 = 0
    private let wakeRead: Int32
    /// The stream libedit draws on; completion lists go there too so they interleave in order.
    private let stdoutFile: UnsafeMutablePointer<FILE>
    private var prompt: UnsafeMutablePointer<CChar>?
    private var interrupted = false

    /// Sets up editing on the process's standard input and output. Nil when libedit cannot
    /// start (no usable terminal).
    public init?(programName: String, historyFile: HistoryFile?) {
        UTF8Locale.adopt()
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return nil }
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        guard let fin = fdopen(0, "r"), let fout = fdopen(1, "w"), let ferr = fdopen(2, "w"),
              let editLine = el_init(programName, fin, fout, ferr) else {
            close(fds[0]); close(fds[1])
            return nil
        }
        guard let history = history_init() else {
            el_end(editLine)
            close(fds[0]); close(fds[1])
            return nil
        }
        self.editLine = editLine
        self.stdoutFile = fout
        self.history = history
        self.wakeRead = fds[0]
        self.interrupter = Interrupter(fd: fds[1])
        self.historyFile = historyFile
        self.entries = historyFile?.load() ?? []

        _ = cel_history_set_size(history, Int32(clamping: historyFile?.capacity ?? 2000))
        _ = cel_history_set_unique(history, 1)
        for entry in entries { _ = cel_history_enter(history, entry) }

        _ = cel_set_editor(editLine, "emacs")
        _ = cel_set_history(editLine, history)
        _ = cel_set_client_data(editLine, Unmanaged.passUnretained(self).toOpaque())
        _ = cel_set_prompt(editLine) { el in
            guard let el, let editor = LineEditor.owner(of: el) else { return nil }
            return editor.prompt
        }
        _ = cel_set_read_function(editLine) { el, character in
            guard let el, let character, let editor = LineEditor.owner(of: el) else { return -1 }
            return editor.readCharacter(into: character)
        }
        _ = cel_add_command(editLine, "mediash-complete", "complete the word before the cursor") { el, _ in
            guard let el, let editor = LineEditor.owner(of: el) else { return UInt8(CC_ERROR) }
            return editor.complete()
        }
        _ = cel_bind(editLine, "^I", "mediash-complete")
        _ = cel_bind(editLine, "^R", "em-inc-search-prev")
        _ = el_source(editLine, nil)
    }

    deinit {
        el_end(editLine)
        history_end(history)
        free(prompt)
        close(wakeRead)
        close(interrupter.fd)
    }

    /// Reads one line after showing `prompt`. Nil at end of input (Ctrl-D on an empty line);
    /// throws `Interrupted` on Ctrl-C.
    public func readLine(prompt text: String) throws(Interrupted) -> String? {
        free(prompt)
        prompt = strdup(text)
        drainWakeups()
        interrupted = false
        var count: Int32 = 0
        let line = el_gets(editLine, &count)
        if interrupted {
            fputs("\n", stdoutFile)
            fflush(stdoutFile)
            throw Interrupted()
        }
        guard let line, count > 0 else { return nil }
        var text = String(cString: line)
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    /// Records an entry (a whole, possibly multi-line statement) in the history and its file.
    public func addHistory(_ entry: String) {
        let trimmed = entry.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed != entries.last else { return }
        _ = cel_history_enter(history, trimmed)
        entries.append(trimmed)
        historyFile?.append(trimmed)
    }

    private static func owner(of el: OpaquePointer) -> LineEditor? {
        guard let data = cel_client_data(el) else { return nil }
        return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue()
    }

    private func drainWakeups() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
    }

    /// libedit's character source: waits for the terminal or a wake-up, and decodes UTF-8.
    private func readCharacter(into character: UnsafeMutablePointer<wchar_t>) -> Int32 {
        guard let first = nextByte() else { return interrupted ? -1 : 0 }
        // Ctrl-C arrives as a byte when the terminal does not turn it into a signal.
        if first == 3 {
            interrupted = true
            return -1
        }
        var scalar = UInt32(first)
        var following = 0
        switch first {
        case 0xC0...0xDF: scalar = UInt32(first & 0x1F); following = 1
        case 0xE0...0xEF: scalar = UInt32(first & 0x0F); following = 2
        case 0xF0...0xF7: scalar = UInt32(first & 0x07); following = 3
        default: break
        }
        for _ in 0..<following {
            guard let next = nextByte() else { return interrupted ? -1 : 0 }
            scalar = scalar << 6 | UInt32(next & 0x3F)
        }
        character.pointee = wchar_t(bitPattern: scalar)
        return 1
    }

    private func nextByte() -> UInt8? {
        while true {
            var fds = [pollfd(fd: input, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if fds[1].revents != 0 {
                drainWakeups()
                interrupted = true
                return nil
            }
            var byte: UInt8 = 0
            let n = read(input, &byte, 1)
            if n == 1 { return byte }
            if n < 0, errno == EINTR || errno == EAGAIN { continue }
            return nil
        }
    }

    private func complete() -> UInt8 {
        guard let completer, let info = el_wline(editLine), let buffer = info.pointee.buffer,
              let cursorPointer = info.pointee.cursor, let last = info.pointee.lastchar else { return UInt8(CC_ERROR) }
        let length = last - buffer
        let cursor = cursorPointer - buffer
        let scalars = (0..<length).map { Unicode.Scalar(UInt32(bitPattern: buffer[$0])) ?? "?" }
        var line = String.UnicodeScalarView()
        line.append(contentsOf: scalars)
        let proposal = completer(String(line), cursor)
        let start = min(max(0, proposal.wordStart), cursor)
        var typedView = String.UnicodeScalarView()
        typedView.append(contentsOf: scalars[start..<cursor])
        let typed = String(typedView)
        let candidates = Array(NSOrderedSet(array: proposal.candidates)) as? [String] ?? proposal.candidates
        guard !candidates.isEmpty else { return UInt8(CC_REFRESH_BEEP) }
        if candidates.count == 1 {
            let word = candidates[0]
            replace(typedCount: cursor - start, with: word.hasSuffix("/") ? word : word + " ")
            return UInt8(CC_REFRESH)
        }
        let prefix = LineEditor.commonPrefix(candidates)
        if prefix.unicodeScalars.count > typed.unicodeScalars.count, prefix.hasPrefix(typed) {
            replace(typedCount: cursor - start, with: prefix)
            return UInt8(CC_REFRESH)
        }
        fputs("\n" + LineEditor.columns(candidates, width: TerminalSize.columns(of: 1) ?? 80), stdoutFile)
        fflush(stdoutFile)
        return UInt8(CC_REDISPLAY)
    }

    private func replace(typedCount: Int, with text: String) {
        if typedCount > 0 { el_deletestr(editLine, Int32(typedCount)) }
        var wide = text.unicodeScalars.map { wchar_t(bitPattern: $0.value) }
        wide.append(0)
        _ = el_winsertstr(editLine, wide)
    }

    static func commonPrefix(_ words: [String]) -> String {
        guard var prefix = words.first.map({ Array($0.unicodeScalars) }) else { return "" }
        for word in words.dropFirst() {
            let other = Array(word.unicodeScalars)
            var n = 0
            while n < prefix.count, n < other.count, prefix[n] == other[n] { n += 1 }
            prefix = Array(prefix[0..<n])
        }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: prefix)
        return String(view)
    }

    /// Candidates laid out in columns across the terminal, each line ending in a newline.
    static func columns(_ words: [String], width: Int) -> String {
        let cell = (words.map(\.count).max() ?? 0) + 2
        let perLine = max(1, width / max(cell, 1))
        let rows = (words.count + perLine - 1) / perLine
        var out = ""
        for row in 0..<rows {
            var line = ""
            for column in 0..<perLine {
                let index = column * rows + row
                guard index < words.count else { continue }
                line += words[index].padding(toLength: cell, withPad: " ", startingAt: 0)
            }
            out += line.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n"
        }
        return out
    }
}
