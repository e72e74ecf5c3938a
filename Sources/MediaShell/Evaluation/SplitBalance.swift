import Foundation

/// Where a reader splits a window between its own thread and the helper that parses the rest.
/// The reader's thread also reads the input and hands values over, so its fair share of the
/// parsing is less than half, by how much depends on the machine and the input: the split moves
/// after each window towards the side that finished first, so both finish together. Where the
/// window is split changes only who parses what, never the values (each reader checks that its
/// helper began at a value's start).
struct SplitBalance {
    /// The reader's share of the window, in 1/64ths.
    private(set) var share = 26

    /// The byte the reader's part ends near: its share of `from..<to`.
    func middle(from: Int, to: Int) -> Int { from + (to - from) * share / 64 }

    /// Joins the helper, and moves the split by one step towards whichever side was done first.
    mutating func join(_ done: DispatchSemaphore) {
        if done.wait(timeout: .now()) == .success {
            share = max(8, share - 1)
        } else {
            done.wait()
            share = min(48, share + 1)
        }
    }
}
