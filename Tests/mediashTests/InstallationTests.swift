import Foundation
import MediaAPI
import Testing

/// What scripts/install and scripts/package put beside the binaries (issue 34): one version for
/// both commands, man pages that name every flag the binaries declare, completion scripts.
@Suite struct InstallationTests {
    /// The repository this test file is in.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Runs a built binary (or python3) with `arguments`, in a sandbox's work folder.
    static func run(_ executable: URL, _ arguments: [String], in sandbox: Sandbox) async throws -> ProcessResult {
        let running = try RunningProcess(executable: executable, arguments: arguments,
                                         environment: sandbox.environment, directory: sandbox.work, stdin: nil)
        return try await running.wait(timeout: .seconds(120))
    }

    static var python: URL {
        get throws {
            for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
                let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent("python3")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            }
            throw TestFailure("python3 is not on PATH: scripts/lib/manpages.py needs it (apt-get install python3)")
        }
    }

    @Test(arguments: ["mediash", "media-server"])
    func bothCommandsPrintTheOneVersion(program: String) async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let run = try await Self.run(BuiltBinary.url(program), ["--version"], in: sandbox)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == MediashVersion.line(program: program) + "\n")
        #expect(run.stdout.hasPrefix("\(program) \(MediashVersion.number)"))
    }

    /// CHANGELOG.md's newest released entry is the version the binaries print.
    @Test func theChangelogsNewestReleaseIsTheVersion() throws {
        let changelog = try String(contentsOf: Self.repository.appendingPathComponent("CHANGELOG.md"), encoding: .utf8)
        let released = changelog.split(separator: "\n").first { $0.hasPrefix("## [") && !$0.hasPrefix("## [Unreleased]") }
        #expect(released?.hasPrefix("## [\(MediashVersion.number)] - ") == true, "\(String(describing: released))")
    }

    /// Every option, flag and argument the binary declares (its --experimental-dump-help, the
    /// source --help and the completions are made from) is in its man page, with its help text.
    @Test(arguments: ["mediash", "media-server"])
    func theManPageNamesEveryFlag(program: String) async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let binary = BuiltBinary.url(program)
        let dump = try await Self.run(binary, ["--experimental-dump-help"], in: sandbox)
        #expect(dump.status == 0, "\(dump.stderr)")
        let info = try JSONDecoder().decode(DumpHelp.self, from: Data(dump.stdout.utf8))
        let page = try await Self.run(try Self.python, [
            Self.repository.appendingPathComponent("scripts/lib/manpages.py").path, "command", binary.path, "-",
        ], in: sandbox)
        #expect(page.status == 0, "\(page.stderr)")
        let header = String(page.stdout.prefix(while: { $0 != "\n" }))
        #expect(header.hasPrefix(".TH \"\(program.uppercased().replacingOccurrences(of: "-", with: "\\-"))\" \"1\""), "\(header)")
        let arguments = info.command.arguments.filter { $0.shouldDisplay ?? true }
        #expect(arguments.count > 5, "\(program) declares \(arguments.count) arguments")
        for argument in arguments {
            for name in argument.names ?? [] {
                let spelled = (name.kind == "long" ? "--" : "-") + name.name
                // roff spells a hyphen \- (so it copies as a hyphen-minus).
                let named = page.stdout.contains("\\fB" + spelled.replacingOccurrences(of: "-", with: "\\-") + "\\fR")
                #expect(named, "\(program)(1) lacks \(spelled)")
            }
            if argument.kind == "positional", let value = argument.valueName {
                let named = page.stdout.contains("\\fI\(value.replacingOccurrences(of: "-", with: "\\-"))\\fR")
                #expect(named, "\(program)(1) lacks the argument \(value)")
            }
            if let abstract = argument.abstract, !abstract.isEmpty {
                let firstWords = abstract.split(separator: " ").prefix(3).joined(separator: " ")
                let explained = page.stdout.contains(firstWords.replacingOccurrences(of: "-", with: "\\-"))
                #expect(explained, "\(program)(1) lacks the help of \(argument.preferredName?.name ?? argument.valueName ?? "?"): \(firstWords)")
            }
        }
    }

    /// mediash-language(7) has every section and verb of docs/language.md.
    @Test func theLanguagePageHasEveryHeadingOfTheReference() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let markdown = Self.repository.appendingPathComponent("docs/language.md")
        let page = try await Self.run(try Self.python, [
            Self.repository.appendingPathComponent("scripts/lib/manpages.py").path, "language", markdown.path, "-",
            "mediash \(MediashVersion.number)",
        ], in: sandbox)
        #expect(page.status == 0, "\(page.stderr)")
        let lines = page.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let source = try String(contentsOf: markdown, encoding: .utf8).split(separator: "\n")
        var headings = 0
        for line in source where line.hasPrefix("## ") || line.hasPrefix("#### ") {
            headings += 1
            // The heading's words without Markdown's backticks, as roff writes them.
            let words = line.drop(while: { $0 == "#" }).dropFirst().replacingOccurrences(of: "`", with: "")
                .replacingOccurrences(of: "-", with: "\\-")
            let found = lines.contains { ($0.hasPrefix(".SH ") || $0.hasPrefix(".SS ")) &&
                $0.replacingOccurrences(of: "\\fB", with: "").replacingOccurrences(of: "\\fR", with: "")
                    .uppercased().contains(words.uppercased()) }
            #expect(found, "mediash-language(7) lacks the heading \(line)")
        }
        #expect(headings > 20)
        // Every code line of the reference's examples is in the page (as roff escapes it).
        for line in source where line.hasPrefix("    list ") {
            let code = String(line.dropFirst(4)).replacingOccurrences(of: "\\", with: "\\e").replacingOccurrences(of: "-", with: "\\-")
            let shown = page.stdout.contains(code)
            #expect(shown, "mediash-language(7) lacks the example \(line)")
        }
    }

    /// The completion scripts scripts/install puts where each shell looks offer every long option.
    @Test(arguments: ["mediash", "media-server"])
    func completionScriptsOfferEveryLongOption(program: String) async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let binary = BuiltBinary.url(program)
        let dump = try await Self.run(binary, ["--experimental-dump-help"], in: sandbox)
        let info = try JSONDecoder().decode(DumpHelp.self, from: Data(dump.stdout.utf8))
        let longs = info.command.arguments.filter { $0.shouldDisplay ?? true }
            .flatMap { $0.names ?? [] }.filter { $0.kind == "long" }.map(\.name)
        #expect(longs.contains("help"))
        for shell in ["bash", "zsh", "fish"] {
            let script = try await Self.run(binary, ["--generate-completion-script", shell], in: sandbox)
            #expect(script.status == 0, "\(script.stderr)")
            for long in longs {
                let offered = script.stdout.contains(shell == "fish" ? "-l '\(long)'" : "--\(long)")
                #expect(offered, "\(program)'s \(shell) completion lacks --\(long)")
            }
        }
    }
}

/// The part of swift-argument-parser's --experimental-dump-help (ToolInfoV0) these tests read.
struct DumpHelp: Decodable {
    struct Name: Decodable { var kind: String; var name: String }
    struct Argument: Decodable {
        var kind: String
        var names: [Name]?
        var preferredName: Name?
        var valueName: String?
        var abstract: String?
        var shouldDisplay: Bool?
    }
    struct Command: Decodable { var commandName: String; var arguments: [Argument] }
    var serializationVersion: Int
    var command: Command
}
