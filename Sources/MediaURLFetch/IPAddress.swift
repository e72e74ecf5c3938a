#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// An IPv4 or IPv6 address, and whether it lies on the public internet: what a server may
/// fetch a url from without reaching into its own machine or network.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 (IPv6), in network order.
    public let bytes: [UInt8]

    /// A numeric address as written (`10.0.0.1`, `::1`, `fe80::1%eth0`, `::ffff:127.0.0.1`); nil otherwise.
    public init?(_ text: String) {
        let address = text.split(separator: "%", maxSplits: 1).first.map(String.init) ?? text
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, address, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return
        }
        return nil
    }

    package init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// The address as a connection takes it (`inet_ntop`: `127.0.0.1`, `2001:db8::1`).
    public var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        let written = bytes.withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &text, socklen_t(text.count)) }
        guard written != nil else { return bytes.map(String.init).joined(separator: ".") }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The kind of non-public range the address lies in ("loopback", "private", …), or nil when it is public.
    /// IPv6 forms that carry an IPv4 address (mapped, NAT64, 6to4) are judged by that address.
    public var nonPublicRange: String? {
        if bytes.count == 4 {
            return Self.v4Ranges.first { matches($0.prefix, $0.length) }?.name
        }
        if let embedded = embeddedIPv4 {
            return embedded.nonPublicRange.map { "\($0) (inside an IPv6 address)" }
        }
        if let range = Self.v6Ranges.first(where: { matches($0.prefix, $0.length) }) {
            return range.name
        }
        // Only 2000::/3 is global unicast; everything else is reserved.
        return matches([0x20], 3) ? nil : "reserved"
    }

    /// The IPv4 address an IPv6 address stands for: IPv4-mapped (::ffff:a.b.c.d), the NAT64
    /// well-known prefix (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::).
    var embeddedIPv4: IPAddress? {
        guard bytes.count == 16 else { return nil }
        if matches([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], 96) || matches([0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], 96) {
            return IPAddress(bytes: Array(bytes[12..<16]))
        }
        if matches([0x20, 0x02], 16) {
            return IPAddress(bytes: Array(bytes[2..<6]))
        }
        return nil
    }

    private func matches(_ prefix: [UInt8], _ length: Int) -> Bool {
        for bit in 0..<length {
            let byte = bit / 8, mask = UInt8(0x80) >> UInt8(bit % 8)
            let wanted = byte < prefix.count ? prefix[byte] & mask : 0
            if bytes[byte] & mask != wanted { return false }
        }
        return true
    }

    private typealias Block = (prefix: [UInt8], length: Int, name: String)

    /// IANA's IPv4 special-purpose ranges that are not globally reachable, plus multicast and reserved.
    private static let v4Ranges: [Block] = [
        ([0], 8, "unspecified (this network)"),
        ([10], 8, "private"),
        ([100, 64], 10, "shared (carrier-grade NAT)"),
        ([127], 8, "loopback"),
        ([169, 254], 16, "link-local"),
        ([172, 16], 12, "private"),
        ([192, 0, 0], 24, "IETF protocol assignments"),
        ([192, 0, 2], 24, "documentation"),
        ([192, 88, 99], 24, "6to4 relay"),
        ([192, 168], 16, "private"),
        ([198, 18], 15, "benchmarking"),
        ([198, 51, 100], 24, "documentation"),
        ([203, 0, 113], 24, "documentation"),
        ([224], 4, "multicast"),
        ([240], 4, "reserved"),
    ]

    /// IPv6 special-purpose ranges that are not globally reachable (those carrying IPv4 are judged above).
    private static let v6Ranges: [Block] = [
        ([0], 128, "unspecified"),
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 128, "loopback"),
        ([0], 8, "reserved (IPv4-compatible)"),
        ([0, 0x64, 0xff, 0x9b, 0, 1], 48, "local-use NAT64"),
        ([0x01], 64, "discard"),
        ([0x20, 0x01, 0x0d, 0xb8], 32, "documentation"),
        ([0x20, 0x01], 23, "IETF protocol assignments"),
        ([0x3f, 0xff], 20, "documentation"),
        ([0xfc], 7, "unique local (private)"),
        ([0xfe, 0x80], 10, "link-local"),
        ([0xfe, 0xc0], 10, "site-local"),
        ([0xff], 8, "multicast"),
    ]
}
