import Foundation
@testable import MediaAPI
import Testing

/// `MediaTime.write` works the calendar out by arithmetic; the C library's `gmtime_r` is the
/// reference it must equal, at every kind of day boundary across the years 0001–9999.
@Suite("MediaTime writing")
struct MediaTimeWritingTests {
    /// The text `gmtime_r` gives for `date` (whole milliseconds, floored), as the writer did before.
    /// From the date's own `timeIntervalSince1970`: a Date keeps its time from 2001, so -0.001 comes
    /// back a little below, and is written as …59.998.
    static func reference(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let clamped = min(max(seconds, MediaTime.earliest.timeIntervalSince1970), MediaTime.latest.timeIntervalSince1970)
        let totalMs = (clamped * 1000).rounded(.down)
        let whole = (totalMs / 1000).rounded(.down)
        var t = time_t(whole)
        var parts = tm()
        gmtime_r(&t, &parts)
        func digits(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return digits(parts.tm_year + 1900, 4) + "-" + digits(parts.tm_mon + 1, 2) + "-" + digits(parts.tm_mday, 2) + "T"
            + digits(parts.tm_hour, 2) + ":" + digits(parts.tm_min, 2) + ":" + digits(parts.tm_sec, 2) + "."
            + digits(Int32(totalMs - whole * 1000), 3) + "Z"
    }

    @Test("every day boundary of leap and century years, and the ends of the range, is gmtime's")
    func calendarBoundaries() {
        var instants: [Double] = [0, -0.001, 0.001, -1, 86_399.999, 86_400, -86_400, -86_400.001, MediaTime.earliest.timeIntervalSince1970,
                                  MediaTime.latest.timeIntervalSince1970, MediaTime.latest.timeIntervalSince1970 - 0.001]
        // 1 January and 1 March (either side of a leap day), and 31 December, of years around each rule:
        // every 4, not every 100, every 400.
        for year in [1, 2, 3, 4, 99, 100, 101, 399, 400, 401, 1599, 1600, 1700, 1800, 1899, 1900, 1969, 1970, 1971, 1972,
                     1999, 2000, 2001, 2024, 2100, 2400, 4000, 9998, 9999] {
            for (month, day) in [(1, 1), (2, 28), (2, 29), (3, 1), (12, 31)] {
                // timegm counts proleptic Gregorian days (Foundation's calendar turns Julian before 1582).
                var parts = tm()
                parts.tm_year = Int32(year - 1900)
                parts.tm_mon = Int32(month - 1)
                parts.tm_mday = Int32(day)
                let t = Double(timegm(&parts))
                instants += [t, t - 0.001, t + 86_399.999]
            }
        }
        for seconds in instants {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(MediaTime.format(date) == Self.reference(date), "\(seconds)")
        }
    }

    @Test("a hundred thousand instants spread over the whole range are gmtime's")
    func spread() {
        var random = SplitMix64(seed: 20_261_201)
        let low = MediaTime.earliest.timeIntervalSince1970, high = MediaTime.latest.timeIntervalSince1970
        for _ in 0..<100_000 {
            // Whole milliseconds, so the floor cannot differ by a rounding of the Double.
            let ms = Int64(low * 1000) + Int64(random.next() % UInt64((high - low) * 1000))
            let seconds = Double(ms) / 1000
            let date = Date(timeIntervalSince1970: seconds)
            #expect(MediaTime.format(date) == Self.reference(date), "\(seconds)")
        }
    }
}
