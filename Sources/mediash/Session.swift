import Foundation
import LineEditor
import MediaAPI
import MediaShell
import MediaStore

/// One run of mediash: the backend, the shell's settings and hooks, then the REPL, `-c`, a
/// script file, or a program on standard input.
enum Session {
    static func run(_ command: MediashCommand) async -> Int32 {
        let environment = ProcessInfo.processInfo.environment
        let paths = Paths(environment: environment)
        let interrupts = Interrupts()
        signal(SIGPIPE, SIG_IGN)

        let choice: BackendChoice
        let profile: [String: String]
        do {
            (choice, profile) = try command.backendFlags.resolveWithProfile(environment: environment, paths: paths) { standardError.write("mediash: \($0)\n") }
        } catch {
            standardError.write("mediash: \(error)\n")
            return 2
        }
        // Before any request, once per run.
        if let warning = choice.plainHTTPWarning { standardError.write("mediash: \(warning)\n") }

        let backend: Backend
        do {
            backend = try await Backend.open(choice, quiet: command.quiet)
        } catch let error as UsageError {
            standardError.write("mediash: \(TerminalText.escaped("\(error)", keepingLines: true))\n")
            return 2
        } catch {
            // May carry a server's words (a token or store error): shown, never acted on.
            standardError.write("mediash: \(TerminalText.escaped("\(error)", keepingLines: true))\n")
            return 1
        }
        let status = await drive(command, backend: backend, paths: paths, interrupts: interrupts, environment: environment, profile: profile)
        await backend.close()
        return status
    }

    private static func drive(_ command: MediashCommand, backend: Backend, paths: Paths, interrupts: Interrupts,
                              environment: [String: String], profile: [String: String]) async -> Int32 {
        let stdinIsTerminal = isatty(0) == 1
        let stderrIsTerminal = isatty(2) == 1
        let interactive = command.program == nil && command.script == nil && stdinIsTerminal
        let progress = stderrIsTerminal && !command.quiet ? ProgressBar(width: { TerminalSize.columns(of: 2) ?? 80 }) : nil
        let history = HistoryEntries()

        var settings = ShellEnvironment()
        settings.output = command.output.flatMap { OutputFormat(rawValue: $0.rawValue) }
        settings.terminalWidth = TerminalSize.columns(of: 1)
        settings.assumeYes = command.yes
        settings.dryRun = command.dryRun
        settings.concurrency = command.concurrency ?? 8
        settings.arguments = command.scriptArguments
        settings.timeZone = ShellEnvironment.zone(fromTZ: environment["TZ"])
        // The guard rails: a flag, else the profile's key; `set` in a program may change a profile's
        // limit but not a flag's.
        settings.maxDelete = command.maxDelete ?? profile["max_delete"].flatMap { Int($0) }
        settings.maxUpdate = command.maxUpdate ?? profile["max_update"].flatMap { Int($0) }
        // `backup = "~/mediash-backups"`: every delete keeps what it deletes there first.
        settings.backupFolder = profile["backup"].map { NSString(string: $0).expandingTildeInPath }
        if !interactive {
            // In a script or runbook, what the command line says wins over its `set` lines.
            settings.pinned = command.pinnedSettings
        }
        // A question needs someone to answer it: a terminal on both ends, and standard input
        // not already being the program.
        if stdinIsTerminal, stderrIsTerminal {
            settings.confirm = { request in await TerminalQuestion.ask(request.question) }
        }
        settings.progress = progress
        settings.journal = JournalFile(url: paths.journal)
        settings.history = { history.all }

        // `open -` reads standard input when the program came from -c or a file; a program read
        // from stdin, or the REPL's line editor, has it already.
        if command.program != nil || command.script != nil { settings.standardInput = 0 }
        let shell = Shell(service: backend.service, environment: settings)
        let runner = Runner(shell: shell, interrupts: interrupts, progress: progress)
        /// The one notice about --yes: only where the program deletes and nothing limits it
        /// (no --max-delete, no profile key, no `set max-delete N` of its own).
        func noticeUnlimitedDeletes(_ texts: [SourceText]) {
            guard command.yes, !command.dryRun, settings.maxDelete == nil else { return }
            let facts = shell.deletionFacts(texts)
            if facts.deletes, !facts.setsMaxDelete {
                standardError.write("mediash: notice: --yes with no --max-delete: nothing limits how many items a delete removes\n")
            }
        }

        if let program = command.program {
            if command.explain { return RunbookSession.explain([SourceText(name: "-c", text: program)], shell: shell) }
            noticeUnlimitedDeletes([SourceText(name: "-c", text: program)])
            return await runner.run(program, sourceName: "-c").processStatus
        }
        if let script = command.script {
            guard let source = ScriptFile.read(script) else { return 2 }
            if Runbook.isRunbook(script) {
                if let runbook = try? Runbook(name: script, text: source) { noticeUnlimitedDeletes(runbook.blocks.map(\.source)) }
                return await RunbookSession(command: command, shell: shell, interrupts: interrupts, progress: progress,
                                            showBlocks: stderrIsTerminal && !command.quiet,
                                            canAsk: stdinIsTerminal && stderrIsTerminal).run(source, path: script)
            }
            if command.explain { return RunbookSession.explain([SourceText(name: script, text: source)], shell: shell) }
            noticeUnlimitedDeletes([SourceText(name: script, text: source)])
            return await runner.run(source, sourceName: script).processStatus
        }
        if !interactive {
            let source = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            noticeUnlimitedDeletes([SourceText(name: "stdin", text: source)])
            return await runner.run(source, sourceName: "stdin").processStatus
        }
        let banner = command.quiet ? nil : backend.banner
        // Run with the user's credentials at every start: refused (as ssh refuses its config)
        // when someone else could have written it.
        let rc: String?
        do {
            rc = try PrivateFiles.trustedText(of: paths.rc)
        } catch {
            standardError.write("mediash: error: \(TerminalText.escaped(error.description))\n")
            return 1
        }
        if let rc {
            _ = await runner.run(rc, sourceName: paths.rc.path)
        }
        return await REPL(shell: shell, runner: runner, interrupts: interrupts, history: history,
                          historyFile: HistoryFile(url: paths.history)).run(banner: banner)
    }
}

/// Runs programs so that Ctrl-C cancels them, and says where a script stopped.
struct Runner {
    let shell: Shell
    let interrupts: Interrupts
    let progress: ProgressBar?

    func run(_ source: String, sourceName: String) async -> RunOutcome {
        let shell = self.shell
        let outcome = await interrupts.cancellable {
            await shell.run(source, sourceName: sourceName, out: StandardSink.output, err: StandardSink.error)
        }
        // The shell has already said what failed and on which line.
        progress?.finish()
        standardOutput.flush()
        standardError.flush()
        return outcome
    }
}

/// The shell's text sinks over standard output and error.
struct StandardSink: TextSink {
    let stream: StandardStream
    func write(_ text: String) { stream.write(text) }

    static let output = StandardSink(stream: standardOutput)
    static let error = StandardSink(stream: standardError)
}

/// A script file's text, its `#!` line blanked (line numbers stay right).
enum ScriptFile {
    static func read(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file"
            standardError.write("mediash: \(path): \(reason)\n")
            return nil
        }
        var text = String(decoding: data, as: UTF8.self)
        if text.hasPrefix("#!") {
            let end = text.firstIndex(of: "\n") ?? text.endIndex
            text.replaceSubrange(text.startIndex..<end, with: "")
        }
        return text
    }
}

extension RunOutcome {
    /// What mediash exits with after this run: the program's own `exit N`, else its status.
    var processStatus: Int32 { exitCode ?? status.rawValue }
}
