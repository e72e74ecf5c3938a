import Hummingbird
import NIOCore

/// What one request carries between the middleware and the routes: its connection, its id and who signed in.
public struct MediaRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connection, so a drop fault can close it.
    let channel: (any Channel)?
    /// The account the request authenticated as, or nil when it carried no credentials.
    var account: String?
    /// The id the answer and the log share (set by RequestIDMiddleware).
    var requestID = ""

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
        account = nil
    }

    /// The signed-in account; 401 for a request without credentials.
    func requireAccount() throws -> String {
        guard let account else {
            throw Problem.unauthorized(
                "this request needs credentials: Basic auth with the API key and secret, api_key and api_secret query parameters, or a Bearer JWT")
        }
        return account
    }
}
