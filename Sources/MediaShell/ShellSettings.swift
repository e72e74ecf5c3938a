/// One shell setting: its name, the values it takes and what it changes. `set`, completion,
/// `help set` and the command line all read the table below; nothing else knows a setting.
public struct ShellSetting: Sendable {
    /// The values a setting takes.
    public enum Kind: Sendable, Hashable {
        case choice([String])
        case bool
        /// A whole number in this range.
        case int(ClosedRange<Int>)
        /// A count of items (0 or more), or `none` for no limit.
        case limit
        /// A folder (text), or `none`.
        case folder
    }

    public let name: String
    /// Other names that mean the same setting (`dryrun`).
    public let aliases: [String]
    public let kind: Kind
    public let help: String
    /// Puts a value (already checked by `validate`) into the environment.
    let apply: @Sendable (inout ShellEnvironment, Value) -> Void
    /// The setting's value in an environment, as `set` would take it.
    let current: @Sendable (ShellEnvironment) -> Value

    /// The values in words: `true|false`, `table|json|jsonl|csv`, `1…256`.
    public var usage: String {
        switch kind {
        case .choice(let words): words.joined(separator: "|")
        case .bool: "true|false"
        case .int(let range): "\(range.lowerBound)…\(range.upperBound)"
        case .limit: "N|none"
        case .folder: "\"DIR\"|none"
        }
    }

    /// The words completion offers for the value.
    public var completions: [String] {
        switch kind {
        case .choice(let words): words
        case .bool: ["true", "false"]
        case .int: []
        case .limit, .folder: ["none"]
        }
    }

    /// The value as the setting takes it, or an error that says what it takes.
    public func validate(_ value: Value) throws -> Value {
        switch (kind, value) {
        case (.choice(let words), .string(let s)) where words.contains(s): return value
        case (.bool, .bool): return value
        case (.int(let range), .int(let n)) where n >= Int64(range.lowerBound) && n <= Int64(range.upperBound): return value
        case (.limit, .int(let n)) where n >= 0 && n < Int64(Int32.max): return value
        case (.limit, .string("none")), (.folder, .string("none")): return value
        case (.folder, .string(let s)) where !s.isEmpty && !s.contains("\0"): return value
        default:
            let given = if case .string(let s) = value { "'\(s)'" } else { "\(value.kind.phrase) \(value.humanText)" }
            throw RunError("\(name) takes \(usage), not \(given)")
        }
    }

    /// Checks and applies a value.
    public func apply(_ value: Value, to environment: inout ShellEnvironment) throws {
        apply(&environment, try validate(value))
    }
}

public enum ShellSettings {
    public static let output = ShellSetting(
        name: "output", aliases: [], kind: .choice(OutputFormat.allCases.map(\.rawValue)),
        help: "how results print when the pipeline does not end in an output verb",
        apply: { env, v in if case .string(let s) = v { env.output = OutputFormat(rawValue: s) } },
        current: { .string(($0.output ?? .table).rawValue) })

    /// The one range of concurrency: `set`, `--concurrency` and each action's `concurrency N`.
    public static let concurrencyRange: ClosedRange<Int> = 1...256

    /// Requests in flight at once in actions; also `--concurrency` on the command line and on each action.
    public static let concurrency = ShellSetting(
        name: "concurrency", aliases: [], kind: .int(concurrencyRange),
        help: "requests in flight at once in actions",
        apply: { env, v in if case .int(let n) = v { env.concurrency = Int(n) } },
        current: { .int(Int64($0.concurrency)) })

    public static let dryRun = ShellSetting(
        name: "dry-run", aliases: ["dryrun"], kind: .bool,
        help: "every action only reports what it would do",
        apply: { env, v in if case .bool(let b) = v { env.dryRun = b } },
        current: { .bool($0.dryRun) })

    public static let yes = ShellSetting(
        name: "yes", aliases: [], kind: .bool,
        help: "actions do not ask for confirmation",
        apply: { env, v in if case .bool(let b) = v { env.assumeYes = b } },
        current: { .bool($0.assumeYes) })

    public static let width = ShellSetting(
        name: "width", aliases: [], kind: .int(0...100_000),
        help: "the table's width in columns (0: no limit)",
        apply: { env, v in if case .int(let n) = v { env.terminalWidth = n > 0 ? Int(n) : nil } },
        current: { .int(Int64($0.terminalWidth ?? 0)) })

    /// The most items one `delete` may touch; also `--max-delete` and a profile's `max_delete`.
    public static let maxDelete = ShellSetting(
        name: "max-delete", aliases: [], kind: .limit,
        help: "a delete of more items than this deletes none and fails",
        apply: { env, v in env.maxDelete = ShellSettings.limit(v) },
        current: { $0.maxDelete.map { .int(Int64($0)) } ?? .string("none") })

    /// The most items one `update` may change; also `--max-update` and a profile's `max_update`.
    public static let maxUpdate = ShellSetting(
        name: "max-update", aliases: [], kind: .limit,
        help: "an update that would change more items than this changes none and fails",
        apply: { env, v in env.maxUpdate = ShellSettings.limit(v) },
        current: { $0.maxUpdate.map { .int(Int64($0)) } ?? .string("none") })

    /// Where every `delete` first keeps each item's content and information; also a profile's `backup`.
    public static let backup = ShellSetting(
        name: "backup", aliases: [], kind: .folder,
        help: "every delete first saves each item's content and information in this folder (undo restores from it)",
        apply: { env, v in if case .string(let s) = v { env.backupFolder = s == "none" ? nil : s } },
        current: { $0.backupFolder.map(Value.string) ?? .string("none") })

    public static let all: [ShellSetting] = [output, concurrency, dryRun, yes, width, maxDelete, maxUpdate, backup]

    /// A limit's value: a count, or nil for `none`.
    static func limit(_ value: Value) -> Int? {
        if case .int(let n) = value { return Int(clamping: n) }
        return nil
    }

    /// Every name a setting answers to, aliases included.
    public static var names: [String] { all.flatMap { [$0.name] + $0.aliases } }

    public static func named(_ name: String) -> ShellSetting? {
        all.first { $0.name == name || $0.aliases.contains(name) }
    }

    /// `unknown setting 'dryrn' — did you mean 'dry-run'? (settings: …)`.
    static func unknown(_ name: String) -> String {
        let names = all.map(\.name)
        return "unknown setting '\(name)'" + (Suggestion.closest(to: name, in: ShellSettings.names).map { " — did you mean '\($0)'?" } ?? "")
            + " (settings: \(names.joined(separator: ", ")))"
    }

    /// One line a setting: `  output        table|json|jsonl|csv  how results print …`.
    static var table: String {
        all.map { s in
            "  \(s.name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(s.usage.padding(toLength: 20, withPad: " ", startingAt: 0)) \(s.help)"
                + (s.aliases.isEmpty ? "" : " (also: \(s.aliases.joined(separator: ", ")))")
        }.joined(separator: "\n")
    }
}
