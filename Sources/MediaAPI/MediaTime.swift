import Foundation

/// The Media API's timestamps: ISO 8601 in UTC, written with milliseconds (`2020-01-01T14:00:00.000Z`).
public enum MediaTime {
    /// The first instant the format can write: `0001-01-01T00:00:00.000Z`.
    public static let earliest = Date(timeIntervalSince1970: -62_135_596_800)
    /// The last instant the format can write: `9999-12-31T23:59:59.999Z`.
    public static let latest = Date(timeIntervalSince1970: 253_402_300_799.999)

    /// True for a time the API can carry: years 0001 to 9999 (four digits), not NaN. Decoding
    /// refuses any other time a server sends (`time_created: 1e300`).
    public static func isRepresentable(_ date: Date) -> Bool {
        let t = date.timeIntervalSince1970
        return t >= earliest.timeIntervalSince1970 && t <= latest.timeIntervalSince1970
    }

    /// Formats a date as the API writes it: `2020-01-01T14:00:00.000Z`. Never traps: a time
    /// outside years 0001–9999 (±1e300, ±infinity) is written as the nearest end of that
    /// range, and NaN as the earliest.
    public static func format(_ date: Date) -> String {
        format(milliseconds: milliseconds(date))
    }

    /// Formats the time `milliseconds` after 1970 as `format(_:)` does, clamped to years 0001–9999.
    public static func format(milliseconds: Int64) -> String {
        var text: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &text) { out in
            guard let base = out.bindMemory(to: UInt8.self).baseAddress else { return "" }
            write(milliseconds: milliseconds, into: base)
            return String(decoding: UnsafeBufferPointer(start: base, count: length), as: UTF8.self)
        }
    }

    private static let earliestMilliseconds: Int64 = -62_135_596_800_000
    private static let latestMilliseconds: Int64 = 253_402_300_799_999

    /// The length of every time `format` writes, in bytes (all ASCII).
    package static let length = 24

    /// The whole milliseconds since 1970 `format` writes for `date`: floored, so a formatted time
    /// never rounds into the next second, after clamping as `format` does. A time made from whole
    /// milliseconds as stores make theirs (`Double(ms) / 1000` seconds) gives those milliseconds
    /// back, though the product with 1000 can lie a hair below them (1.001 s × 1000 = 1000.99…,
    /// and a Date made of -0.001 s gives back a little less): such a time was written one
    /// millisecond early before (`…59.998` for -0.001 s, in the list and info of one item alike).
    public static func milliseconds(_ date: Date) -> Int64 {
        let raw = date.timeIntervalSince1970
        let clamped = raw.isNaN ? earliest.timeIntervalSince1970
            : min(max(raw, earliest.timeIntervalSince1970), latest.timeIntervalSince1970)
        // Within the clamp, milliseconds are at most ±2.6e14: exact in a Double and an Int64.
        let floored = Int64((clamped * 1000).rounded(.down))
        // Made as a store makes it: a Date keeps its time from 2001, so it may not give back the exact quotient either.
        let next = Double(floored + 1) / 1000
        return next == clamped || Date(timeIntervalSince1970: next).timeIntervalSince1970 == clamped ? floored + 1 : floored
    }

    /// The time `milliseconds` after 1970, made as every store makes one (`Double(ms) / 1000`
    /// seconds): the Date `milliseconds(_:)` gives those milliseconds back for.
    public static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// Writes `format(date)`'s 24 ASCII bytes at `out` (media-server writes its answers so). By
    /// arithmetic, straight into place: gmtime_r and a byte-by-byte append were a tenth of the
    /// instructions of a list page of 20 in media-server.
    package static func write(_ date: Date, into out: UnsafeMutablePointer<UInt8>) {
        write(milliseconds: milliseconds(date), into: out)
    }

    /// Writes the time `milliseconds` after 1970 as `write(_:into:)` does, clamped to years 0001–9999.
    package static func write(milliseconds: Int64, into out: UnsafeMutablePointer<UInt8>) {
        let totalMs = min(max(milliseconds, earliestMilliseconds), latestMilliseconds)
        let (seconds, ms) = floorDivision(totalMs, 1000)
        let (days, secondOfDay) = floorDivision(seconds, 86_400)
        let (year, month, day) = civilDate(daysSince1970: days)
        @inline(__always) func digit(_ value: Int64) -> UInt8 { UInt8(truncatingIfNeeded: 48 + value) }
        @inline(__always) func two(_ value: Int64, at i: Int) {
            out[i] = digit(value / 10)
            out[i + 1] = digit(value % 10)
        }
        // The clamp keeps the year within 1 ... 9999: four digits.
        two(year / 100, at: 0)
        two(year % 100, at: 2)
        out[4] = UInt8(ascii: "-")
        two(month, at: 5)
        out[7] = UInt8(ascii: "-")
        two(day, at: 8)
        out[10] = UInt8(ascii: "T")
        two(secondOfDay / 3600, at: 11)
        out[13] = UInt8(ascii: ":")
        two(secondOfDay / 60 % 60, at: 14)
        out[16] = UInt8(ascii: ":")
        two(secondOfDay % 60, at: 17)
        out[19] = UInt8(ascii: ".")
        out[20] = digit(ms / 100)
        two(ms % 100, at: 21)
        out[23] = UInt8(ascii: "Z")
    }

    /// `value` divided by `divisor` (> 0), rounded towards minus infinity, and the remainder (0 ..< divisor).
    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let remainder = (value % divisor + divisor) % divisor
        return ((value - remainder) / divisor, remainder)
    }

    /// The proleptic Gregorian date of a day counted from 1970-01-01 (day 0), as gmtime does it,
    /// by arithmetic on 400-year eras (Howard Hinnant's `civil_from_days`).
    private static func civilDate(daysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468  // days since 0000-03-01
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097  // 0 ... 146096
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365  // 0 ... 399
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)  // 0 ... 365, from March 1
        let shiftedMonth = (5 * dayOfYear + 2) / 153  // 0 ... 11, March = 0
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Parses an ISO 8601 time: `2020-01-01T14:00:00Z`, with optional fractional
    /// seconds, a `Z` or `±hh:mm`/`±hhmm` offset (no offset means UTC), a space
    /// instead of `T`, or a bare date `2020-01-01` (midnight UTC). Nil when it is not one.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= bytes.count else { return nil }
            var v = 0
            for k in 0..<n {
                let b = bytes[i + k]
                guard b >= 48, b <= 57 else { return nil }
                v = v * 10 + Int(b - 48)
            }
            i += n
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < bytes.count, bytes[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(UInt8(ascii: "-")), let month = digits(2),
              expect(UInt8(ascii: "-")), let day = digits(2) else { return nil }
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day) else { return nil }
        var hour = 0, minute = 0, second = 0
        var fraction = 0.0
        var offset = 0
        if i < bytes.count {
            guard expect(UInt8(ascii: "T")) || expect(UInt8(ascii: "t")) || expect(UInt8(ascii: " ")) else { return nil }
            guard let h = digits(2), expect(UInt8(ascii: ":")), let m = digits(2) else { return nil }
            hour = h
            minute = m
            if expect(UInt8(ascii: ":")) {
                guard let s = digits(2) else { return nil }
                second = s
                if expect(UInt8(ascii: ".")) || expect(UInt8(ascii: ",")) {
                    var scale = 0.1
                    var any = false
                    while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
                        fraction += Double(bytes[i] - 48) * scale
                        scale /= 10
                        i += 1
                        any = true
                    }
                    guard any else { return nil }
                }
            }
            guard hour < 24, minute < 60, second < 61 else { return nil }
            if expect(UInt8(ascii: "Z")) || expect(UInt8(ascii: "z")) {
                // UTC
            } else if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                let sign = bytes[i] == UInt8(ascii: "-") ? -1 : 1
                i += 1
                guard let oh = digits(2) else { return nil }
                _ = expect(UInt8(ascii: ":"))
                let om = digits(2) ?? 0
                guard oh < 24, om < 60 else { return nil }
                offset = sign * (oh * 3600 + om * 60)
            }
        }
        guard i == bytes.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Double(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
        return Date(timeIntervalSince1970: seconds + fraction)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
