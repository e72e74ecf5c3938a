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
        var bytes = [UInt8]()
        bytes.reserveCapacity(24)
        write(date, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `format(date)`'s 24 ASCII bytes to `bytes` (media-server writes its answers so).
    package static func write(_ date: Date, to bytes: inout [UInt8]) {
        let raw = date.timeIntervalSince1970
        let clamped = raw.isNaN ? earliest.timeIntervalSince1970
            : min(max(raw, earliest.timeIntervalSince1970), latest.timeIntervalSince1970)
        // Floor to whole milliseconds so a formatted time never rounds into the next second.
        let totalMs = (clamped * 1000).rounded(.down)
        let seconds = Int64((totalMs / 1000).rounded(.down))
        let ms = Int(totalMs - Double(seconds) * 1000)
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        // Written digit by digit: String(format:) costs more than the rest of encoding an item.
        func put(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var v = max(0, value)
            if v >= divisor * 10 { v %= divisor * 10 }
            while divisor > 0 {
                bytes.append(UInt8(48 + v / divisor))
                v %= divisor
                divisor /= 10
            }
        }
        put(Int(parts.tm_year) + 1900, 4)
        bytes.append(UInt8(ascii: "-"))
        put(Int(parts.tm_mon) + 1, 2)
        bytes.append(UInt8(ascii: "-"))
        put(Int(parts.tm_mday), 2)
        bytes.append(UInt8(ascii: "T"))
        put(Int(parts.tm_hour), 2)
        bytes.append(UInt8(ascii: ":"))
        put(Int(parts.tm_min), 2)
        bytes.append(UInt8(ascii: ":"))
        put(Int(parts.tm_sec), 2)
        bytes.append(UInt8(ascii: "."))
        put(ms, 3)
        bytes.append(UInt8(ascii: "Z"))
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
