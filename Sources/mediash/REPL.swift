import Foundation
import LineEditor
import MediaShell

/// The interactive loop: read a statement (continuing while it is unfinished), record it in
/// the history as one entry, run it so that Ctrl-C cancels it, and prompt again.
struct REPL {
    let shell: Shell
    let runner: Runner
    let interrupts: Interrupts
    let history: HistoryEntries
    let historyFile: HistoryFile

    static let prompt = "mediash> "
    static let continuationPrompt = "     ...> "

    func run(banner: String?) async -> Int32 {
        guard let editor = LineEditor(programName: "mediash", historyFile: historyFile) else {
            standardError.write("mediash: cannot start line editing on this terminal\n")
            return 1
        }
        let shell = self.shell
        editor.completer = { line, cursor in Completion.propose(shell: shell, line: line, cursor: cursor) }
        history.replace(with: editor.entries)
        if let banner { standardError.write(banner + "\n") }

        var statement = ""
        while true {
            let line: String?
            do {
                let prompt = statement.isEmpty ? REPL.prompt : REPL.continuationPrompt
                line = try interrupts.reading(with: editor.interrupter) { try editor.readLine(prompt: prompt) }
            } catch {
                statement = ""
                continue
            }
            guard let line else {
                standardOutput.write("\n")
                return 0
            }
            statement = statement.isEmpty ? line : statement + "\n" + line
            if shell.isIncomplete(statement) { continue }
            let entry = statement
            statement = ""
            guard !entry.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { continue }
            editor.addHistory(entry)
            history.replace(with: editor.entries)
            let outcome = await runner.run(entry, sourceName: "<repl>")
            if let code = outcome.exitCode { return code }
        }
    }
}
