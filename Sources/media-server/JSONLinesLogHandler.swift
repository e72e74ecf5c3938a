import Foundation
import Logging
import MediaAPI
import MediaServer

/// A swift-log handler that writes one JSON object a line to stderr: `time` (UTC, with
/// milliseconds, as the API writes times), `level`, `label`, `message`, then the metadata's
/// keys; all keys in byte order. Each line is one write, so lines of concurrent requests never
/// interleave. Writing never fails a request: a line stderr does not take is dropped.
struct JSONLinesLogHandler: LogHandler {
    let label: String
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [(key: String, value: String)] = [
            ("time", Self.now()), ("level", event.level.rawValue), ("label", label), ("message", event.message.description),
        ]
        fields.reserveCapacity(fields.count + metadata.count + (event.metadata?.count ?? 0))
        for (key, value) in metadata { fields.append((key, value.description)) }
        for (key, value) in event.metadata ?? [:] { fields.append((key, value.description)) }
        // Keys in byte order; of a key given twice the last wins (the event's metadata over the
        // handler's, either over the four above). A stable sort keeps that order among equals.
        // (JSONSerialization's sorted keys compared them through ICU collation: a third of the
        // server's time in a bulk delete; a dictionary and Foundation's date formatting were
        // 70k instructions a request, an eighth of a delete.)
        let sorted = fields.enumerated().sorted { a, b in
            a.element.key != b.element.key ? Self.precedes(a.element.key, b.element.key) : a.offset < b.offset
        }
        var json = JSONOutput(capacity: 512)
        json.object { json in
            for (index, field) in sorted.enumerated() {
                if index + 1 < sorted.count, sorted[index + 1].element.key == field.element.key { continue }
                json.member(named: field.element.key, field.element.value)
            }
        }
        var line = Array(json.written)
        line.append(0x0A)
        Self.write(line)
    }

    /// `a` before `b` in the order of their UTF-8 bytes (memcmp, not a byte at a time through a view).
    private static func precedes(_ a: String, _ b: String) -> Bool {
        var (a, b) = (a, b)
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let common = min(x.count, y.count)
                let order = common == 0 ? 0 : x.baseAddress.flatMap { p in y.baseAddress.map { q in memcmp(p, q, common) } } ?? 0
                return order != 0 ? order < 0 : x.count < y.count
            }
        }
    }

    /// The time now as the API writes times (`2026-12-01T11:09:42.866Z`).
    private static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return MediaTime.format(milliseconds: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }

    /// One line to stderr, whole: retried on an interrupt and after a partial write; dropped
    /// when stderr refuses it (closed, a pipe nobody reads), for a log line must never fail a request.
    private static func write(_ line: [UInt8]) {
        line.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            var offset = 0
            while offset < bytes.count {
                let n = Foundation.write(2, base + offset, bytes.count - offset)
                if n < 0, errno == EINTR { continue }
                if n <= 0 { return }
                offset += n
            }
        }
    }
}
