import Foundation

/// Runs a runbook's blocks in order in one shell (`let` and `def` carry from block to block).
/// Every block is checked before the first runs; the first block that fails stops the run; at
/// the end a summary names each block with what it did.
public struct RunbookRun: Sendable {
    /// Which blocks run. Blocks before the first that runs still run their `let`, `def` and `set`
    /// statements, with any action in them only reporting, so later blocks find what they name;
    /// their other statements are skipped.
    public enum Selection: Sendable, Hashable {
        case all
        /// `--from NAME`: that block and every one after it.
        case from(String)
        /// `--only NAME`: that block alone.
        case only(String)
    }

    /// `--step`'s answer for one block.
    public enum StepAnswer: Sendable {
        case run, skip, quit
    }

    /// What became of one block.
    public struct BlockReport: Sendable, Hashable {
        public enum Status: String, Sendable {
            case ran, skipped, failed
            /// After a failure (or `q`): not reached.
            case notRun = "not run"
        }

        public var line: Int
        public var title: String
        public var status: Status
        /// Items acted on, by outcome (`deleted` 3, `failed` 1), in order of first appearance.
        public var outcomes: [ActionTotals.Count]
        public var duration: Duration
    }

    public var selection: Selection = .all
    /// Asked before each block that would run; nil = run them all.
    public var step: (@Sendable (Runbook.Block) async -> StepAnswer)?
    /// Told each block before it runs, and before `step` asks (a host shows its heading and source on a terminal).
    public var willRun: (@Sendable (Runbook.Block) -> Void)?

    public init(selection: Selection = .all, step: (@Sendable (Runbook.Block) async -> StepAnswer)? = nil,
                willRun: (@Sendable (Runbook.Block) -> Void)? = nil) {
        self.selection = selection
        self.step = step
        self.willRun = willRun
    }

    /// Runs the runbook; diagnostics, summary lines and the summary table go to `err`.
    public func run(_ runbook: Runbook, in shell: Shell, out: any TextSink, err: any TextSink) async -> (RunOutcome, [BlockReport]) {
        let range: ClosedRange<Int>
        do {
            switch selection {
            case .all: range = 0...max(0, runbook.blocks.count - 1)
            case .from(let name): range = try runbook.index(of: name, for: "--from")...max(0, runbook.blocks.count - 1)
            case .only(let name):
                let i = try runbook.index(of: name, for: "--only")
                range = i...i
            }
        } catch {
            err.write("mediash: \(error)\n")
            return (RunOutcome(status: .usage), [])
        }
        if runbook.blocks.isEmpty {
            err.write("\(runbook.name): no ```\(Runbook.language) blocks: nothing to run\n")
            return (RunOutcome(status: .success), [])
        }
        // Every block is checked, in order, before anything runs.
        let problems = shell.check(runbook.blocks.map(\.source))
        if problems.contains(where: { $0 != nil }) {
            var count = 0
            for (block, problem) in zip(runbook.blocks, problems) {
                guard let problem else { continue }
                count += problem.diagnostics.count
                err.write(problem.description)
                err.write("  in \(Self.quoted(block))\n")
            }
            err.write("\(runbook.name): \(count) error\(count == 1 ? "" : "s") found before running: nothing ran\n")
            let first = problems.compactMap { $0 }.first
            return (RunOutcome(status: .usage, failedLine: first.flatMap { p in p.diagnostics.first.map { p.source.line(of: $0.span.start) } }), [])
        }

        let counts = Locked<[ActionTotals.Count]>([])
        shell.configure { env in
            env.actionFinished = { totals in
                counts.with { all in
                    for c in totals.counts {
                        if let i = all.firstIndex(where: { $0.status == c.status }) { all[i].count += c.count } else { all.append(c) }
                    }
                }
            }
        }
        defer { shell.configure { $0.actionFinished = nil; $0.origin = nil } }

        var reports: [BlockReport] = []
        var outcome = RunOutcome(status: .success)
        var stopped = false
        for (index, block) in runbook.blocks.enumerated() {
            var report = BlockReport(line: block.line, title: block.title, status: .skipped, outcomes: [], duration: .zero)
            defer { reports.append(report) }
            if stopped {
                report.status = .notRun
                continue
            }
            shell.configure { $0.origin = ActionOrigin(runbook: runbook.name, block: block.line, title: block.title) }
            if index < range.lowerBound {
                let result = await shell.runDefinitions(block.source, out: out, err: err)
                if result.status != .success {
                    report.status = .failed
                    err.write("  in \(Self.quoted(block)) (its let, def and set statements, before the block chosen)\n")
                    outcome = result
                    stopped = true
                }
                continue
            }
            if index > range.upperBound { continue }
            willRun?(block)
            if let step {
                switch await step(block) {
                case .run: break
                case .skip: continue
                case .quit:
                    report.status = .notRun
                    stopped = true
                    continue
                }
            }
            counts.with { $0 = [] }
            let start = ContinuousClock.now
            let result = await shell.run(block.source, out: out, err: err)
            report.duration = ContinuousClock.now - start
            report.outcomes = counts.with { $0 }
            report.status = result.status == .success ? .ran : .failed
            if result.status != .success {
                err.write("  in \(Self.quoted(block))\n")
                outcome = result
                stopped = true
            } else if result.exitCode != nil {
                outcome = result
                stopped = true
            }
        }
        err.write(Self.summary(reports, of: runbook))
        return (outcome, reports)
    }

    /// `"## Remove large files" (line 12)`: how a message names a block.
    static func quoted(_ block: Runbook.Block) -> String {
        "\"\(TerminalText.escaped(block.title))\" (block at line \(block.line))"
    }

    /// The table at the end: one row a block.
    public static func summary(_ reports: [BlockReport], of runbook: Runbook) -> String {
        let rows = reports.map { r -> [String] in
            let actions = r.outcomes.isEmpty ? "-" : r.outcomes.map { "\($0.status) \($0.count)" }.joined(separator: ", ")
            let time = r.status == .ran || r.status == .failed ? Self.seconds(r.duration) : "-"
            var title = TerminalText.escaped(r.title)
            if title.count > 48 { title = String(title.prefix(47)) + "…" }
            return [String(r.line), title, r.status.rawValue, actions, time]
        }
        let header = ["line", "block", "status", "items", "time"]
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                i == 0 ? String(repeating: " ", count: widths[i] - c.count) + c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n"
        }
        let ran = reports.filter { $0.status == .ran }.count, failed = reports.filter { $0.status == .failed }.count
        return "\nrunbook \(TerminalText.escaped(runbook.name)): \(ran) ran, \(failed) failed, \(reports.count - ran - failed) skipped or not run\n"
            + line(header) + rows.map(line).joined()
    }

    static func seconds(_ d: Duration) -> String {
        let s = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        return String(format: "%.2fs", s)
    }
}
