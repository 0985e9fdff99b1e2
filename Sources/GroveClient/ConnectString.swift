/// One server of a connect string: a host name or dotted quad and a TCP port.
public struct ServerAddress: Hashable, Sendable, CustomStringConvertible {
  /// Host name or IPv4 dotted quad.
  public var host: String
  /// TCP port (ZooKeeper's default is 2181).
  public var port: UInt16

  /// A server address from its parts.
  public init(host: String, port: UInt16) {
    self.host = host
    self.port = port
  }

  /// `"host:port"`.
  public var description: String { "\(host):\(port)" }
}

/// A parsed ZooKeeper connect string: `"h1:p1,h2:p2/chroot"`, as the Java client accepts it.
///
/// Ports default to 2181. The optional chroot suffix applies to the whole list: every path the
/// client names is taken relative to it.
public struct ConnectString: Hashable, Sendable {
  /// The servers, in the order written.
  public var servers: [ServerAddress]
  /// The chroot every path is relative to.
  public var chroot: Chroot

  /// ZooKeeper's default client port.
  public static let defaultPort: UInt16 = 2181

  /// Parses `text`.
  /// - Throws: `ZooKeeperError.invalidArgument` for an empty list, a bad port, or
  ///   `.invalidPath` for a chroot that breaks the path rules.
  public init(_ text: String) throws(ZooKeeperError) {
    var hostsPart = Substring(text)
    var chrootPath = ""
    if let slash = text.firstIndex(of: "/") {
      hostsPart = text[..<slash]
      chrootPath = String(text[slash...])
    }
    var servers: [ServerAddress] = []
    for item in hostsPart.split(separator: ",", omittingEmptySubsequences: true) {
      let entry = item.trimmingSpaces()
      guard !entry.isEmpty else { continue }
      if let colon = entry.lastIndex(of: ":") {
        guard let port = UInt16(entry[entry.index(after: colon)...]), port > 0 else {
          throw .invalidArgument("bad port in '\(entry)'")
        }
        let host = String(entry[..<colon])
        guard !host.isEmpty else { throw .invalidArgument("empty host in '\(entry)'") }
        servers.append(ServerAddress(host: host, port: port))
      } else {
        servers.append(ServerAddress(host: String(entry), port: Self.defaultPort))
      }
    }
    guard !servers.isEmpty else { throw .invalidArgument("no server in connect string '\(text)'") }
    self.servers = servers
    self.chroot = try Chroot(chrootPath)
  }
}

extension Substring {
  fileprivate func trimmingSpaces() -> Substring {
    var s = self
    while s.first == " " { s.removeFirst() }
    while s.last == " " { s.removeLast() }
    return s
  }
}
