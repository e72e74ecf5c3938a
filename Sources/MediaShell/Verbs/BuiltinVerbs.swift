/// Every verb the language has out of the box.
enum BuiltinVerbs {
    static let all: [any Verb] = [
        ValueVerb(), ListVerb(), InfoVerb(), UploadVerb(), OpenVerb(),
        WhereVerb(), SortVerb(), FirstVerb(), LastVerb(), SkipVerb(), SelectVerb(), RejectVerb(), UniqVerb(),
        CountVerb(), SumVerb(), AvgVerb(), MinVerb(), MaxVerb(), GroupVerb(),
        DeleteVerb(), UpdateVerb(), DownloadVerb(),
        TableVerb(), JSONVerb(), JSONLinesVerb(), CSVVerb(), SaveVerb(),
        HelpVerb(), ExplainVerb(), HistoryVerb(), SetVerb(), ExitVerb(),
    ]
}
