import Foundation
import Testing
@testable import MediaShell

/// Issue 32 point 10: reading a runbook is linear in its length. A 40,000-line fence took 8 times
/// as long as a 10,000-line one (each line copied the block read so far); now about 4 times.
@Suite struct RunbookScaleTests {
    static func runbook(lines: Int) -> String {
        "# Long\n\n```mediash\n" + String(repeating: "list | where size > 1MB | count\n", count: lines) + "```\n"
    }

    /// The best of five readings, in seconds (the best is the least disturbed by a loaded machine).
    static func seconds(_ text: String) throws -> Double {
        var best = Double.infinity
        for _ in 0..<5 {
            let start = ContinuousClock.now
            let book = try Runbook(name: "long.md", text: text)
            let elapsed = ContinuousClock.now - start
            #expect(book.blocks.count == 1)
            best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        return best
    }

    @Test func aFourTimesLongerFenceTakesAboutFourTimesAsLong() throws {
        let short = Self.runbook(lines: 10_000), long = Self.runbook(lines: 40_000)
        let book = try Runbook(name: "long.md", text: long)
        #expect(book.blocks.first?.source.bytes.filter { $0 == 10 }.count == 39_999)
        let a = try Self.seconds(short), b = try Self.seconds(long)
        // Linear is 4 (4.3 measured alone); quadratic is 16. 10 leaves room for a machine busy with other tests.
        #expect(b / a < 10, "10,000 lines: \(a) s, 40,000 lines: \(b) s, ratio \(b / a)")
        print("runbook reading: 10,000 lines \(a) s, 40,000 lines \(b) s, ratio \(b / a)")
    }
}
