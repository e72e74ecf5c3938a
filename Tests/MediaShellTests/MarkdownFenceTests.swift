import Foundation
import MediaAPI
import Testing
@testable import MediaShell

/// The runbook's Markdown reader: CommonMark's fenced code blocks and headings, and nothing
/// it is given makes it trap.
@Suite struct MarkdownFenceTests {
    @Test func backticksAndTildesWithTheirInfoStrings() throws {
        let doc = try MarkdownDocument("""
            # Title
            ```mediash name=first
            list | count
            ```
            text
            ~~~~ mediash {name="second"}
            a
            ~~~
            still inside: a closing fence is at least as long as the opening
            ~~~~~
            ``` bash
            echo hi
            ```
            """)
        #expect(doc.fences.map(\.language) == ["mediash", "mediash", "bash"])
        #expect(doc.fences.map(\.line) == [2, 6, 11])
        #expect(doc.fences[0].content == ["list | count"] && doc.fences[0].attributes == ["name": "first"])
        #expect(doc.fences[1].content == ["a", "~~~", "still inside: a closing fence is at least as long as the opening"])
        #expect(doc.fences[1].attributes["name"] == "second")
        #expect(doc.fences.allSatisfy { $0.heading == "# Title" })
    }

    @Test func indentationDecidesWhatIsAFence() throws {
        let doc = try MarkdownDocument("""
               ```mediash
               list
               ```
                ```mediash
                not a fence: four spaces make indented code
            ``a`` is inline code, and ```mediash `x` has a backtick in its info: not a fence
            """)
        #expect(doc.fences.count == 1)
        #expect(doc.fences[0].content == ["   list"], "lines keep their indentation, so columns match the file")
    }

    @Test func anUnclosedFenceIsAnErrorAtItsLine() {
        #expect(throws: MarkdownDocument.UnclosedFence(line: 3, fence: "````")) {
            try MarkdownDocument("a\n\n````mediash\nlist\n```\n")
        }
    }

    @Test func headingsAtxAndSetext() throws {
        let doc = try MarkdownDocument("""
            ## Remove last week's large recordings ##
            ```mediash
            ```
            Retitle
            -------
            ```mediash
            ```
            #not a heading
            ```mediash
            ```
            Counts
            ======
            ```mediash
            ```
            """)
        #expect(doc.fences.map(\.heading) == ["## Remove last week's large recordings", "## Retitle", "## Retitle", "# Counts"])
    }

    @Test func carriageReturnsDoNotShiftLines() throws {
        let doc = try MarkdownDocument("# A\r\n\r\n```mediash\r\nlist\r\n```\r\n")
        #expect(doc.fences.first?.line == 3 && doc.fences.first?.content == ["list"] && doc.fences.first?.heading == "# A")
    }

    /// Random documents built from the characters that matter (fences, #, =, -, spaces, tabs,
    /// newlines, \r, multi-byte and invalid UTF-8): no trap, and every block lies within the file.
    @Test func anyInputIsReadWithoutTrapping() {
        var random = SplitMix64(seed: 14)
        let pieces: [[UInt8]] = ["`", "```", "~~~", "````", "~", "#", "## ", "=", "-", " ", "   ", "\t", "\n", "\r", "mediash", " name=x", "{", "}", "\"", "é", "\u{1F600}"]
            .map { Array($0.utf8) } + [[0xFF], [0xC3], [0x00]]
        for _ in 0..<3000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...60, using: &random) { bytes += pieces[Int.random(in: 0..<pieces.count, using: &random)] }
            let text = String(decoding: bytes, as: UTF8.self)
            let lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count
            do {
                let doc = try MarkdownDocument(text)
                for f in doc.fences { #expect(f.line >= 1 && f.contentLine + f.content.count <= lines + 1) }
                _ = try? Runbook(name: "fuzz.md", text: text)
            } catch {
                #expect(error.line >= 1 && error.line <= lines)
            }
        }
    }
}
