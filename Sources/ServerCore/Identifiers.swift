/// A client connection as the core knows it; the runtime maps its sockets onto these.
/// It also names the connection as a watcher (`WatcherID` with the same raw value), since
/// ZooKeeper's watches belong to a connection, not to a session.
public struct ClientID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
  public var rawValue: UInt64
  public init(rawValue: UInt64) { self.rawValue = rawValue }
  public init(_ rawValue: UInt64) { self.rawValue = rawValue }
  public static func < (a: ClientID, b: ClientID) -> Bool { a.rawValue < b.rawValue }
  public var description: String { "client#\(rawValue)" }
}
