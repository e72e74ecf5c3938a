import Foundation
@testable import MediaAPI
import Testing

/// `MediaTime.write` works the calendar out by arithmetic; the C library's `gmtime_r` is the
/// reference it must equal, at every kind of day boundary across the years 0001–9999, for times
/// made of whole milliseconds as the stores make them.
@Suite("MediaTime writing")
struct MediaTimeWritingTests {
    /// The text `gmtime_r` gives for `ms` milliseconds since 1970, clamped to the format's range.
    static func reference(ms: Int64) -> String {
        let ms = min(max(ms, Int64(MediaTime.earliest.timeIntervalSince1970 * 1000)), 253_402_300_799_999)
        let whole = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000)
        var t = time_t(whole)
        var parts = tm()
        gmtime_r(&t, &parts)
        func digits(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return digits(parts.tm_year + 1900, 4) + "-" + digits(parts.tm_mon + 1, 2) + "-" + digits(parts.tm_mday, 2) + "T"
            + digits(parts.tm_hour, 2) + ":" + digits(parts.tm_min, 2) + ":" + digits(parts.tm_sec, 2) + "."
            + digits(Int32(ms - whole * 1000), 3) + "Z"
    }

    /// A time of whole milliseconds as stores make one: `Double(ms) / 1000` seconds.
    static func date(ms: Int64) -> Date {
        MediaTime.date(milliseconds: ms)
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
            let ms = Int64((seconds * 1000).rounded())
            #expect(MediaTime.format(Self.date(ms: ms)) == Self.reference(ms: ms), "\(seconds)")
        }
    }

    @Test("a hundred thousand instants spread over the whole range are gmtime's")
    func spread() {
        var random = SplitMix64(seed: 20_261_201)
        let low = MediaTime.earliest.timeIntervalSince1970, high = MediaTime.latest.timeIntervalSince1970
        for _ in 0..<100_000 {
            let ms = Int64(low * 1000) + Int64(random.next() % UInt64((high - low) * 1000))
            #expect(MediaTime.format(Self.date(ms: ms)) == Self.reference(ms: ms), "\(ms)")
        }
    }

    /// Near 1970 a time of whole milliseconds comes back from its Date a hair below them about half
    /// the time (1.001 s × 1000 = 1000.99…): floored, it was written a millisecond early, so an item
    /// stored at …00.001 read …00.000. A store's milliseconds must come back as they were.
    @Test("every millisecond within 100 s of 1970, and of now, is written as the store's milliseconds")
    func storesMillisecondsComeBack() {
        for base in [Int64(0), 1_764_547_200_000] {
            for ms in base - 100_000...base + 100_000 {
                let date = Self.date(ms: ms)
                guard MediaTime.milliseconds(date) == ms else {
                    Issue.record("\(ms) ms came back as \(MediaTime.milliseconds(date))")
                    return
                }
            }
        }
        #expect(MediaTime.format(Self.date(ms: 1_001)) == "1970-01-01T00:00:01.001Z")
        #expect(MediaTime.format(Self.date(ms: -1)) == "1969-12-31T23:59:59.999Z")
    }

    @Test("a time between two milliseconds is floored, never rounded into the next second")
    func between() {
        #expect(MediaTime.format(Date(timeIntervalSince1970: 1.9996)) == "1970-01-01T00:00:01.999Z")
        #expect(MediaTime.format(Date(timeIntervalSince1970: 59.9999)) == "1970-01-01T00:00:59.999Z")
        #expect(MediaTime.format(Date(timeIntervalSince1970: -0.0004)) == "1969-12-31T23:59:59.999Z")
        #expect(MediaTime.milliseconds(Date(timeIntervalSince1970: 1_764_547_200.0125)) == 1_764_547_200_012)
    }
}
