import Foundation
import Synchronization

/// Standard output or error as a sink for the shell's text. Output to a terminal is written
/// at once, so rows appear as they stream; output to a pipe or file is buffered in blocks.
/// A reader that goes away (`mediash … | head`) ends the writing quietly.
final class StandardStream: Sendable {
    private struct State {
        var buffer: [UInt8] = []
        var closed = false
    }

    let fd: Int32
    let isTerminal: Bool
    private let state = Mutex(State())

    init(fd: Int32) {
        self.fd = fd
        isTerminal = isatty(fd) == 1
    }

    func write(_ text: String) {
        state.withLock { state in
            guard !state.closed else { return }
            state.buffer.append(contentsOf: text.utf8)
            if isTerminal || state.buffer.count >= 64 * 1024 { flushLocked(&state) }
        }
    }

    func flush() {
        state.withLock { flushLocked(&$0) }
    }

    private func flushLocked(_ state: inout State) {
        var offset = 0
        while offset < state.buffer.count {
            let n = state.buffer.withUnsafeBytes { bytes -> Int in
                guard let base = bytes.baseAddress else { return 0 }
                return Foundation.write(fd, base + offset, bytes.count - offset)
            }
            if n < 0, errno == EINTR { continue }
            if n <= 0 {
                state.closed = true
                break
            }
            offset += n
        }
        state.buffer.removeAll(keepingCapacity: true)
    }
}

let standardOutput = StandardStream(fd: 1)
let standardError = StandardStream(fd: 2)
