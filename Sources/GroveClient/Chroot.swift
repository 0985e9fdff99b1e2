import ZooKeeperWire

/// The subtree a client is confined to: client paths are relative to it, as the Java client's
/// chroot ("host:port/app" makes "/a" mean "/app/a" on the server).
public struct Chroot: Hashable, Sendable {
  /// The server-side prefix; empty for no chroot.
  public let prefix: String

  /// No chroot.
  public static let none = try! Chroot("")

  /// A chroot at `path` ("" or "/" for none).
  /// - Throws: `ZooKeeperError.invalidPath` when `path` breaks the path rules.
  public init(_ path: String) throws(ZooKeeperError) {
    if path.isEmpty || path == "/" {
      prefix = ""
      return
    }
    do {
      try validatePath(path)
    } catch {
      if case .invalidPath(let p, let reason) = error { throw .invalidPath(path: p, reason: reason) }
      throw .invalidPath(path: path, reason: "\(error)")
    }
    prefix = path
  }

  /// The server path for a client path ("/" maps to the chroot itself).
  public func serverPath(_ clientPath: String) -> String {
    if prefix.isEmpty { return clientPath }
    return clientPath == "/" ? prefix : prefix + clientPath
  }

  /// The client path for a server path; paths outside the chroot are returned unchanged.
  public func clientPath(_ serverPath: String) -> String {
    if prefix.isEmpty { return serverPath }
    guard serverPath.hasPrefix(prefix) else { return serverPath }
    if serverPath.utf8.count == prefix.utf8.count { return "/" }
    let rest = serverPath.dropFirst(prefix.count)
    guard rest.first == "/" else { return serverPath }
    return String(rest)
  }
}
