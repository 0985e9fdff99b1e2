import CLinuxShims

/// An IPv4 address and TCP port, both in host byte order.
///
/// Grove runs on IPv4: servers listen on `0.0.0.0` or an address of `127.0.0.0/8`, and a local cluster
/// gives each node its own loopback address (`127.0.0.11`, `127.0.0.12`, ...).
public struct SocketAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The IPv4 address in host byte order (`127.0.0.1` is `0x7F00_0001`).
  public var ipv4: UInt32
  /// The TCP port; 0 asks the kernel for an ephemeral port when binding.
  public var port: UInt16

  /// An address from its numeric parts.
  public init(ipv4: UInt32, port: UInt16) {
    self.ipv4 = ipv4
    self.port = port
  }

  /// Parses a dotted-quad IPv4 address (`"127.0.0.1"`); no name lookup.
  /// - Throws: `TransportError.invalidAddress` when `host` is not a dotted quad.
  public init(host: String, port: UInt16) throws(TransportError) {
    var parsed: UInt32 = 0
    guard grove_parse_ipv4(host, &parsed) == 1 else { throw .invalidAddress(host) }
    self.init(ipv4: parsed, port: port)
  }

  /// Parses `"host:port"` with a dotted-quad host.
  /// - Throws: `TransportError.invalidAddress` when the text is not of that form.
  public init(parsing text: String) throws(TransportError) {
    guard let colon = text.lastIndex(of: ":"),
      let port = UInt16(text[text.index(after: colon)...])
    else { throw .invalidAddress(text) }
    try self.init(host: String(text[..<colon]), port: port)
  }

  /// Resolves a host name (`"localhost"`, or a dotted quad) to its first IPv4 address.
  ///
  /// Blocks the calling thread in `getaddrinfo`: never call it on an event-loop thread.
  /// - Throws: `TransportError.invalidAddress` when the name does not resolve to an IPv4 address.
  public static func resolve(host: String, port: UInt16) throws(TransportError) -> SocketAddress {
    if let numeric = try? SocketAddress(host: host, port: port) { return numeric }
    var resolved: UInt32 = 0
    guard grove_resolve_ipv4(host, &resolved) == 0 else { throw .invalidAddress(host) }
    return SocketAddress(ipv4: resolved, port: port)
  }

  /// `0.0.0.0:port`: every local address.
  public static func any(port: UInt16) -> SocketAddress { SocketAddress(ipv4: 0, port: port) }

  /// `127.0.0.1:port`.
  public static func loopback(port: UInt16) -> SocketAddress { SocketAddress(ipv4: 0x7F00_0001, port: port) }

  /// The address alone in dotted-quad form (`"127.0.0.12"`).
  public var host: String {
    "\(ipv4 >> 24).\((ipv4 >> 16) & 0xFF).\((ipv4 >> 8) & 0xFF).\(ipv4 & 0xFF)"
  }

  /// `"host:port"`.
  public var description: String { "\(host):\(port)" }

  /// Orders by address, then port.
  public static func < (a: SocketAddress, b: SocketAddress) -> Bool {
    (a.ipv4, a.port) < (b.ipv4, b.port)
  }
}
