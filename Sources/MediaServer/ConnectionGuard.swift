import HTTPTypes
import HummingbirdCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTPTypes

/// The limits a connection is held to besides Hummingbird's idle timeout, which a client resets
/// with every byte it trickles and which never fires while an answer is being written:
/// - a request head must arrive within `headTimeout` of its first byte;
/// - a request body must arrive at `minimumBodyRate` bytes a second or more, over every
///   `idleTimeout` the server spends waiting for it (time the server is not asking for more, because
///   it is busy with what it has, does not count against the client);
/// - an answer whose bytes make no progress for `idleTimeout` (a client that reads nothing, or a
///   byte now and then) is cut off;
/// - an answer to a request whose body has not all arrived (a 401, a 413, …) says `Connection:
///   close`, ends the connection's sending side, and the connection is closed at most `linger` later
///   whatever the client still sends: a refused body is never read to its end;
/// - one address may hold at most `maxConnectionsPerAddress` connections; past it a connection gets
///   a 503 and is closed.
struct ConnectionLimits: Sendable {
    var headTimeout: TimeAmount
    var idleTimeout: TimeAmount
    var minimumBodyRate: Int
    var linger: TimeAmount
    var maxConnectionsPerAddress: Int
}

/// HTTP/1.1 as Hummingbird serves it, with a `ConnectionGuard` at the front of every connection's
/// pipeline (it sees the bytes) and a `ConnectionGuard.Parts` after the HTTP codec (it sees the
/// requests and answers).
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let inner: HTTP1Channel
    let limits: ConnectionLimits
    let addresses: AddressCounter
    let logger: Logger

    init(responder: @escaping HTTPChannelHandler.Responder, limits: ConnectionLimits, logger: Logger) {
        self.inner = HTTP1Channel(
            responder: responder,
            configuration: .init(additionalChannelHandlers: [ConnectionGuard.Parts()], idleTimeout: limits.idleTimeout))
        self.limits = limits
        self.addresses = AddressCounter(limit: limits.maxConnectionsPerAddress)
        self.logger = logger
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let address = channel.remoteAddress?.ipAddress ?? "unknown"
        let admitted = addresses.admit(address)
        let addresses = self.addresses
        channel.closeFuture.whenComplete { _ in
            if admitted { addresses.release(address) }
        }
        do {
            let front = ConnectionGuard(limits: limits, logger: self.logger, address: address, refuse: !admitted)
            try channel.pipeline.syncOperations.addHandler(front, position: .first)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return inner.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

/// How many connections each address holds, for the per-address limit.
final class AddressCounter: Sendable {
    private let counts = NIOLockedValueBox<[String: Int]>([:])
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts a new connection from `address`; false (and not counted) when it already holds `limit`.
    func admit(_ address: String) -> Bool {
        counts.withLockedValue { counts in
            let held = counts[address, default: 0]
            guard held < limit else { return false }
            counts[address] = held + 1
            return true
        }
    }

    func release(_ address: String) {
        counts.withLockedValue { counts in
            let held = counts[address, default: 0]
            counts[address] = held > 1 ? held - 1 : nil
        }
    }
}

/// The front of a connection's pipeline: times the client's bytes in and the answer's bytes out
/// against `ConnectionLimits`, and closes the connection that breaks them. All on the channel's event loop.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private let limits: ConnectionLimits
    private let logger: Logger
    private let address: String
    private let refuse: Bool

    /// Whether the pipeline has asked for bytes it has not had yet (false while it is busy with
    /// what it has: then the client is not the one keeping the request waiting).
    private var readDemanded = false
    private var lastAccounted = NIODeadline.now()

    /// A request is being received: from its first byte to its `.end`.
    private var receiving = false
    private var headReceived = false
    /// Time spent waiting for the client since the request began (its head) or since the body's window began.
    private var waited = TimeAmount.zero
    private var windowBytes = 0

    private var pendingWrites = 0
    private var lastWriteProgress = NIODeadline.now()

    private var lingering = false
    private var refused = false
    private var closed = false
    private var timer: Scheduled<Void>?
    private var timerDeadline: NIODeadline?

    init(limits: ConnectionLimits, logger: Logger, address: String, refuse: Bool) {
        self.limits = limits
        self.logger = logger
        self.address = address
        self.refuse = refuse
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { refuseIfOverLimit(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        refuseIfOverLimit(context)
        context.fireChannelActive()
    }

    /// Answers 503 and ends the connection of an address over its limit (once).
    private func refuseIfOverLimit(_ context: ChannelHandlerContext) {
        guard refuse, !refused else { return }
        refused = true
        logger.warning("refused a connection: its address holds the most connections allowed", metadata: [
            "address": "\(address)", "limit": "\(limits.maxConnectionsPerAddress)",
        ])
        let body = #"{"type":"https://developer.nexmo.com/api-errors/media#service-unavailable","title":"Service Unavailable","detail":"too many connections from your address; close some and retry"}"#
        let head = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(ByteBuffer(string: head + body))), promise: written)
        written.futureResult.assumeIsolated().whenComplete { _ in self.endSending(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    // MARK: Bytes in

    func read(context: ChannelHandlerContext) {
        account()
        readDemanded = true
        context.read()
        schedule(context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        account()
        let count = unwrapInboundIn(data).readableBytes
        if !receiving {
            receiving = true
            headReceived = false
            waited = .zero
            windowBytes = 0
        } else if headReceived {
            windowBytes += count
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        account()
        readDemanded = false
        context.fireChannelReadComplete()
        schedule(context)
    }

    /// `Parts` saw a request's head: from now on its body is held to the minimum rate.
    fileprivate func requestHeadReceived(context: ChannelHandlerContext) {
        account()
        headReceived = true
        waited = .zero
        windowBytes = 0
    }

    /// `Parts` saw a request's end: nothing more is owed.
    fileprivate func requestEnded(context: ChannelHandlerContext) {
        account()
        receiving = false
        headReceived = false
        waited = .zero
        windowBytes = 0
    }

    /// Adds the time since the last event to what the client owes, if the server was waiting for its bytes.
    private func account() {
        let now = NIODeadline.now()
        if receiving, readDemanded {
            waited = waited + (now - lastAccounted)
        }
        lastAccounted = now
    }

    // MARK: Bytes out

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if pendingWrites == 0 { lastWriteProgress = .now() }
        pendingWrites += 1
        let tracked = promise ?? context.eventLoop.makePromise(of: Void.self)
        tracked.futureResult.assumeIsolated().whenComplete { _ in
            self.pendingWrites -= 1
            self.lastWriteProgress = .now()
        }
        context.write(data, promise: tracked)
        schedule(context)
    }

    /// `Parts` answered a request whose body had not all arrived: once the answer is sent, end the
    /// sending side (the client sees the end of the answer) and close the connection after `linger`,
    /// whatever it still sends.
    fileprivate func endSending(context: ChannelHandlerContext) {
        guard !lingering, !closed else { return }
        lingering = true
        context.close(mode: .output, promise: nil)
        context.eventLoop.assumeIsolated().scheduleTask(in: limits.linger) {
            context.close(promise: nil)
        }
    }

    // MARK: The deadline

    /// The next moment a limit could be broken, given what is known now; nil when none can.
    private func nextDeadline() -> NIODeadline? {
        var deadlines: [NIODeadline] = []
        if receiving, readDemanded {
            let allowed = headReceived ? limits.idleTimeout : limits.headTimeout
            deadlines.append(lastAccounted + (allowed - waited))
        }
        if pendingWrites > 0 {
            deadlines.append(lastWriteProgress + limits.idleTimeout)
        }
        return deadlines.min()
    }

    private func schedule(_ context: ChannelHandlerContext) {
        guard !closed, let deadline = nextDeadline() else { return }
        if let timerDeadline, timerDeadline <= deadline, timer != nil { return }
        timer?.cancel()
        timerDeadline = deadline
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.timer = nil
            self.timerDeadline = nil
            self.check(context)
        }
    }

    private func check(_ context: ChannelHandlerContext) {
        guard !closed else { return }
        account()
        let now = NIODeadline.now()
        var reason: String?
        if receiving, !headReceived, waited >= limits.headTimeout {
            reason = "the request head did not arrive within \(Self.text(limits.headTimeout))"
        } else if receiving, headReceived, waited >= limits.idleTimeout {
            let needed = Int64(limits.minimumBodyRate) * limits.idleTimeout.nanoseconds / 1_000_000_000
            if Int64(windowBytes) < needed {
                reason = "the request body came slower than \(limits.minimumBodyRate) bytes a second (\(windowBytes) bytes in \(Self.text(limits.idleTimeout)))"
            } else {
                waited = .zero
                windowBytes = 0
            }
        }
        if reason == nil, pendingWrites > 0, now - lastWriteProgress >= limits.idleTimeout {
            reason = "the client read none of the answer for \(Self.text(limits.idleTimeout))"
        }
        if let reason {
            logger.warning("closed a connection", metadata: ["address": "\(address)", "reason": "\(reason)"])
            closed = true
            context.close(promise: nil)
            return
        }
        schedule(context)
    }

    static func text(_ amount: TimeAmount) -> String {
        let ms = amount.nanoseconds / 1_000_000
        return ms % 1000 == 0 ? "\(ms / 1000)s" : "\(ms)ms"
    }
}

extension ConnectionGuard {
    /// After the HTTP codec: tells the guard where requests begin and end, and makes an answer given
    /// before its request's body has all arrived the connection's last.
    final class Parts: ChannelDuplexHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPRequestPart
        typealias InboundOut = HTTPRequestPart
        typealias OutboundIn = HTTPResponsePart
        typealias OutboundOut = HTTPResponsePart

        private weak var front: ConnectionGuard?
        private var requestsEnded = 0
        private var responsesEnded = 0
        private var closeAfterAnswer = false

        init() {}

        func handlerAdded(context: ChannelHandlerContext) {
            front = try? context.pipeline.syncOperations.handler(type: ConnectionGuard.self)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head: front?.requestHeadReceived(context: context)
            case .body: break
            case .end:
                requestsEnded += 1
                front?.requestEnded(context: context)
            }
            context.fireChannelRead(data)
        }

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            switch unwrapOutboundIn(data) {
            case .head(var head) where head.status.code >= 200:
                // The request being answered is the one after the last answered; its end not seen yet
                // means its body is still coming, and will not be read.
                if requestsEnded <= responsesEnded {
                    closeAfterAnswer = true
                    head.headerFields[.connection] = "close"
                    context.write(wrapOutboundOut(.head(head)), promise: promise)
                    return
                }
            case .end:
                responsesEnded += 1
                if closeAfterAnswer {
                    let sent = promise ?? context.eventLoop.makePromise(of: Void.self)
                    sent.futureResult.assumeIsolated().whenComplete { _ in
                        self.front?.endSending(context: context)
                    }
                    context.write(data, promise: sent)
                    return
                }
            default:
                break
            }
            context.write(data, promise: promise)
        }
    }
}
