import Foundation
import MediaAPI

/// HTTP's date format (IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`) for Last-Modified and If-Modified-Since.
enum HTTPDate {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The earliest and latest times IMF-fixdate writes with four-digit years (0001-01-01, 9999-12-31 23:59:59).
    static let earliest: TimeInterval = -62_135_596_800
    static let latest: TimeInterval = 253_402_300_799

    /// Total: a time outside years 1 to 9999 (or not a number at all) is written as the nearest of those
    /// bounds, so no value a client can put in a token or a header makes the conversion to `time_t` trap.
    static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let clamped = seconds.isNaN ? earliest : min(max(seconds.rounded(.down), earliest), latest)
        var t = time_t(clamped)
        var parts = tm()
        guard gmtime_r(&t, &parts) != nil, days.indices.contains(Int(parts.tm_wday)), months.indices.contains(Int(parts.tm_mon))
        else { return "Thu, 01 Jan 1970 00:00:00 GMT" }
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let year = String(parts.tm_year + 1900)
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(String(repeating: "0", count: max(0, 4 - year.count)) + year) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }

    /// Nil for anything but an IMF-fixdate (RFC 9110 says to ignore an If-Modified-Since it cannot read).
    static func parse(_ text: String) -> Date? {
        let fields = text.split(separator: " ")
        guard fields.count == 6, fields[5] == "GMT", let day = Int(fields[1]),
              let month = months.firstIndex(of: String(fields[2])), let year = Int(fields[3])
        else { return nil }
        let clock = fields[4].split(separator: ":")
        guard clock.count == 3, let h = Int(clock[0]), let m = Int(clock[1]), let s = Int(clock[2]) else { return nil }
        let iso = String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", year, month + 1, day, h, m, s)
        return MediaTime.parse(iso)
    }
}
