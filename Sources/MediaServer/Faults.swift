import Hummingbird
import MediaAPI
import NIOConcurrencyHelpers
import NIOCore

/// Injected misbehaviour for testing clients and for benchmarks (media-server --fault-* flags).
public struct FaultPlan: Sendable, Hashable {
    /// Added to every request.
    public var latency: Duration = .zero
    /// Every Nth request answers 429 with Retry-After.
    public var rateLimitEvery: Int? = nil
    public var retryAfterSeconds: Double = 1
    /// Fraction of requests answered 500 or 503, at random.
    public var serverErrorRate: Double = 0
    /// Fraction of requests whose connection is closed with no answer.
    public var dropRate: Double = 0
    /// Seeds the randomness, so a run with the same requests misbehaves the same way.
    public var seed: UInt64 = 1

    public static let none = FaultPlan()

    public init(
        latency: Duration = .zero, rateLimitEvery: Int? = nil, retryAfterSeconds: Double = 1,
        serverErrorRate: Double = 0, dropRate: Double = 0, seed: UInt64 = 1
    ) {
        self.latency = latency
        self.rateLimitEvery = rateLimitEvery
        self.retryAfterSeconds = retryAfterSeconds
        self.serverErrorRate = serverErrorRate
        self.dropRate = dropRate
        self.seed = seed
    }

    /// True when it injects nothing (the server then skips the fault middleware entirely).
    public var isNone: Bool { self == .none }
}

/// Applies a FaultPlan before a request reaches the routes.
struct FaultMiddleware: RouterMiddleware {
    typealias Context = MediaRequestContext

    let plan: FaultPlan
    private let state: NIOLockedValueBox<(count: Int, random: SplitMix64)>

    init(plan: FaultPlan) {
        self.plan = plan
        state = NIOLockedValueBox((0, SplitMix64(seed: plan.seed)))
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if plan.latency > .zero {
            try await Task.sleep(for: plan.latency)
        }
        let (count, draw, coin) = state.withLockedValue { state in
            state.count += 1
            return (state.count, state.random.nextUnit(), state.random.nextUnit())
        }
        if let every = plan.rateLimitEvery, every > 0, count % every == 0 {
            throw Problem(
                status: .tooManyRequests,
                detail: "injected fault: every \(every)th request is rate limited; retry after \(plan.retryAfterSeconds) s",
                headers: [.retryAfter: Self.seconds(plan.retryAfterSeconds)])
        }
        if draw < plan.dropRate {
            // Closing without an answer is what a crashed peer or a dropped connection looks like to a client.
            context.channel?.close(mode: .all, promise: nil)
            throw Problem(status: .serviceUnavailable, detail: "injected fault: connection dropped", injected: true)
        }
        if draw < plan.dropRate + plan.serverErrorRate {
            let status: HTTPResponse.Status = coin < 0.5 ? .internalServerError : .serviceUnavailable
            throw Problem(status: status, detail: "injected fault: a server error at random (\(status.code))", injected: true)
        }
        return try await next(request, context)
    }

    /// Retry-After in whole seconds when it is whole, else with a fraction (clients here read both).
    static func seconds(_ value: Double) -> String {
        value.rounded() == value ? String(Int(value)) : String(value)
    }
}
