/// "Did you mean": the closest known word by edit distance, when it is close enough to be a typo.
enum Suggestion {
    /// Words people bring from other tools, and the verb that does that here. Looked up before
    /// edit distance, which would offer `help` for `head` and `list` for `limit`.
    static let verbSynonyms: [String: [String]] = [
        "head": ["first"], "limit": ["first"], "take": ["first"], "top": ["first"],
        "tail": ["last"], "offset": ["skip"], "drop": ["skip"],
        "filter": ["where"], "grep": ["where"],
        "rm": ["delete"], "remove": ["delete"], "del": ["delete"],
        "ls": ["list"], "dir": ["list"], "cat": ["info"], "get": ["info", "download"], "fetch": ["download"],
        "order": ["sort"], "orderby": ["sort"], "sortby": ["sort"],
        "distinct": ["uniq"], "unique": ["uniq"], "dedup": ["uniq"],
        "project": ["select"], "pick": ["select"], "cut": ["select"],
        "histogram": ["chart", "bars", "group"], "hist": ["chart", "bars", "group"], "groupby": ["group"],
        "wc": ["count"], "len": ["count"], "length": ["count"],
        "put": ["upload"], "push": ["upload"], "edit": ["update"], "modify": ["update"], "rename": ["update"],
        "quit": ["exit"], "bye": ["exit"],
    ]

    /// A verb for an unknown word: a known synonym first, else the closest by spelling.
    static func verb(for word: String, in candidates: some Sequence<String>) -> String? {
        let known = Set(candidates)
        if let choices = verbSynonyms[word.lowercased()], let verb = choices.first(where: known.contains) { return verb }
        return closest(to: word, in: known.sorted())
    }

    static func closest(to word: String, in candidates: some Sequence<String>) -> String? {
        let lower = word.lowercased()
        // Ties go to the candidate that starts like the word: people mistype the middle more.
        var best: (String, Int, Int)?
        for candidate in candidates {
            let c = candidate.lowercased()
            let d = distance(lower, c)
            let startsAlike = c.first == lower.first ? 0 : 1
            if let current = best, (current.1, current.2) <= (d, startsAlike) { continue }
            best = (candidate, d, startsAlike)
        }
        guard let (match, d, _) = best else { return nil }
        let allowed = Swift.max(1, Swift.min(3, word.count / 3 + 1))
        if d <= allowed && d < word.count { return match }
        // A shortening of one name only (`descr` for `description`).
        guard word.count >= 3 else { return nil }
        let longer = candidates.filter { $0.lowercased().hasPrefix(lower) && $0.count > word.count }
        return longer.count == 1 ? longer.first : nil
    }

    /// Damerau–Levenshtein (optimal string alignment): a swap of neighbours counts once.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = Swift.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = Swift.min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
