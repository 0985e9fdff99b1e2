/// A ZooKeeper transaction id. In Grove it is the Raft log index of the entry that carried the
/// change (monotonic, gaps allowed); clients only compare zxids numerically.
public struct Zxid: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
  public var rawValue: Int64
  public init(rawValue: Int64) { self.rawValue = rawValue }
  public init(_ rawValue: Int64) { self.rawValue = rawValue }
  public static let zero = Zxid(0)
  public static func < (a: Zxid, b: Zxid) -> Bool { a.rawValue < b.rawValue }
  public var description: String { "0x" + String(UInt64(bitPattern: rawValue), radix: 16) }
}

/// A session's 64-bit id, as in `ConnectRequest.sessionId` and `Stat.ephemeralOwner`.
public struct SessionID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
  public var rawValue: Int64
  public init(rawValue: Int64) { self.rawValue = rawValue }
  public init(_ rawValue: Int64) { self.rawValue = rawValue }
  public static let none = SessionID(0)
  public static func < (a: SessionID, b: SessionID) -> Bool { a.rawValue < b.rawValue }
  public var description: String { "0x" + String(UInt64(bitPattern: rawValue), radix: 16) }
}

/// A request's id on its connection; negative values are reserved (see `Xid.notification`).
public struct Xid: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
  public var rawValue: Int32
  public init(rawValue: Int32) { self.rawValue = rawValue }
  public init(_ rawValue: Int32) { self.rawValue = rawValue }
  /// A watch event pushed by the server.
  public static let notification = Xid(-1)
  public static let ping = Xid(-2)
  public static let auth = Xid(-4)
  public static let setWatches = Xid(-8)
  public var description: String { String(rawValue) }
}
