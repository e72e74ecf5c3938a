import MediaAPI

/// `update set FIELD=VALUE …`: changes each item's information; values may use the item's fields.
struct UpdateVerb: RequestExplaining, OrderReading {
    static let name = "update"
    let signature = VerbSignature(
        name, .action, summary: "change items' information: title, description, metadata_primary, metadata_secondary, mime, public, max_downloads_allowed",
        parameters: [.keyword("set", .assignments, "FIELD=VALUE…", required: true, help: "the changes; a bare name reads the item's field (title=name), text is quoted (title=\"draft\")")] + VerbSignature.actionParameters,
        output: .results,
        examples: [
            VerbExample("list | where mime =~ \"wav\" | update set public=true --yes", "make WAV files public"),
            VerbExample("list | first 2 | update set title=(name + \" (archived)\") --dry-run", "what a retitle would do"),
        ])

    static let policy = ActionPolicy(verb: name, destructive: true, dryRunWording: "would update",
                                     limit: ShellSettings.maxUpdate, reportsChanges: true)

    func explainRequests(_ stage: Stage) -> [String] {
        ["PUT /v3/media/{id}/info  for each item\(ActionPolicy.dryRunNote(stage))"]
    }

    func check(_ stage: Stage, input: StreamShape, checker: Checker) -> StreamShape {
        checker.checkArguments(stage, signature, input: input)
        guard case .assignments(let list)? = stage.argument("set")?.value else { return .records(StreamShape.results) }
        for a in list {
            guard let seed = MediaFields.updatable[a.field.name] else {
                checker.error("'\(a.field.name)' cannot be updated", at: a.field.span,
                              suggestion: Suggestion.closest(to: a.field.name, in: MediaFields.updatable.keys.sorted()),
                              hint: "updatable: title, description, metadata_primary, metadata_secondary, mime, public, max_downloads_allowed")
                continue
            }
            let want = MediaFields.kinds[seed] ?? .any
            let row: StreamShape = input == .nothing ? .records(MediaFields.schema) : input
            let k = checker.kind(of: a.value, row: row)
            if k != .any, k != want, !(k == .null && want == .string) {
                checker.error("'\(a.field.name)' takes \(want.phrase), but this is \(k.phrase)", at: a.value.span)
            }
        }
        return .records(StreamShape.results)
    }

    /// Its result rows come in the order the items came in, so a preview and a run list them
    /// alike: the listing keeps its order unless nothing after the action shows the rows.
    func orderUse(_ stage: Stage) -> OrderUse? { .passes }

    func run(_ call: VerbCall) async throws -> ValueStream {
        guard case .assignments(let list)? = call.stage.argument("set")?.value else { return .empty }
        let changes = try UpdateChanges(list.map { a in
            var clears = false
            if case .literal(.null) = a.value.kind { clears = true }
            return UpdateChanges.Assignment(field: MediaFields.updatable[a.field.name] ?? a.field.name,
                                            value: try call.context.interpreter.compile(a.value), clears: clears)
        })
        let service = call.context.service
        let err = call.context.err
        return try await ActionRunner(Self.policy, call: call, prepare: { target, value in
            try changes.plan(target, record: value.record) { err.write("update: warning: \($0)\n") }
        }) { target in
            try await service.update(id: target.id, target.payload as? MediaUpdate ?? MediaUpdate())
            return ActionOutcome(status: .done("updated"), bytes: target.size ?? 0)
        }.run(call.input)
    }
}

/// An update's assignments, compiled once and applied to each item as it comes: values that
/// read fields are computed from the record as it came in.
final class UpdateChanges: @unchecked Sendable {
    struct Assignment {
        /// The seed's name of the field.
        var field: String
        var value: CompiledExpression
        /// Written as `null`: the user means to clear the field.
        var clears: Bool
    }

    // Immutable after init; compiled expressions only read their record.
    private let assignments: [Assignment]

    init(_ assignments: [Assignment]) { self.assignments = assignments }

    /// What the update would do to one item: only the fields whose value would change are sent,
    /// and an item none of whose fields would change is left alone (no request). A computed value
    /// that comes out null (it read an empty field) leaves its field as it is, with a warning.
    func plan(_ target: ActionTarget, record: Record?, warn: (String) -> Void) throws -> ItemPlan {
        var update = MediaUpdate()
        var changes: [String] = []
        // Old and new values for the journal (undo), when the record said what the old ones were.
        var journaled: [FieldChange]? = []
        for a in assignments {
            let computed = try a.value(record)
            if computed.isNull, !a.clears {
                let label = "item \(TerminalText.escaped(target.id))" + (target.name.map { " (\(TerminalText.escaped($0)))" } ?? "")
                warn("\(label): the new \(a.field) is null (the expression read an empty field), so \(a.field) is left as it is")
                continue
            }
            let new = try Self.set(a.field, computed, in: &update)
            let old = record?[a.field]
            if let old, old == new {
                Self.clear(a.field, in: &update)
                continue
            }
            changes.append("\(a.field): \(old?.sourceText ?? "?") → \(new.sourceText)")
            if let old { journaled?.append(FieldChange(field: a.field, old: old, new: new)) } else { journaled = nil }
        }
        guard !changes.isEmpty else { return .unchanged(target) }
        try update.validate()
        var acting = target
        acting.change = changes.joined(separator: "; ")
        acting.payload = update
        acting.journal = JournalDetail(changes: journaled)
        return .act(acting)
    }

    /// Puts one field's value into the request; returns it as the record would hold it.
    private static func set(_ field: String, _ v: Value, in u: inout MediaUpdate) throws -> Value {
        let text = v.isNull ? "" : v.humanText
        switch (field, v) {
        case ("title", _): u.title = text
        case ("description", _): u.description = text
        case ("metadata_primary", _): u.metadataPrimary = text
        case ("metadata_secondary", _): u.metadataSecondary = text
        case ("mime_type", .string(let s)): u.mimeType = s
        case ("public", .bool(let b)): u.isPublic = b
        case ("max_downloads_allowed", .int(let n)):
            u.maxDownloadsAllowed = Int(clamping: n)
            return .int(Int64(Int(clamping: n)))
        default: throw RunError("'\(field)' cannot be set to \(v.kind.phrase)")
        }
        if case .bool = v { return v }
        // Empty is null: clearing a field that reads null already changes nothing.
        let stored = field == "mime_type" ? v.humanText : text
        return stored.isEmpty ? .null : .string(stored)
    }

    private static func clear(_ field: String, in u: inout MediaUpdate) {
        switch field {
        case "title": u.title = nil
        case "description": u.description = nil
        case "metadata_primary": u.metadataPrimary = nil
        case "metadata_secondary": u.metadataSecondary = nil
        case "mime_type": u.mimeType = nil
        case "public": u.isPublic = nil
        default: u.maxDownloadsAllowed = nil
        }
    }
}
