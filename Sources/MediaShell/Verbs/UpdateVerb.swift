import MediaAPI

/// `update set FIELD=VALUE …`: changes each item's information; values may use the item's fields.
struct UpdateVerb: RequestExplaining {
    static let name = "update"
    let signature = VerbSignature(
        name, .action, summary: "change items' information: title, description, metadata_primary, metadata_secondary, mime, public, max_downloads_allowed",
        parameters: [.keyword("set", .assignments, "FIELD=VALUE…", required: true, help: "the changes; a value may read the item's fields (title=name)")] + VerbSignature.actionParameters,
        output: .results,
        examples: [
            VerbExample("list | where mime =~ \"wav\" | update set public=true --yes", "make WAV files public"),
            VerbExample("list | first 2 | update set title=(name + \" (archived)\") --dry-run", "what a retitle would do"),
        ])

    static let policy = ActionPolicy(verb: name, destructive: true, dryRunWording: "would update")

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
            var k = checker.kind(of: a.value, row: row)
            // A bare word that is not a field is text (`set title=draft`).
            if case .literal = a.value.kind { k = checker.kind(of: a.value, row: nil) }
            if k != .any, k != want, !(k == .null && want == .string) {
                checker.error("'\(a.field.name)' takes \(want.phrase), but this is \(k.phrase)", at: a.value.span)
            }
        }
        return .records(StreamShape.results)
    }

    func run(_ call: VerbCall) async throws -> ValueStream {
        guard case .assignments(let list)? = call.stage.argument("set")?.value else { return .empty }
        let compiled = try list.map { (MediaFields.updatable[$0.field.name] ?? $0.field.name, try call.context.interpreter.compile($0.value)) }
        let service = call.context.service
        // Values that read fields are computed per item, from the record as it came in.
        let input = call.input
        let changesByID = Locked<[String: MediaUpdate]>([:])
        let prepared = ValueStream {
            guard let v = try await input.next() else { return nil }
            if let target = ActionTarget(v) {
                let change = try Self.update(compiled, record: v.record)
                try change.validate()
                changesByID.with { $0[target.id] = change }
            }
            return v
        }
        return try await ActionRunner(Self.policy, call: call) { target in
            let change = changesByID.with { $0.removeValue(forKey: target.id) } ?? MediaUpdate()
            try await service.update(id: target.id, change)
            return ActionOutcome(status: .done("updated"), bytes: target.size ?? 0)
        }.run(prepared)
    }

    static func update(_ assignments: [(String, CompiledExpression)], record: Record?) throws -> MediaUpdate {
        var u = MediaUpdate()
        for (field, value) in assignments {
            let v = try value(record)
            switch (field, v) {
            case ("title", _): u.title = v.isNull ? "" : v.humanText
            case ("description", _): u.description = v.isNull ? "" : v.humanText
            case ("metadata_primary", _): u.metadataPrimary = v.isNull ? "" : v.humanText
            case ("metadata_secondary", _): u.metadataSecondary = v.isNull ? "" : v.humanText
            case ("mime_type", .string(let s)): u.mimeType = s
            case ("public", .bool(let b)): u.isPublic = b
            case ("max_downloads_allowed", .int(let n)): u.maxDownloadsAllowed = Int(clamping: n)
            default: throw RunError("'\(field)' cannot be set to \(v.kind.phrase)")
            }
        }
        return u
    }
}
