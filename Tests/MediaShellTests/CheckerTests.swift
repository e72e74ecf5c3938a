import Testing
@testable import MediaShell

@Suite struct CheckerTests {
    @Test func sizeComparedWithText() {
        #expect(diagnose("list | where size > \"big\"") == """
        <input>:1:21: error: cannot compare a size with a string
         1 | list | where size > "big"
           |                     ^^^^^ write a size like 10MB

        """)
    }

    @Test func dateComparedWithSize() {
        #expect(diagnose("list | where created > 5MB") == """
        <input>:1:24: error: cannot compare a datetime with a size
         1 | list | where created > 5MB
           |                        ^^^ write a date like 2026-11-01, or now - 7d

        """)
    }

    @Test func unknownFieldSuggestsAlias() {
        #expect(diagnose("list | sort by creatd desc").contains("unknown field 'creatd' — did you mean 'created'?"))
        #expect(diagnose("list | select nmae").contains("unknown field 'nmae' — did you mean 'name'?"))
    }

    @Test func seedNamesAndAliasesAllCheck() {
        let fields = MediaFields.seedNames + MediaFields.aliases.keys.sorted()
        #expect(diagnose("list | select \(fields.joined(separator: " "))") == "")
        #expect(diagnose("list | where media_size > 1MB and time_created < now and mime_type =~ \"wav\" and public and times_downloaded >= 0") == "")
    }

    @Test func predicateMustBeBoolean() {
        #expect(diagnose("list | where size").contains("'where' needs a test that is true or false, but this is a size"))
        #expect(diagnose("list | where size > 1MB and name").contains("'and' joins tests that are true or false, but this is a string"))
    }

    @Test func filterNeedsInputAndSourceCannotFollow() {
        #expect(diagnose("where size > 1MB").contains("'where' needs input: start the pipeline with a source, like 'list | where …'"))
        #expect(diagnose("list | list").contains("'list' is a source: it starts a pipeline, it cannot follow '|'"))
    }

    @Test func argumentKinds() {
        #expect(diagnose("list | first 1MB").contains("expected an int for N, found a size 1MB"))
        #expect(diagnose("list since \"yesterday\"").contains("expected a duration or a datetime for T, found a string \"yesterday\""))
        #expect(diagnose("list | first ten").contains("'ten' is not a value here"))
    }

    @Test func arithmeticKinds() {
        #expect(diagnose("list | where created > now - 7d + 12h") == "")
        #expect(diagnose("list | where size * 2 > 1MB and size / 2 < 1GB") == "")
        #expect(diagnose("list | where created + created > now").contains("cannot apply '+' to a datetime and a datetime"))
    }

    @Test func fieldsAfterSelectAreKnown() {
        #expect(diagnose("list | select name size | where created > now").contains("unknown field 'created'"))
        #expect(diagnose("list | group by mime | where count > 2 and total_size > 1MB") == "")
        #expect(diagnose("list | count | where size > 1").contains("is not a field here: the stream holds an int, not records"))
    }

    @Test func updateAssignments() {
        #expect(diagnose("list | update set title=\"x\" public=true max_downloads_allowed=3 --yes") == "")
        #expect(diagnose("list | update set public=\"yes\" --yes").contains("'public' takes a bool, but this is a string"))
        #expect(diagnose("list | update set sizee=1 --yes").contains("'sizee' cannot be updated"))
    }

    @Test func regexAndVariables() {
        #expect(diagnose("list | where name =~ \"[unclosed\"").contains("invalid regular expression \"[unclosed\""))
        #expect(diagnose("list | where size > $limt", variables: ["limit": (.size, .scalar(.size))]).contains("unknown variable '$limt' — did you mean '$limit'?"))
        #expect(diagnose("let x = list | where size > 1MB\n$x | where sise > 1").contains("unknown field 'sise'"))
    }

    @Test func userVerbsAreCheckedAtTheirCalls() {
        #expect(diagnose("def big [n] { where size > $n }\nlist | big 1MB | count") == "")
        #expect(diagnose("def big [n] { where size > $n }\nlist | big \"x\"").contains("cannot compare a size with a string"))
        #expect(diagnose("def big [n] { where size > $n }\nlist | big").contains("'big' takes 1 argument (n), given 0"))
    }
}
