import Testing
@testable import MediaShell

/// Error messages for bad input, checked word for word: place, source line, caret, suggestion.
@Suite struct ParserErrorTests {
    @Test func misspeltVerb() {
        #expect(diagnose("list | delte") == """
        <input>:1:8: error: unknown verb 'delte' — did you mean 'delete'?
         1 | list | delte
           |        ^^^^^

        """)
    }

    @Test func misspeltKeyword() {
        #expect(diagnose("list sinse 7d") == """
        <input>:1:6: error: unknown keyword 'sinse' for 'list' — did you mean 'since'?
         1 | list sinse 7d
           |      ^^^^^

        """)
    }

    @Test func misspeltSwitch() {
        #expect(diagnose("list | delete --dry-rn") == """
        <input>:1:15: error: unknown switch '--dry-rn' for 'delete' — did you mean '--dry-run'?
         1 | list | delete --dry-rn
           |               ^^^^^^^^

        """)
    }

    @Test func unknownUnit() {
        #expect(diagnose("list | where size > 10MBB") == """
        <input>:1:21: error: unknown unit 'MBB' in '10MBB' (sizes: B KB MB GB TB KiB MiB GiB TiB; durations: ms s m h d w) — did you mean '10MB'?
         1 | list | where size > 10MBB
           |                     ^^^^^

        """)
    }

    @Test func missingValueAfterOperator() {
        #expect(diagnose("list | where size >") == """
        <input>:1:19: error: expected a value after '>', found end of input
         1 | list | where size >
           |                   ^

        """)
    }

    @Test func unclosedParenthesis() {
        #expect(diagnose("list | where (size > 1MB") == """
        <input>:1:25: error: expected ')' to close the '(' at column 14, found end of input
         1 | list | where (size > 1MB
           |                         ^

        """)
    }

    @Test func unterminatedString() {
        #expect(diagnose("list | where name == \"x") == """
        <input>:1:22: error: unterminated string: no closing "
         1 | list | where name == "x
           |                      ^

        """)
    }

    @Test func nothingAfterPipe() {
        #expect(diagnose("list |") == """
        <input>:1:6: error: expected a verb after '|', found end of input
         1 | list |
           |      ^

        """)
    }

    @Test func missingRequiredArgument() {
        #expect(diagnose("list | where") == """
        <input>:1:8: error: 'where' needs PRED: a test: size > 1MB and mime =~ "wav", name like "*.mp3", mime in ["audio/wav"] (usage: where PRED)
         1 | list | where
           |        ^^^^^

        """)
    }

    @Test func extraArgument() {
        #expect(diagnose("list | count 3") == """
        <input>:1:14: error: unexpected '3': 'count' takes nothing more here (usage: count)
         1 | list | count 3
           |              ^

        """)
    }

    @Test func chainedComparison() {
        #expect(diagnose("list | where 1 < size < 5") == """
        <input>:1:23: error: comparisons do not chain; join them with 'and'
         1 | list | where 1 < size < 5
           |                       ^

        """)
    }

    @Test func invalidDate() {
        #expect(diagnose("list since 2026-13-01") == """
        <input>:1:12: error: '2026-13-01' is not a valid date or time (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)
         1 | list since 2026-13-01
           |            ^^^^^^^^^^

        """)
    }

    @Test func severalErrorsOnSeveralLines() {
        #expect(diagnose("list | delte\nlist | where sise > 1MB\nlist | first 2") == """
        <input>:1:8: error: unknown verb 'delte' — did you mean 'delete'?
         1 | list | delte
           |        ^^^^^
        <input>:2:14: error: unknown field 'sise' — did you mean 'size'?
         2 | list | where sise > 1MB
           |              ^^^^ a bare name is a field; text is quoted: "sise"

        """)
    }

    @Test func choiceWithSuggestion() {
        #expect(diagnose("list order dsc") == """
        <input>:1:12: error: expected 'asc' or 'desc', found 'dsc' — did you mean 'desc'?
         1 | list order dsc
           |            ^^^

        """)
    }

    @Test func definingABuiltInVerb() {
        #expect(diagnose("def list [] { count }") == """
        <input>:1:5: error: 'list' is a built-in verb; choose another name for your verb
         1 | def list [] { count }
           |     ^^^^

        """)
    }
}
