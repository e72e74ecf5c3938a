/// Units of size and duration literals; case-insensitive.
enum Units {
    /// Bytes per unit: KB/MB/GB/TB powers of 1000, KiB/MiB/GiB/TiB powers of 1024.
    static let sizes: [String: Double] = [
        "b": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12, "pb": 1e15,
        "kib": 1024, "mib": 1_048_576, "gib": 1_073_741_824, "tib": 1_099_511_627_776,
    ]
    /// Seconds per unit.
    static let durations: [String: Double] = [
        "ms": 0.001, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "d": 86_400, "w": 604_800,
    ]
    static let spelled = ["B", "KB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB", "ms", "s", "m", "h", "d", "w"]

    /// What to write instead of a month or year: they have no fixed length, so they are no unit
    /// (and `1mo` is no typo of `1MB`). Nil for any other unit.
    static func calendarHint(_ unit: String) -> String? {
        switch unit.lowercased() {
        case "mo", "mon", "mos", "mth", "mths", "month", "months":
            "months have no fixed length, so there is no month unit: write days (30d) or a date (since 2026-11-01)"
        case "y", "yr", "yrs", "year", "years":
            "years have no fixed length, so there is no year unit: write days (365d) or a date (since 2026-01-01)"
        default: nil
        }
    }
}
