import Foundation
import MediaShell

/// `mediash RUNBOOK.md`: reads the Markdown, then runs (or explains) its blocks, showing each
/// one on a terminal and asking first under `--step`.
struct RunbookSession {
    let command: MediashCommand
    let shell: Shell
    let interrupts: Interrupts
    let progress: ProgressBar?
    /// Standard error is a terminal someone watches: each block's heading and source go there first.
    let showBlocks: Bool
    /// Someone can answer `--step`'s question.
    let canAsk: Bool

    func run(_ text: String, path: String) async -> Int32 {
        let runbook: Runbook
        do {
            runbook = try Runbook(name: path, text: text)
        } catch {
            standardError.write("\(TerminalText.escaped(error.description, keepingLines: true))\n")
            return 2
        }
        if command.explain {
            return Self.explain(runbook.blocks.map(\.source), shell: shell, titles: runbook.blocks.map { "line \($0.line): \($0.title)" })
        }
        if command.step, !canAsk {
            standardError.write("mediash: --step asks before each block at a terminal, and there is none here (standard input and error must be terminals)\n")
            return 2
        }
        let selection: RunbookRun.Selection = command.only.map { .only($0) } ?? command.from.map { .from($0) } ?? .all
        let show = showBlocks || command.step
        var plan = RunbookRun(selection: selection)
        if command.step { plan.step = { @Sendable _ in await RunbookSession.ask() } }
        if show { plan.willRun = { @Sendable block in RunbookSession.show(block) } }
        let run = plan, shell = self.shell
        let progress = self.progress
        let (outcome, _) = await interrupts.cancellable {
            await run.run(runbook, in: shell, out: StandardSink.output, err: StandardSink.error)
        }
        progress?.finish()
        standardOutput.flush()
        standardError.flush()
        return outcome.processStatus
    }

    /// `── ## Remove large files (line 12) ──` and the block's lines, on standard error.
    static func show(_ block: Runbook.Block) {
        standardOutput.flush()
        var text = "\n── \(TerminalText.escaped(block.title)) (line \(block.line))\n"
        for line in String(decoding: block.source.bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            text += "   \(TerminalText.escaped(String(line)))\n"
        }
        standardError.write(text)
        standardError.flush()
    }

    static func ask() async -> RunbookRun.StepAnswer {
        while true {
            guard let answer = await TerminalQuestion.answer("run this block? [y]es, [n]o (skip), [q]uit ") else { return .quit }
            switch answer {
            case "y", "yes": return .run
            case "n", "no": return .skip
            case "q", "quit": return .quit
            default: standardError.write("answer y, n or q\n")
            }
        }
    }

    /// Each program's plan, under its title; runs nothing. Exit 2 when one does not check.
    static func explain(_ sources: [SourceText], shell: Shell, titles: [String]? = nil) -> Int32 {
        do {
            let plans = try shell.explain(sources)
            for (i, plan) in plans.enumerated() {
                if let titles { standardOutput.write("\(i == 0 ? "" : "\n")== \(TerminalText.escaped(titles[i]))\n") }
                standardOutput.write(plan)
            }
            return 0
        } catch {
            let text = (error as? ShellError)?.description ?? "mediash: \(error)\n"
            standardError.write(TerminalText.escaped(text, keepingLines: true))
            return 2
        }
    }
}
