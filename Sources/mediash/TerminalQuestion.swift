import Foundation

/// A yes/no question at the terminal, for confirmations before destructive actions.
enum TerminalQuestion {
    /// Writes `question [y/N] ` to standard error and reads the answer from standard input.
    /// Anything but y/yes, the end of input, or Ctrl-C (the Task is cancelled) is no.
    static func ask(_ question: String) async -> Bool {
        guard let text = await answer(question + " [y/N] ") else { return false }
        return text == "y" || text == "yes"
    }

    /// Writes `prompt` to standard error and reads one line from standard input, trimmed and
    /// lowercased; nil at the end of input or on Ctrl-C.
    static func answer(_ prompt: String) async -> String? {
        standardError.write(prompt)
        var answer: [UInt8] = []
        while !Task.isCancelled {
            var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 1, 0)
            if ready == 0 {
                // Wait without holding one of the few cooperative threads.
                try? await Task.sleep(for: .milliseconds(30))
                continue
            }
            if ready < 0, errno == EINTR { continue }
            var byte: UInt8 = 0
            guard ready > 0, read(0, &byte, 1) == 1 else { break }
            if byte == UInt8(ascii: "\n") {
                return String(decoding: answer, as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased()
            }
            answer.append(byte)
        }
        standardError.write("\n")
        return nil
    }
}
