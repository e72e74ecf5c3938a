/// Every verb the language has out of the box (package access: the fuzz targets wrap some of them).
package enum BuiltinVerbs {
    package static let all: [any Verb] = [
        ValueVerb(), ListVerb(), InfoVerb(), UploadVerb(), OpenVerb(),
        WhereVerb(), SortVerb(), FirstVerb(), LastVerb(), SkipVerb(), SelectVerb(), RejectVerb(), UniqVerb(),
        CountVerb(), SumVerb(), AvgVerb(), MinVerb(), MaxVerb(), GroupVerb(),
        DeleteVerb(), UpdateVerb(), DownloadVerb(), JournalVerb(), UndoVerb(),
        TableVerb(), JSONVerb(), JSONLinesVerb(), CSVVerb(), SaveVerb(),
        HelpVerb(), ExplainVerb(), HistoryVerb(), SetVerb(), ExitVerb(), SourceVerb(),
    ]
}
