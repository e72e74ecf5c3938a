/// A stage resolved to its verb, with user verbs already expanded into their bodies.
public struct CheckedStage: Sendable {
    public var stage: Stage
    public var verb: any Verb
    public var input: StreamShape
    public var output: StreamShape
}
