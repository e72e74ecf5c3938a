import Foundation
import MediaAPI

/// A pipeline ready to run: the API query its source makes, and the stages that run locally.
public struct Plan: Sendable {
    /// The listing query when the pipeline starts with `list`, with what could be pushed into it.
    public var query: MediaQuery?
    /// Stages to run, in order, the source first (stages fully pushed into the query are gone).
    public var stages: [CheckedStage]
    /// What was pushed down, in words, for `explain`.
    public var pushedDown: [String]
    /// The fields the stages after the source read, when no record reaches the output whole:
    /// a source reading a file may leave the others out. nil: every field.
    public var sourceFields: Set<String>? = nil
    /// A test the source runs on each record as it reads, in place of the `where` after it.
    public var sourceTest: Expr? = nil
}
