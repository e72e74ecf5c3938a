import Foundation
import MediaAPI

extension Value {
    /// How a person reads it: `1.2 MB`, `3d 4h`, `2026-11-01 14:00:00`.
    public var humanText: String {
        switch self {
        case .null: return ""
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let f): return Value.formatFloat(f)
        case .string(let s): return s
        case .size(let s): return Value.humanSize(s)
        case .duration(let d): return Value.humanDuration(d)
        case .datetime(let d): return Value.humanDate(d)
        case .list(let l): return "[" + l.map(\.humanText).joined(separator: ", ") + "]"
        case .record(let r): return "{" + zip(r.names, r.values).map { "\($0): \($1.humanText)" }.joined(separator: ", ") + "}"
        }
    }

    /// For machines (CSV cells): exact integers, ISO 8601 times, durations in seconds.
    public var exactText: String {
        switch self {
        case .null: return ""
        case .size(let s): return String(s)
        case .duration(let d): return Value.formatFloat(d)
        case .datetime(let d): return MediaTime.format(d)
        case .list, .record:
            return String(decoding: JSONRenderer.encode(self), as: UTF8.self)
        default: return humanText
        }
    }

    /// How the value reads in the language itself, for `explain` (`1MB`, `"text"`, `2026-11-01T00:00:00.000Z`).
    public var sourceText: String {
        switch self {
        case .string(let s): return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case .size(let s):
            for (unit, n) in [("TiB", Int64(1) << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("TB", 1_000_000_000_000), ("GB", 1_000_000_000), ("MB", 1_000_000), ("KB", 1000)]
            where s != 0 && s % n == 0 && (unit.hasSuffix("iB") ? s % 1000 != 0 : true) {
                return "\(s / n)\(unit)"
            }
            return "\(s)B"
        case .duration(let d):
            for (unit, n) in [("w", 604_800.0), ("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] where d != 0 && (d / n).rounded() == d / n {
                return "\(Int64(d / n))\(unit)"
            }
            return "\(Int64((d * 1000).rounded()))ms"
        case .datetime(let d): return MediaTime.format(d)
        case .null: return "null"
        case .list(let l): return "[" + l.map(\.sourceText).joined(separator: ", ") + "]"
        default: return humanText
        }
    }

    static func formatFloat(_ f: Double) -> String {
        if f.isFinite, f == f.rounded(), abs(f) < 1e15 { return String(Int64(f)) + ".0" }
        return String(f)
    }

    /// Decimal units, one decimal: `1.2 MB`; bytes below 1 kB.
    static func humanSize(_ bytes: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB", "PB"]
        var value = Double(bytes)
        var unit = 0
        while abs(value) >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        if unit == 0 { return "\(bytes) B" }
        return String(format: "%.1f %@", value, units[unit])
    }

    static func humanDuration(_ seconds: Double) -> String {
        if abs(seconds) < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        var rest = Int64(seconds.rounded())
        let sign = rest < 0 ? "-" : ""
        rest = abs(rest)
        var parts: [String] = []
        for (unit, length) in [("d", Int64(86_400)), ("h", 3600), ("m", 60), ("s", 1)] where rest >= length || (unit == "s" && parts.isEmpty) {
            parts.append("\(rest / length)\(unit)")
            rest %= length
            if parts.count == 2 { break }
        }
        return sign + parts.joined(separator: " ")
    }

    /// `2026-11-01 15:00:00` in a zone (the table's); UTC is `humanDate(_:)`.
    static func humanDate(_ date: Date, in zone: TimeZone) -> String {
        guard zone.secondsFromGMT(for: date) != 0 || zone.identifier != ShellEnvironment.utc.identifier else { return humanDate(date) }
        let c = FunctionContext(timeZone: zone).calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    static func humanDate(_ date: Date) -> String {
        let iso = MediaTime.format(date)
        // 2026-11-01T14:00:00.000Z → 2026-11-01 14:00:00
        return String(iso.prefix(10)) + " " + String(iso.dropFirst(11).prefix(8))
    }
}
