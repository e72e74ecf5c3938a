import ArgumentParser
import Foundation
import MediaAPI
import MediaShell

/// mediash's command line: declared once, so `--help`, errors and completion scripts follow it.
struct MediashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mediash",
        abstract: "A pipeline shell for the Media API (list | where size > 1MB | delete)",
        // Every line below fits 80 columns after ArgumentParser's indentation, so it never rewraps them.
        usage: """
            mediash [OPTIONS]                 the REPL (or the program on stdin)
            mediash [OPTIONS] -c PROGRAM      run PROGRAM and exit
            mediash [OPTIONS] FILE [ARG ...]  run a script ($1, $2, … and $args)
            mediash [OPTIONS] RUNBOOK.md [ARG ...]
                                              run a runbook's ```mediash blocks
            mediash --demo                    the REPL on sample recordings
            """,
        discussion: """
            BACKEND
              The local embedded store by default ($XDG_DATA_HOME/mediash, or
              ~/.local/share/mediash). --endpoint URL talks to the Media API (or a
              media-server) with an API key and secret, or an application id and
              private key, from the flags, a --profile in
              $XDG_CONFIG_HOME/mediash/config.toml, or the environment:
              MEDIASH_ENDPOINT, VONAGE_API_KEY, VONAGE_API_SECRET,
              VONAGE_APPLICATION_ID, VONAGE_PRIVATE_KEY_PATH.

            FILES
              $XDG_STATE_HOME/mediash/history
                  REPL history (~/.local/state/mediash/history)
              $XDG_STATE_HOME/mediash/journal.jsonl
                  one line per item of every action (delete, update, download)

            EXIT STATUS
              0    success
              1    a runtime failure, including any item that failed in an action
              2    a usage, syntax or check error (nothing was run)
              130  interrupted (Ctrl-C)
            """,
        version: MediashCommand.version)

    /// "mediash 0.2.0 (commit …)": the number lives in MediaAPI/Version.swift, shared with media-server.
    static let version = MediashVersion.line(program: "mediash")

    @Option(name: .customShort("c"), help: ArgumentHelp("Run PROGRAM and exit.", valueName: "PROGRAM"))
    var program: String?

    @Flag(help: "Use a throwaway store filled with about 50 sample recordings.")
    var demo = false

    @Option(help: ArgumentHelp("The embedded store's directory.", valueName: "DIR"))
    var store: String?

    @Option(help: ArgumentHelp("A Media API endpoint, e.g. https://api.nexmo.com/v3/media or a media-server.", valueName: "URL"))
    var endpoint: String?

    @Option(name: .customLong("api-key"), help: "The account's API key.")
    var apiKey: String?

    @Option(name: .customLong("api-secret"), help: "The account's API secret.")
    var apiSecret: String?

    @Option(name: .customLong("application-id"), help: "A Vonage application id (requests carry a JWT).")
    var applicationID: String?

    @Option(name: .customLong("private-key"), help: ArgumentHelp("The application's private key (PEM).", valueName: "FILE"))
    var privateKey: String?

    @Option(help: ArgumentHelp("A [profile.NAME] of $XDG_CONFIG_HOME/mediash/config.toml.", valueName: "NAME"))
    var profile: String?

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Output format: table, json, jsonl, csv (control characters escaped, formulas disarmed) or csv-exact (every byte as it is).", valueName: "FORMAT"))
    var output: OutputChoice?

    @Flag(help: "Never ask for confirmation (scripts and runbooks).")
    var yes = false

    @Flag(name: .customLong("dry-run"), help: "Actions only report what they would do.")
    var dryRun = false

    @Option(name: .customLong("max-delete"), help: ArgumentHelp("A delete of more than N items deletes none and fails (also: set max-delete N, a profile's max_delete).", valueName: "N"))
    var maxDelete: Int?

    @Option(name: .customLong("max-update"), help: ArgumentHelp("An update that would change more than N items changes none and fails.", valueName: "N"))
    var maxUpdate: Int?

    @Option(help: ArgumentHelp("Items an action works on at once (\(ShellSettings.concurrency.usage), default 8).", valueName: "N"))
    var concurrency: Int?

    @Option(help: ArgumentHelp("Run only this named block of the runbook (```mediash name=NAME).", valueName: "NAME"))
    var only: String?

    @Option(help: ArgumentHelp("Start the runbook at this named block (earlier blocks run only their let, def and set).", valueName: "NAME"))
    var from: String?

    @Flag(help: "Ask before each block of the runbook: y(es), n(o: skip), q(uit). Needs a terminal.")
    var step = false

    @Flag(help: "Show the plan of each statement of the -c program, script or runbook, and run nothing.")
    var explain = false

    @Flag(name: [.customShort("q"), .long], help: "No progress bars and no banner.")
    var quiet = false

    @ArgumentParser.Argument(help: ArgumentHelp("A script file to run, then its arguments.", valueName: "FILE"))
    var script: String?

    @ArgumentParser.Argument(parsing: .captureForPassthrough, help: ArgumentHelp("The script's arguments.", valueName: "ARG"))
    var scriptArguments: [String] = []

    func validate() throws {
        if let concurrency {
            // The range is the `concurrency` setting's, the same one `set` and `--concurrency` on an action check.
            do { _ = try ShellSettings.concurrency.validate(.int(Int64(concurrency))) } catch {
                throw ValidationError("--concurrency: \(error)")
            }
        }
        for (flag, value) in [("--max-delete", maxDelete), ("--max-update", maxUpdate)] {
            if let value, value < 0 { throw ValidationError("\(flag) takes a number of items, 0 or more, not \(value)") }
        }
        if program != nil, script != nil {
            throw ValidationError("give either -c PROGRAM or a script FILE, not both")
        }
        if program == nil, script == nil, !scriptArguments.isEmpty {
            throw ValidationError("arguments are for a script file: mediash FILE ARG…")
        }
        let isRunbook = script.map(Runbook.isRunbook) ?? false
        for (flag, given) in [("--only", only != nil), ("--from", from != nil), ("--step", step)] where given && !isRunbook {
            throw ValidationError("\(flag) is for a runbook: mediash \(flag) … FILE.md")
        }
        if explain, script == nil, program == nil {
            throw ValidationError("--explain is for a program, script or runbook: mediash --explain -c PROGRAM, mediash --explain FILE (or explain PIPELINE in the shell)")
        }
        if only != nil, from != nil { throw ValidationError("give either --only NAME or --from NAME, not both") }
        if isRunbook, let script {
            // After FILE everything is the runbook's arguments: a mediash option there would be
            // silently ignored (a --dry-run that is not one), so it is refused.
            let options = ["--dry-run", "--yes", "--only", "--from", "--step", "--explain", "--max-delete", "--max-update", "--quiet", "--output"]
            if let misplaced = scriptArguments.first(where: { a in options.contains { a == $0 || a.hasPrefix($0 + "=") } }) {
                throw ValidationError("\(misplaced) after \(script) would be the runbook's argument: put mediash's options before the file (mediash \(misplaced) … \(script))")
            }
        }
    }

    /// The settings this command line gives, by their `set` names.
    var pinnedSettings: Set<String> {
        var names: Set<String> = []
        if output != nil { names.insert(ShellSettings.output.name) }
        if concurrency != nil { names.insert(ShellSettings.concurrency.name) }
        if dryRun { names.insert(ShellSettings.dryRun.name) }
        if yes { names.insert(ShellSettings.yes.name) }
        if maxDelete != nil { names.insert(ShellSettings.maxDelete.name) }
        if maxUpdate != nil { names.insert(ShellSettings.maxUpdate.name) }
        return names
    }

    var backendFlags: BackendFlags {
        BackendFlags(store: store, demo: demo, endpoint: endpoint, apiKey: apiKey, apiSecret: apiSecret,
                     applicationID: applicationID, privateKey: privateKey, profile: profile)
    }
}

/// The `-o` formats.
enum OutputChoice: String, ExpressibleByArgument, CaseIterable {
    case table, json, jsonl, csv
    case csvExact = "csv-exact"
}
