import Foundation

/// Where mediash keeps its files, after the XDG base directory rules.
struct Paths {
    var environment: [String: String]

    /// The embedded store when no `--store` is given.
    var defaultStore: URL { base("XDG_DATA_HOME", ".local/share").appendingPathComponent("mediash") }
    var history: URL { base("XDG_STATE_HOME", ".local/state").appendingPathComponent("mediash/history") }
    var journal: URL { base("XDG_STATE_HOME", ".local/state").appendingPathComponent("mediash/journal.jsonl") }
    var config: URL { base("XDG_CONFIG_HOME", ".config").appendingPathComponent("mediash/config.toml") }
    /// Run at the start of an interactive session (defs, source lines, settings), when it exists.
    var rc: URL { base("XDG_CONFIG_HOME", ".config").appendingPathComponent("mediash/rc.msh") }

    private var home: URL {
        URL(fileURLWithPath: environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory())
    }

    /// The variable when it holds an absolute path (the spec says to ignore relative ones),
    /// else the default under the home directory.
    private func base(_ variable: String, _ fallback: String) -> URL {
        if let value = environment[variable], value.hasPrefix("/") { return URL(fileURLWithPath: value) }
        return home.appendingPathComponent(fallback)
    }
}
