import Foundation

/// What a verb is for; `help` groups verbs by it.
public enum VerbCategory: String, Sendable, CaseIterable {
    case source, filter, aggregate, action, output, shell
    /// A verb made with `def`.
    case user

    /// The heading `help` gives the group.
    public var heading: String { self == .user ? "your verbs" : "\(rawValue)s" }
}

/// How an argument is written, so the parser knows how far it reaches.
public enum ParameterShape: Sendable, Hashable {
    /// A whole predicate: `size > 1MB and mime =~ "wav"`.
    case predicate
    /// An arithmetic expression of one of these kinds: `7d`, `now - 3d`, `10`.
    case value([ValueKind])
    /// A string: quoted, `$var`, `(expr)`, or a bare word. Its meaning says what completes there.
    case text(TextMeaning)
    /// A literal or expression when it looks like one, else a bare word as a string.
    case any
    /// Field names: `size name` or `size, name`.
    case fields
    /// `FIELD [asc|desc] [, FIELD …]`; each key may be an expression.
    case sortKeys
    /// `FIELD`, `NAME = EXPR`, `EXPR`, separated by spaces or commas (`select`, `group by … with …`).
    case columns
    /// `FIELD=VALUE …`.
    case assignments
    /// The rest of the statement as a pipeline (`explain`).
    case pipeline
    /// One of these words (a bare word: `dry-run` is one).
    case choice([String])
    /// The name of a shell setting (`output`, `dry-run`), from the settings table.
    case setting
    /// A value for the setting named by the argument before it.
    case settingValue
    /// A keyword or switch that takes no value.
    case flag
}

/// What a text argument names, so completion knows what to offer there.
public enum TextMeaning: Sendable, Hashable {
    /// Any text (a title): nothing to complete.
    case words
    /// A file or folder path.
    case path
    /// A media item's id.
    case mediaID
    /// A verb or a help topic.
    case topic
}

/// One parameter of a verb: positional, keyword (`since T`) or switch (`--dry-run`).
public struct Parameter: Sendable, Hashable {
    public enum Style: Sendable, Hashable { case positional, keyword, switchFlag }

    public var name: String
    public var style: Style
    public var shape: ParameterShape
    public var isRequired: Bool
    public var repeats: Bool
    /// The placeholder in the usage line (`T`, `FIELD`, `PATH`).
    public var placeholder: String
    public var help: String

    public static func positional(_ name: String, _ shape: ParameterShape, _ placeholder: String, required: Bool = true, repeats: Bool = false, help: String) -> Parameter {
        Parameter(name: name, style: .positional, shape: shape, isRequired: required, repeats: repeats, placeholder: placeholder, help: help)
    }

    public static func keyword(_ name: String, _ shape: ParameterShape, _ placeholder: String, required: Bool = false, help: String) -> Parameter {
        Parameter(name: name, style: .keyword, shape: shape, isRequired: required, repeats: false, placeholder: placeholder, help: help)
    }

    public static func switchFlag(_ name: String, help: String) -> Parameter {
        Parameter(name: name, style: .switchFlag, shape: .flag, isRequired: false, repeats: false, placeholder: "", help: help)
    }

    /// How the parameter is headed in `help VERB` and the reference: `--dry-run`, `since T`, `ID…`.
    public var heading: String {
        switch style {
        case .switchFlag: "--\(name)"
        case .keyword: shape == .flag ? name : "\(name) \(placeholder)"
        case .positional: placeholder + (repeats ? "…" : "")
        }
    }

    /// How the parameter reads in a usage line: `[since T]`, `FIELD…`, `[--dry-run]`.
    public var usage: String {
        let body: String
        switch style {
        case .switchFlag: body = "--\(name)"
        case .keyword: body = shape == .flag ? name : "\(name) \(placeholder)"
        case .positional: body = placeholder + (repeats ? "…" : "")
        }
        return isRequired ? body : "[\(body)]"
    }
}

/// A worked example of a verb; the test suite runs every one.
public struct VerbExample: Sendable, Hashable {
    public var source: String
    public var description: String

    public init(_ source: String, _ description: String) {
        self.source = source
        self.description = description
    }
}

/// What a verb emits, for checking the stages after it.
public enum OutputShape: Sendable, Hashable {
    /// Whatever came in.
    case same
    /// Media item records.
    case media
    /// Action result rows: id, name, size, status, error.
    case results
    /// One value of this kind.
    case scalar(ValueKind)
    /// The input, rendered in this format: the verb ends the pipeline (`json`, `csv`).
    case rendered(OutputFormat)
    /// Records whose fields are not known before running.
    case unknownRecords
    /// Nothing (output written elsewhere, or a shell command).
    case nothing
}

/// A verb's whole declaration: help, completion, parsing and checking all read it.
public struct VerbSignature: Sendable, Hashable {
    public var name: String
    public var category: VerbCategory
    public var summary: String
    public var parameters: [Parameter]
    public var output: OutputShape
    public var examples: [VerbExample]

    public init(_ name: String, _ category: VerbCategory, summary: String, parameters: [Parameter] = [], output: OutputShape, examples: [VerbExample] = [], isListed: Bool = true) {
        self.isListed = isListed
        self.name = name
        self.category = category
        self.summary = summary
        self.parameters = parameters
        self.output = output
        self.examples = examples
    }

    /// `sort by FIELDS [--dry-run]`.
    public var usage: String {
        ([name] + parameters.map(\.usage)).joined(separator: " ")
    }

    public func parameter(_ name: String) -> Parameter? { parameters.first { $0.name == name } }
    public var keywords: [Parameter] { parameters.filter { $0.style == .keyword } }
    public var switches: [Parameter] { parameters.filter { $0.style == .switchFlag } }
    public var positionals: [Parameter] { parameters.filter { $0.style == .positional } }
    /// False for the verb a value stage runs (`$items | …`): it has no name to type.
    public var isListed: Bool

    /// How the verb is named in a message: `'list'`, or `a value`.
    public var phrase: String { isListed ? "'\(name)'" : "a value" }

    /// Switches every action takes.
    public static let actionParameters: [Parameter] = [
        .switchFlag("dry-run", help: "show what would happen, change nothing"),
        .switchFlag("yes", help: "do not ask for confirmation"),
        .keyword("concurrency", .value([.int]), "N", help: "requests in flight at once (\(ShellSettings.concurrency.usage), default 8)"),
    ]
}
