import Foundation
import MediaAPI

/// Checks a parsed program before anything runs: each stage against its verb's signature,
/// field names against the stream, and the kinds on both sides of every operator.
public final class Checker {
    public private(set) var diagnostics: [Diagnostic] = []
    let verbs: [String: any Verb]
    var userVerbs: [String: UserVerbDefinition]
    /// Kinds of `$name` variables in scope, and the shape of their stream when used as a source.
    var variables: [String: (kind: ValueKind, shape: StreamShape)]
    /// How deep the expression being checked is, and how many nodes and stages this checker
    /// has seen: user verbs substitute their arguments, so a short program can expand into a
    /// tree deeper or larger than the parser allows; the checker refuses it before it runs.
    private var depth = 0
    private var nodes = 0
    private var stages = 0
    private var tooDeep = false
    /// The pipelines in parentheses met so far, inner ones before those around them: the order
    /// they run in, once each, before the pipeline that holds them.
    private(set) var subpipelines: [CheckedSubpipeline] = []
    private var subpipelineIDs: Set<ObjectIdentifier> = []

    /// How deep an expression may be once user verbs' arguments are substituted: each level
    /// of parser nesting holds at most a handful of tree levels (or, and, a comparison, +, *).
    public static let treeDepthLimit = 8 * Parser.nestingLimit
    /// How many expression nodes, and stages from user verbs, one program may expand to.
    public static let nodeLimit = 4_000_000
    public static let stageLimit = 200_000
    /// Each stage pulls from the one before it, a call deeper on the stack per stage.
    public static let pipelineStageLimit = 10_000
    /// Whole-number arguments, and the values that make sense for them.
    static let wholeNumberRanges: [String: ClosedRange<Int64>] = [
        "count": 0...Int64(Int32.max), "status": 0...255, "concurrency": Int64(ShellSettings.concurrencyRange.lowerBound)...Int64(ShellSettings.concurrencyRange.upperBound),
    ]

    init(verbs: [String: any Verb], userVerbs: [String: UserVerbDefinition], variables: [String: (kind: ValueKind, shape: StreamShape)]) {
        self.verbs = verbs
        self.userVerbs = userVerbs
        self.variables = variables
    }

    public func error(_ message: String, at span: SourceSpan, suggestion: String? = nil, hint: String? = nil) {
        diagnostics.append(Diagnostic(message, at: span, suggestion: suggestion, hint: hint))
    }

    // MARK: Pipelines

    /// Checks a pipeline; the result has user verbs expanded, ready for planning.
    func check(_ pipeline: Pipeline, input: StreamShape = .nothing) -> [CheckedStage] {
        var shape = input
        var out: [CheckedStage] = []
        for stage in pipeline.stages {
            for checked in expand(stage, input: shape, depth: 0) {
                out.append(checked)
                shape = checked.output
            }
        }
        // An output verb renders what reaches it: nothing may come after it.
        for checked in out.dropLast() {
            if case .rendered(let format) = checked.verb.signature.output {
                error("'\(checked.stage.verb)' prints the results as \(format.rawValue), so it must be the last stage", at: checked.stage.verbSpan,
                      hint: "move '\(checked.stage.verb)' to the end of the pipeline")
            }
        }
        if out.count > Checker.pipelineStageLimit {
            error("a pipeline may have at most \(Checker.pipelineStageLimit) stages (user verbs count the stages they run)",
                  at: out[Checker.pipelineStageLimit].stage.verbSpan, hint: "split it with 'let'")
        }
        return out
    }

    /// What a user verb's body is checked against when defined: nothing if it starts with a
    /// source, else records whose fields are known only when it is called.
    func definitionInput(_ d: UserVerbDefinition) -> StreamShape {
        guard let first = d.body.stages.first else { return .nothing }
        if verbs[first.verb]?.signature.category == .source || userVerbs[first.verb] != nil { return .nothing }
        return .records(nil)
    }

    private func expand(_ stage: Stage, input: StreamShape, depth: Int) -> [CheckedStage] {
        // Stages as written are bounded by the source's length; those user verbs expand into are not.
        if depth > 0 {
            stages += 1
            if stages == Checker.stageLimit + 1 {
                error("the program's user verbs expand to more than \(Checker.stageLimit) stages", at: stage.verbSpan, hint: "call them fewer times")
            }
            if stages > Checker.stageLimit { return [] }
        }
        if let def = userVerbs[stage.verb] {
            guard depth < 32 else {
                error("'\(stage.verb)' calls itself too deeply", at: stage.verbSpan)
                return []
            }
            let given = stage.arguments("arguments").compactMap(\.value.expression)
            if given.count != def.parameters.count {
                error("'\(def.name)' takes \(def.parameters.count) argument\(def.parameters.count == 1 ? "" : "s") (\(def.parameters.map(\.name).joined(separator: ", "))), given \(given.count)", at: stage.span)
                return []
            }
            var bindings: [String: Expr] = [:]
            for (p, e) in zip(def.parameters, given) { bindings[p.name] = e }
            var shape = input
            var out: [CheckedStage] = []
            for inner in def.body.stages {
                for checked in expand(Substitution.apply(bindings, to: inner), input: shape, depth: depth + 1) {
                    out.append(checked)
                    shape = checked.output
                }
            }
            return out
        }
        guard let verb = verbs[stage.verb] else {
            error("unknown verb '\(stage.verb)'", at: stage.verbSpan, suggestion: Suggestion.verb(for: stage.verb, in: verbs.keys))
            return []
        }
        let category = verb.signature.category
        if category == .source, input != .nothing {
            error("\(verb.signature.phrase) is a source: it starts a pipeline, it cannot follow '|'", at: stage.verbSpan)
        }
        if [.filter, .aggregate, .action, .output].contains(category), input == .nothing {
            error("'\(stage.verb)' needs input: start the pipeline with a source, like 'list | \(stage.verb) …'", at: stage.verbSpan)
        }
        let output = verb.check(stage, input: input, checker: self)
        return [CheckedStage(stage: stage, verb: verb, input: input, output: output)]
    }

    // MARK: Arguments

    /// The checks every verb gets from its signature: kinds of values, predicates, field names.
    public func checkArguments(_ stage: Stage, _ signature: VerbSignature, input: StreamShape) {
        for argument in stage.arguments {
            guard let p = signature.parameter(argument.name) else { continue }
            switch (p.shape, argument.value) {
            case (.predicate, .expression(let e)):
                let k = kind(of: e, row: input)
                if k != .bool, k != .any {
                    error("'\(signature.name)' needs a test that is true or false, but this is \(k.phrase)", at: e.span, hint: "compare it, like size > 1MB")
                }
            case (.value(let kinds), .expression(let e)):
                if case .field(let word) = e.kind, kinds.contains(.datetime) || kinds.contains(.duration) {
                    error("'\(word)' is not a time", at: e.span,
                          hint: "a time looks like 7d (back from now), 12h, today, now - 1d, 2026-11-01 or 2026-11-01T14:00:00Z")
                    continue
                }
                expect(e, kinds, row: nil, what: p.placeholder)
                if let range = Checker.wholeNumberRanges[p.name] { expectWholeNumber(e, in: range, name: p.name) }
                if kinds.contains(.duration) { expectNotNegative(e, name: p.name) }
            case (.text, .expression(let e)), (.any, .expression(let e)), (.choice, .expression(let e)), (.setting, .expression(let e)), (.settingValue, .expression(let e)):
                _ = kind(of: e, row: nil)
            case (.fields, .fields(let refs)):
                for r in refs { _ = field(r, in: input) }
            case (.sortKeys, .sortKeys(let keys)):
                for k in keys { _ = kind(of: k.value, row: input) }
            case (.columns, .columns(let columns)):
                for c in columns { _ = kind(of: c.value, row: input) }
            default:
                break
            }
        }
    }

    /// Reports unless the expression is of one of these kinds.
    func expect(_ e: Expr, _ kinds: [ValueKind], row: StreamShape?, what: String) {
        let k = kind(of: e, row: row)
        if k == .any || kinds.contains(k) || (k == .int && kinds.contains(.float)) || (k == .int && kinds.contains(.size)) { return }
        let wanted = kinds.map(\.phrase).joined(separator: " or ")
        error("expected \(wanted) for \(what), found \(k.phrase) \(e)", at: e.span)
    }

    /// The value of an expression written with literals only (`-3`, `2 * 5`), so an argument
    /// that makes no sense fails before anything runs; nil when it reads fields or variables.
    func literalValue(_ e: Expr) -> Value? {
        guard !tooDeep, e.isLiteral else { return nil }
        do {
            return try Interpreter(variables: [:], now: Date()).compile(e)(nil)
        } catch {
            self.error(Shell.message(error), at: e.span)
            return nil
        }
    }

    /// Reports a literal whole number outside `range`: `first -3`, `exit 300`, `concurrency 0`.
    func expectWholeNumber(_ e: Expr, in range: ClosedRange<Int64>, name: String) {
        guard case .int(let n)? = literalValue(e), !range.contains(n) else { return }
        let allowed = range.upperBound == Int64(Int32.max) ? "\(range.lowerBound) or more" : "\(range.lowerBound)…\(range.upperBound)"
        error("\(name) must be \(allowed), not \(n)", at: e.span)
    }

    /// Reports a literal negative duration (`since -7d` would reach into the future).
    func expectNotNegative(_ e: Expr, name: String) {
        guard case .duration(let d)? = literalValue(e), d < 0 else { return }
        error("\(name) needs a duration of 0 or more", at: e.span, hint: "a duration counts back from now: \(name) 7d")
    }

    /// The kind of a field in the stream, reporting unknown fields with the closest name.
    /// `inExpression`: the name stands where a value goes, so it may have been meant as text.
    public func field(_ ref: FieldReference, in shape: StreamShape, inExpression: Bool = false) -> ValueKind {
        switch shape {
        case .records(let schema?):
            if let k = schema[ref.name] ?? MediaFields.canonicalName[ref.name].flatMap({ schema[$0] }) { return k }
            error("unknown field '\(ref.name)'", at: ref.span, suggestion: Suggestion.closest(to: ref.name, in: schema.keys.sorted()),
                  hint: inExpression ? "a bare name is a field; text is quoted: \"\(ref.name)\"" : nil)
            return .any
        case .records(nil):
            // Fields read from a file whose meaning `open` gives back (FieldTyping) are checked by it.
            switch FieldTyping.kind(of: ref.name) {
            case .time: return .datetime
            case .size: return .size
            case .plain: return .any
            }
        case .scalar(let k):
            error("'\(ref.name)' is not a field here: the stream holds \(k.phrase), not records", at: ref.span)
            return .any
        case .nothing:
            error("'\(ref.name)' is not a value here", at: ref.span)
            return .any
        }
    }

    // MARK: Expressions

    /// The kind of an expression; `row` is the stream whose fields it may name (nil: none).
    public func kind(of e: Expr, row: StreamShape?) -> ValueKind {
        nodes += 1
        if nodes == Checker.nodeLimit + 1 {
            error("the program expands to more than \(Checker.nodeLimit) terms", at: e.span, hint: "split it into smaller statements")
        }
        guard depth < Checker.treeDepthLimit, nodes <= Checker.nodeLimit else {
            if depth == Checker.treeDepthLimit, !tooDeep {
                tooDeep = true
                error("nested too deeply: more than \(Checker.treeDepthLimit) levels once user verbs' arguments are put in", at: e.span, hint: "split it into steps with 'let'")
            }
            return .any
        }
        depth += 1
        defer { depth -= 1 }
        switch e.kind {
        case .literal(let v): return v.kind
        case .now, .today: return .datetime
        case .field(let name):
            guard let row else {
                error("'\(name)' is not a value here", at: e.span, hint: "quote it if it is text: \"\(name)\"")
                return .any
            }
            return field(FieldReference(name: name, span: e.span), in: row, inExpression: true)
        case .variable(let name):
            if name == "it" {
                if row == nil { error("'$it' is only defined where records flow (in where, update set, sort)", at: e.span) }
                return .record
            }
            if name == "args" { return .list }
            if let v = variables[name] { return v.kind }
            if name.allSatisfy(\.isNumber) {
                error("'$\(name)' is not given: the script has \(variables.keys.filter { $0.allSatisfy(\.isNumber) }.count) argument(s)", at: e.span)
                return .any
            }
            error("unknown variable '$\(name)'", at: e.span, suggestion: Suggestion.closest(to: name, in: variables.keys.sorted()).map { "$" + $0 })
            return .any
        case .member(let base, let name):
            return member(base, name, e, row: row)
        case .list(let items):
            for i in items { _ = kind(of: i, row: row) }
            return .list
        case .negate(let inner):
            let k = kind(of: inner, row: row)
            if ![.int, .float, .size, .duration, .any].contains(k) { error("cannot negate \(k.phrase)", at: e.span) }
            return k
        case .not(let inner):
            let k = kind(of: inner, row: row)
            if k != .bool, k != .any { error("'not' needs true or false, but this is \(k.phrase)", at: inner.span) }
            return .bool
        case .binary(let op, let l, let r):
            return binary(op, kind(of: l, row: row), l.span, r, row: row)
        case .chain(let first, let steps):
            var k = kind(of: first, row: row)
            var span = first.span
            for step in steps {
                k = binary(step.op, k, span, step.operand, row: row)
                span = span.through(step.operand.span)
            }
            return k
        case .call(let name, let args):
            return call(name, args, e, row: row)
        case .between(let x, let lo, let hi):
            return between(x, lo, hi, row: row)
        case .subpipeline(let sub):
            return subpipeline(sub)
        }
    }

    /// Starts a new list of sub-pipelines: the next pipeline checked is planned on its own.
    func forgetSubpipelines() {
        subpipelines = []
        subpipelineIDs = []
    }

    /// Checks a pipeline whose sub-pipelines will not run (`explain`'s argument): they are not kept.
    func checkWithoutRunning(_ pipeline: Pipeline) -> [CheckedStage] {
        let (kept, ids) = (subpipelines, subpipelineIDs)
        defer { (subpipelines, subpipelineIDs) = (kept, ids) }
        return check(pipeline)
    }

    /// `(list | group by etag | where count > 1 | select key)`: checked as a pipeline of its own
    /// (it starts with a source, it only reads), its value's kind from what comes out of it.
    @inline(never)
    private func subpipeline(_ sub: Subpipeline) -> ValueKind {
        if let known = subpipelines.first(where: { $0.subpipeline === sub }) { return known.kind }
        let stages = check(sub.pipeline)
        for s in stages where Self.onlyReadsRefuses(s) {
            error("'\(s.stage.verb)' cannot run in a pipeline in parentheses: it only reads (list, open, where, group, select …) to give a value",
                  at: s.stage.verbSpan, hint: "run '\(s.stage.verb)' as a statement of its own")
        }
        let checked = CheckedSubpipeline(subpipeline: sub, stages: stages)
        if subpipelineIDs.insert(sub.id).inserted { subpipelines.append(checked) }
        return checked.kind
    }

    /// A stage a pipeline in parentheses may not hold: it acts, writes output or is a shell verb.
    private static func onlyReadsRefuses(_ s: CheckedStage) -> Bool {
        s.verb is any RequestExplaining || [.action, .output, .shell].contains(s.verb.signature.category)
    }

    // Cases of `kind(of:)` with locals of their own live in functions of their own: the checker
    // recurses once per level of a tree thousands deep, so its frame must stay small.

    /// `$it.size`, `$dups.key`.
    @inline(never)
    private func member(_ base: Expr, _ name: String, _ e: Expr, row: StreamShape?) -> ValueKind {
        if case .variable("it") = base.kind, let row {
            return field(FieldReference(name: name, span: SourceSpan(e.span.end - name.utf8.count, e.span.end)), in: row)
        }
        let baseKind = kind(of: base, row: row)
        // `$dups.key`: a list of records gives the list of that field's values.
        if case .variable(let v) = base.kind, let binding = variables[v], binding.kind == .list, case .records(let schema?) = binding.shape {
            _ = field(FieldReference(name: name, span: SourceSpan(e.span.end - name.utf8.count, e.span.end)), in: .records(schema))
        }
        return baseKind == .list ? .list : .any
    }

    /// `etag in (list | group by etag)`: the records have more than one field, so a value is never one of them.
    @inline(never)
    private func checkNotRecords(_ sub: Subpipeline, at span: SourceSpan, _ lk: ValueKind) {
        // Fields known only when it runs (`open`) are checked then.
        // A verb refused inside it is the error to fix first; adding a field to it would not help.
        guard let checked = subpipelines.first(where: { $0.subpipeline === sub }), !checked.givesFieldValues,
              !checked.stages.contains(where: Self.onlyReadsRefuses),
              case .records(let schema?) = checked.shape else { return }
        let fields = schema.keys.sorted()
        let field = fields.contains("key") ? "key" : fields.contains("id") ? "id" : fields.first ?? "key"
        error("this pipeline gives records, so \(lk.phrase) is never one of them: end it with one field", at: span,
              suggestion: "(\(sub.text) | select \(field))")
    }

    /// `etag in $dups` where `$dups` holds records: a value is never one of them.
    @inline(never)
    private func checkNotRecords(_ r: Expr, _ lk: ValueKind) {
        if case .subpipeline(let sub) = r.kind { return checkNotRecords(sub, at: r.span, lk) }
        guard case .variable(let v) = r.kind, let binding = variables[v], binding.kind == .list, case .records(let schema) = binding.shape else { return }
        let fields = (schema ?? [:]).keys.sorted()
        error("'$\(v)' holds records, so \(lk.phrase) is never in it: name one of their fields", at: r.span,
              suggestion: (fields.contains("key") ? "key" : fields.contains("id") ? "id" : fields.first).map { "$\(v).\($0)" })
    }

    /// `x between lo and hi`.
    @inline(never)
    private func between(_ x: Expr, _ lo: Expr, _ hi: Expr, row: StreamShape?) -> ValueKind {
        let k = kind(of: x, row: row)
        for bound in [lo, hi] {
            let bk = kind(of: bound, row: row)
            if !Checker.comparable(k, bk) {
                error("cannot compare \(k.phrase) with \(bk.phrase)", at: bound.span, hint: Checker.literalHint(k))
            }
        }
        return .bool
    }

    /// The kind of a function call: a known name, the right number of arguments, each of a kind it takes.
    @inline(never)
    private func call(_ name: String, _ args: [Expr], _ e: Expr, row: StreamShape?) -> ValueKind {
        let kinds = args.map { kind(of: $0, row: row) }
        let nameSpan = SourceSpan(e.span.start, e.span.start + name.utf8.count)
        guard let f = ExpressionFunctions.named(name) else {
            error("unknown function '\(name)'", at: nameSpan, suggestion: Suggestion.closest(to: name, in: ExpressionFunctions.names),
                  hint: "functions: " + ExpressionFunctions.names.joined(separator: ", ") + " (help functions)")
            return .any
        }
        guard f.arity.contains(args.count) else {
            let wanted = f.arity.count == 1 ? "\(f.arity.lowerBound)" : f.arity.upperBound > 9 ? "\(f.arity.lowerBound) or more" : "\(f.arity.lowerBound) or \(f.arity.upperBound)"
            error("'\(name)' takes \(wanted) argument\(f.arity.upperBound == 1 ? "" : "s"), given \(args.count)", at: e.span, hint: "usage: \(f.usage)")
            return .any
        }
        for (i, (arg, k)) in zip(args, kinds).enumerated() {
            let allowed = f.kinds(at: i)
            if allowed.isEmpty || k == .any || k == .null || allowed.contains(k) || (k == .int && allowed.contains(.float)) { continue }
            error("'\(name)' takes \(allowed.map(\.phrase).joined(separator: " or ")) here, but this is \(k.phrase)", at: arg.span, hint: "usage: \(f.usage)")
        }
        // Arguments of any kind (coalesce) must be alike: one of them is the result.
        if f.kinds(at: 0).isEmpty, let first = kinds.first(where: { $0 != .null && $0 != .any }) {
            for (arg, k) in zip(args, kinds) where !Checker.comparable(first, k) {
                error("'\(name)' needs arguments of one kind: \(first.phrase), but this is \(k.phrase)", at: arg.span)
            }
        }
        return f.result(kinds)
    }

    /// The kind of `left OP right`, given the left side's kind and span (in a chain the left side
    /// is everything before the operator).
    private func binary(_ op: BinaryOperator, _ lk: ValueKind, _ left: SourceSpan, _ r: Expr, row: StreamShape?) -> ValueKind {
        let rk = kind(of: r, row: row)
        let whole = left.through(r.span)
        if lk == .any || rk == .any {
            if op == .matches || op == .notMatches { checkPattern(r) }
            return [.and, .or].contains(op) || op.isComparison || [.matches, .notMatches, .like, .in].contains(op) ? .bool : .any
        }
        switch op {
        case .and, .or:
            for (k, side) in [(lk, left), (rk, r.span)] where k != .bool {
                error("'\(op.symbol)' joins tests that are true or false, but this is \(k.phrase)", at: side)
            }
            return .bool
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual:
            if !Checker.comparable(lk, rk) {
                var hint = Checker.literalHint(lk)
                if lk == .datetime, case .literal(.string(let text)) = r.kind, MediaTime.parse(text) != nil {
                    hint = "a time is written without quotes: \(text)"
                }
                error("cannot compare \(lk.phrase) with \(rk.phrase)", at: r.span, hint: hint)
            } else if case .literal(.string("")) = r.kind, lk == .string || lk == .null {
                // An empty field reads as null, whatever the server sent, so `== ""` never matches.
                error("an empty text field is null, so comparing it with \"\" never matches", at: r.span,
                      suggestion: op == .equal || op == .notEqual ? "\(op.symbol) null" : nil)
            }
            return .bool
        case .matches, .notMatches, .like:
            if lk != .string, lk != .null { error("'\(op.symbol)' matches text, but this is \(lk.phrase)", at: left) }
            if rk != .string { error("'\(op.symbol)' needs a pattern in quotes, but this is \(rk.phrase)", at: r.span) }
            if op == .like { checkGlob(r) } else { checkPattern(r) }
            return .bool
        case .in:
            if rk != .list, rk != .string { error("'in' needs a list like [\"a\", \"b\"], but this is \(rk.phrase)", at: r.span) }
            if lk != .record { checkNotRecords(r, lk) }
            if case .list(let items) = r.kind {
                for item in items {
                    let ik = kind(of: item, row: row)
                    if ik != .any, !Checker.comparable(lk, ik) { error("cannot compare \(lk.phrase) with \(ik.phrase)", at: item.span, hint: Checker.literalHint(lk)) }
                }
            }
            return .bool
        case .add, .subtract, .multiply, .divide:
            guard let a = Checker.sample(lk), let b = Checker.sample(rk) else {
                error("cannot apply '\(op.symbol)' to \(lk.phrase) and \(rk.phrase)", at: whole)
                return .any
            }
            do { return try Value.arithmetic(op, a, b).kind } catch {
                self.error("cannot apply '\(op.symbol)' to \(lk.phrase) and \(rk.phrase)", at: whole)
                return .any
            }
        }
    }

    /// `like "%promo%"`: SQL's wildcards in a glob match only themselves, so the test would
    /// quietly find nothing. A pattern with `%` or `_` and none of the glob's own is refused.
    private func checkGlob(_ r: Expr) {
        guard case .literal(.string(let pattern)) = r.kind, pattern.contains(where: { $0 == "%" || $0 == "_" }),
              !pattern.contains(where: { $0 == "*" || $0 == "?" }) else { return }
        let glob = String(pattern.map { $0 == "%" ? "*" : $0 == "_" ? "?" : $0 })
        error("'like' uses * and ?, not SQL's % and _: this pattern has no wildcard and matches only itself", at: r.span,
              suggestion: "\"\(glob)\"", hint: "to match a % or _ as it is, compare with == or use =~")
    }

    private func checkPattern(_ r: Expr) {
        if case .literal(.string(let pattern)) = r.kind {
            do { _ = try TextPattern(regex: pattern) } catch { self.error("invalid regular expression \"\(pattern)\"", at: r.span) }
        }
    }

    static func comparable(_ a: ValueKind, _ b: ValueKind) -> Bool {
        if a == b || a == .any || b == .any || a == .null || b == .null { return true }
        let numeric: Set<ValueKind> = [.int, .float]
        if numeric.contains(a), numeric.contains(b) { return true }
        if (a == .int && b == .size) || (a == .size && b == .int) { return true }
        return false
    }

    static func literalHint(_ k: ValueKind) -> String? {
        switch k {
        case .size: "write a size like 10MB"
        case .datetime: "write a date like 2026-11-01, or now - 7d"
        case .duration: "write a duration like 7d"
        case .string: "put text in quotes"
        case .int, .float: "write a number"
        default: nil
        }
    }

    /// A value of each kind, to try arithmetic on before running.
    private static func sample(_ k: ValueKind) -> Value? {
        switch k {
        case .int: .int(2)
        case .float: .float(1.5)
        case .size: .size(2)
        case .duration: .duration(2)
        case .datetime: .datetime(Date(timeIntervalSince1970: 0))
        case .string: .string("a")
        case .bool: .bool(true)
        case .null: .null
        default: nil
        }
    }
}
