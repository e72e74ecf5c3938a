import Foundation
import Testing
@testable import MediaShell

/// docs/language.md's verb section is generated from the signatures: this fails when it is stale.
/// `MEDIASH_WRITE_DOCS=1 swift test --filter LanguageDocTests` rewrites it.
@Suite struct LanguageDocTests {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/language.md")

    @Test func theVerbReferenceMatchesTheSignatures() async throws {
        let shell = try await SharedFixture.shared.get().shell()
        let generated = VerbReference.markdown(shell.verbs)
        let text = try String(contentsOf: Self.file, encoding: .utf8)
        let head = text.range(of: VerbReference.begin).map { String(text[..<$0.lowerBound]) } ?? text
        let tail = text.range(of: VerbReference.end + "\n").map { String(text[$0.upperBound...]) } ?? ""
        if ProcessInfo.processInfo.environment["MEDIASH_WRITE_DOCS"] == "1" {
            try (head + generated + tail).write(to: Self.file, atomically: true, encoding: .utf8)
        }
        let current = try String(contentsOf: Self.file, encoding: .utf8)
        #expect(current.contains(generated), "docs/language.md's verb section is stale: run MEDIASH_WRITE_DOCS=1 swift test --filter LanguageDocTests")
        // Every verb is there.
        for sig in shell.verbs { #expect(current.contains("#### `\(sig.name)`"), "\(sig.name)") }
    }
}
