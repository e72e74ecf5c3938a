import Foundation
import Hummingbird
import MediaAPI
import NIOCore

/// The Media API v3 under `/v3/media`, over one store (embedded or PostgreSQL).
struct MediaRoutes: Sendable {
    let store: any MediaServerStore
    let configuration: MediaServerConfiguration
    let shape: RecordShape

    init(store: any MediaServerStore, configuration: MediaServerConfiguration) {
        self.store = store
        self.configuration = configuration
        shape = RecordShape(legacy: configuration.legacyShape)
    }

    func register(on router: Router<MediaRequestContext>) {
        let collection: RouterPath = "/v3/media"
        let item: RouterPath = "/v3/media/{id}"
        let info: RouterPath = "/v3/media/{id}/info"
        router.get(collection, use: list)
        router.post(collection, use: upload)
        router.get(item, use: download)
        router.head(item, use: download)
        router.delete(item, use: delete)
        router.get(info, use: self.info)
        router.put(info, use: updateInfo)
    }

    /// The methods a path of the API takes, or nil when it is not one of its paths.
    static func allowedMethods(path: String) -> [HTTPRequest.Method]? {
        let parts = path.split(separator: "/")
        guard parts.count >= 2, parts[0] == "v3", parts[1] == "media" else { return nil }
        switch parts.count {
        case 2: return [.get, .post]
        case 3: return [.get, .head, .delete]
        case 4 where parts[3] == "info": return [.get, .put]
        default: return nil
        }
    }
}

/// 405 with an Allow header, rather than the router's 404, for a known path with another method (any method at all).
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = MediaRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            // Only the router throws HTTPError: the routes' own 404s are Problems or MediaErrors.
            guard let allowed = MediaRoutes.allowedMethods(path: request.uri.path) else { throw error }
            let allow = allowed.map(\.rawValue).joined(separator: ", ")
            throw Problem(
                status: .methodNotAllowed, detail: "\(request.method.rawValue) is not allowed on \(request.uri.path); use \(allow)",
                headers: [.allow: allow])
        }
    }
}

extension MediaRoutes {
    // MARK: - GET /v3/media

    @Sendable func list(_ request: Request, _ context: MediaRequestContext) async throws -> Response {
        let account = try context.requireAccount()
        let parameters = try ListParameters(request: request, maxPageSize: configuration.maxPageSize, now: Date())
        let (items, total) = try await store.page(
            account: account, query: parameters.query, pageIndex: parameters.pageIndex, pageSize: parameters.pageSize,
            writer: PageItemsWriter.self, options: shape.legacy)
        let page = HALPage(
            items: items, count: total, pageIndex: parameters.pageIndex,
            pageSize: parameters.pageSize, linkQuery: parameters.linkQuery)
        return shape.json(page)
    }

    // MARK: - GET, PUT /v3/media/{id}/info

    @Sendable func info(_ request: Request, _ context: MediaRequestContext) async throws -> Response {
        let account = try context.requireAccount()
        let item = try await store.service(account: account).info(id: try Self.id(context))
        return shape.json(shape.record(item))
    }

    @Sendable func updateInfo(_ request: Request, _ context: MediaRequestContext) async throws -> Response {
        let account = try context.requireAccount()
        let id = try Self.id(context)
        let update = try await Self.readUpdate(request)
        try await store.service(account: account).update(id: id, update)
        return Response(status: .noContent)
    }

    /// The update in a PUT body: multipart/form-data as the seed says, or JSON or a urlencoded form as older clients send.
    private static func readUpdate(_ request: Request) async throws -> MediaUpdate {
        let contentType = request.headers[.contentType] ?? ""
        if let boundary = try MultipartForm.boundary(ofContentType: contentType) {
            let form = try await MultipartForm.read(request.body, boundary: boundary, maxBodyBytes: Int64(maxInfoBodyBytes))
            return try UpdateFields.update(fromForm: form.fields)
        }
        let type = HeaderParameters(contentType).value.lowercased()
        if type == "application/json" || type.hasSuffix("+json") {
            return try UpdateFields.update(fromJSON: Data(try await smallBody(request).readableBytesView))
        }
        if type == "application/x-www-form-urlencoded" {
            let text = String(buffer: try await smallBody(request))
            return try UpdateFields.update(fromForm: URLEncodedForm.fields(text))
        }
        throw Problem(
            status: .unsupportedMediaType,
            detail: "the body's Content-Type is '\(contentType)'; send multipart/form-data (or application/json) with the fields \(UpdateFields.names.joined(separator: ", "))")
    }

    /// The most a `PUT …/info` body may take, in any of its forms: it has seven short fields and no file.
    static let maxInfoBodyBytes = 1024 * 1024

    /// A body that has no business being large, collected whole (413 past maxInfoBodyBytes).
    private static func smallBody(_ request: Request) async throws -> ByteBuffer {
        let limit = maxInfoBodyBytes
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw Problem(status: .contentTooLarge, detail: "the body is larger than \(limit / 1024) KiB")
        }
    }

    // MARK: - DELETE /v3/media/{id}

    @Sendable func delete(_ request: Request, _ context: MediaRequestContext) async throws -> Response {
        let account = try context.requireAccount()
        try await store.service(account: account).delete(id: try Self.id(context))
        return Response(status: .noContent)
    }

    static func id(_ context: MediaRequestContext) throws -> String {
        guard let id = context.parameters.get("id"), !id.isEmpty else { throw Problem.badRequest("the path has no media id") }
        return id
    }
}

/// `application/x-www-form-urlencoded` pairs (`+` is a space).
enum URLEncodedForm {
    static func fields(_ text: String) throws -> [(name: String, value: String)] {
        try text.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) throws -> String {
                guard let decoded = s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding else {
                    throw Problem.badRequest("the form has a bad percent-encoding in '\(pair)'")
                }
                return decoded
            }
            return (try decode(parts[0]), parts.count > 1 ? try decode(parts[1]) : "")
        }
    }
}
