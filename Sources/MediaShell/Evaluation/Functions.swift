import Foundation

/// One function expressions may call (`lower(name)`, `date(created)`): its usage, help and
/// example (shown by `help functions`, run by the test suite), the kinds it takes, checked
/// before anything runs, and what it does. A null argument gives null, except to `coalesce`.
public struct ExpressionFunction: Sendable {
    public let name: String
    /// `round(NUMBER [, PLACES])`.
    public let usage: String
    public let help: String
    public let example: VerbExample
    /// How many arguments it takes.
    let arity: ClosedRange<Int>
    /// The kinds each argument may be; the last entry covers every argument after it.
    let takes: [[ValueKind]]
    /// The result's kind, from the arguments' kinds.
    let result: @Sendable ([ValueKind]) -> ValueKind
    let apply: @Sendable ([Value], FunctionContext) throws -> Value

    /// The kinds argument `i` may be.
    func kinds(at i: Int) -> [ValueKind] { takes.isEmpty ? [] : takes[min(i, takes.count - 1)] }
}

/// What a function may read besides its arguments: the zone dates are taken in.
public struct FunctionContext: Sendable {
    public var timeZone: TimeZone

    var calendar: Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = timeZone
        c.firstWeekday = 2
        c.minimumDaysInFirstWeek = 4
        return c
    }
}

public enum ExpressionFunctions {
    static let text: [ValueKind] = [.string]
    static let time: [ValueKind] = [.datetime]

    /// Every function, in the order `help functions` lists them.
    public static let all: [ExpressionFunction] = [
        textFunction("lower", "the text in lower case", VerbExample("list | where lower(name) like \"*.wav\" | count", "WAV files, however the name is cased")) { $0.lowercased() },
        textFunction("upper", "the text in upper case", VerbExample("list | first 2 | select name, kind = upper(mime)", "MIME types shouted")) { $0.uppercased() },
        ExpressionFunction(name: "len", usage: "len(TEXT|LIST)", help: "how many characters in a text, or elements in a list",
                           example: VerbExample("list | where len(name) > 9 | count", "items with long names"),
                           arity: 1...1, takes: [[.string, .list]], result: { _ in .int }) { args, _ in
            switch args[0] {
            case .string(let s): return .int(Int64(s.count))
            case .list(let l): return .int(Int64(l.count))
            default: return .null
            }
        },
        textTest("contains", "PART", "true when the text contains PART (case matters; lower() both sides to ignore it)",
                 VerbExample("list | where contains(name, \"1\") | count", "names with a 1 in them")) { $0.contains($1) },
        textTest("starts_with", "PREFIX", "true when the text begins with PREFIX",
                 VerbExample("list | where starts_with(mime, \"audio/\") | count", "audio of any kind")) { $0.hasPrefix($1) },
        textTest("ends_with", "SUFFIX", "true when the text ends with SUFFIX",
                 VerbExample("list | where ends_with(name, \".mp3\") | count", "MP3 files by name")) { $0.hasSuffix($1) },
        ExpressionFunction(name: "round", usage: "round(NUMBER [, PLACES])",
                           help: "rounded to PLACES decimals (0…15; without PLACES, a whole number); a duration rounds to whole seconds",
                           example: VerbExample("list | first 2 | select name, mb = round(size / 1MB, 2)", "sizes in megabytes, two decimals"),
                           arity: 1...2, takes: [[.int, .float, .duration], [.int]],
                           result: { kinds in
                               switch kinds[0] {
                               case .float: kinds.count == 2 ? .float : .int
                               case .any: .any
                               default: kinds[0]
                               }
                           }) { args, _ in
            var places: Int?
            if args.count == 2 {
                guard case .int(let p) = args[1] else { return .null }
                guard (0...15).contains(p) else { throw OperationError(message: "round: PLACES must be 0…15, not \(p)") }
                places = Int(p)
            }
            func rounded(_ x: Double) -> Double {
                guard let places else { return x.rounded() }
                let scale = pow(10, Double(places))
                return (x * scale).rounded() / scale
            }
            switch args[0] {
            case .int: return args[0]
            case .float(let f):
                guard places == nil else { return .float(rounded(f)) }
                guard f.isFinite, abs(f) < 9.2e18 else { throw OperationError(message: "round: number too large") }
                return .int(Int64(f.rounded()))
            case .duration(let d): return .duration(places == nil ? d.rounded() : rounded(d))
            default: return .null
            }
        },
        ExpressionFunction(name: "coalesce", usage: "coalesce(A, B, …)", help: "the first of its arguments that is not null",
                           example: VerbExample("list | first 2 | select name, label = coalesce(title, name)", "the title, or the file name when there is none"),
                           arity: 2...64, takes: [[]], result: { kinds in kinds.first { $0 != .null && $0 != .any } ?? (kinds.contains(.any) ? .any : .null) }) { args, _ in
            args.first { !$0.isNull } ?? .null
        },
        timeFunction("date", "the day, as text YYYY-MM-DD in the shell's zone (sorts in time order)",
                     VerbExample("list | group by date(created) | first 3", "items per day"), kind: .string) { d, c in
            let p = c.calendar.dateComponents([.year, .month, .day], from: d)
            return .string(String(format: "%04d-%02d-%02d", p.year ?? 0, p.month ?? 0, p.day ?? 0))
        },
        timeFunction("week", "the ISO week, as text YYYY-Www (Monday first)",
                     VerbExample("list | group by week(created) | first 2", "items per week"), kind: .string) { d, c in
            let p = c.calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: d)
            return .string(String(format: "%04d-W%02d", p.yearForWeekOfYear ?? 0, p.weekOfYear ?? 0))
        },
        timeFunction("year", "the year, a number", VerbExample("list | where year(created) == 2026 | count", "items of this year"), kind: .int) { d, c in
            .int(Int64(c.calendar.component(.year, from: d)))
        },
        timeFunction("month", "the month, 1…12", VerbExample("list | where month(created) == 11 | count", "items created in November"), kind: .int) { d, c in
            .int(Int64(c.calendar.component(.month, from: d)))
        },
        timeFunction("day", "the day of the month, 1…31", VerbExample("list | where day(created) <= 7 | count", "items from the first week of a month"), kind: .int) { d, c in
            .int(Int64(c.calendar.component(.day, from: d)))
        },
        timeFunction("weekday", "the day of the week: Mon Tue Wed Thu Fri Sat Sun",
                     VerbExample("list | where weekday(created) in [\"Sat\", \"Sun\"] | count", "items created on weekends"), kind: .string) { d, c in
            let names = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
            return .string(names[(c.calendar.component(.weekday, from: d) - 1 + 7) % 7])
        },
        timeFunction("hour", "the hour, 0…23", VerbExample("list | where hour(created) < 6 | count", "items created before six in the morning"), kind: .int) { d, c in
            .int(Int64(c.calendar.component(.hour, from: d)))
        },
    ]

    public static var names: [String] { all.map(\.name) }

    public static func named(_ name: String) -> ExpressionFunction? { all.first { $0.name == name } }

    private static func textFunction(_ name: String, _ help: String, _ example: VerbExample, _ body: @escaping @Sendable (String) -> String) -> ExpressionFunction {
        ExpressionFunction(name: name, usage: "\(name)(TEXT)", help: help, example: example, arity: 1...1, takes: [text], result: { _ in .string }) { args, _ in
            if case .string(let s) = args[0] { return .string(body(s)) }
            return try nullOrRefused(name, args[0], wanted: .string)
        }
    }

    /// A null argument gives null; any other kind than the function takes is an error, never a
    /// quiet null (`lower(time)` on a file's records, whose kinds are known only when read).
    private static func nullOrRefused(_ name: String, _ v: Value, wanted: ValueKind) throws -> Value {
        if v.isNull { return .null }
        throw RunError("'\(name)' takes \(wanted.phrase), but this is \(v.kind.phrase)")
    }

    private static func textTest(_ name: String, _ second: String, _ help: String, _ example: VerbExample, _ body: @escaping @Sendable (String, String) -> Bool) -> ExpressionFunction {
        ExpressionFunction(name: name, usage: "\(name)(TEXT, \(second))", help: help, example: example, arity: 2...2, takes: [text, text], result: { _ in .bool }) { args, _ in
            guard case .string(let s) = args[0], case .string(let p) = args[1] else {
                for a in args where !a.isNull { if case .string = a {} else { return try nullOrRefused(name, a, wanted: .string) } }
                return .null
            }
            return .bool(body(s, p))
        }
    }

    private static func timeFunction(_ name: String, _ help: String, _ example: VerbExample, kind: ValueKind, _ body: @escaping @Sendable (Date, FunctionContext) -> Value) -> ExpressionFunction {
        ExpressionFunction(name: name, usage: "\(name)(TIME)", help: help, example: example, arity: 1...1, takes: [time], result: { _ in kind }) { args, context in
            if case .datetime(let d) = args[0] { return body(d, context) }
            return try nullOrRefused(name, args[0], wanted: .datetime)
        }
    }
}
