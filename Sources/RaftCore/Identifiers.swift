/// A Raft node's id within its cluster (ZooKeeper's `server.N`). 0 means "none".
public struct NodeID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
  public var rawValue: UInt64
  public init(rawValue: UInt64) { self.rawValue = rawValue }
  public init(_ rawValue: UInt64) { self.rawValue = rawValue }
  public static let none = NodeID(0)
  public static func < (a: NodeID, b: NodeID) -> Bool { a.rawValue < b.rawValue }
  public var description: String { String(rawValue) }
}

/// A Raft term (Raft §5.1): a logical clock that only grows.
public struct Term: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
  public var rawValue: UInt64
  public init(rawValue: UInt64) { self.rawValue = rawValue }
  public init(_ rawValue: UInt64) { self.rawValue = rawValue }
  public static let zero = Term(0)
  public static func < (a: Term, b: Term) -> Bool { a.rawValue < b.rawValue }
  public var next: Term { Term(rawValue + 1) }
  public var description: String { String(rawValue) }
}

/// A position in the Raft log; the first entry is at 1, and 0 stands before the log.
/// Grove uses it as the ZooKeeper zxid of the changes the entry carries.
public struct LogIndex: RawRepresentable, Hashable, Comparable, Strideable, Sendable,
  CustomStringConvertible
{
  public var rawValue: UInt64
  public init(rawValue: UInt64) { self.rawValue = rawValue }
  public init(_ rawValue: UInt64) { self.rawValue = rawValue }
  public static let zero = LogIndex(0)
  public static func < (a: LogIndex, b: LogIndex) -> Bool { a.rawValue < b.rawValue }
  public func distance(to other: LogIndex) -> Int64 {
    Int64(bitPattern: other.rawValue &- rawValue)
  }
  public func advanced(by n: Int64) -> LogIndex { LogIndex(UInt64(bitPattern: Int64(bitPattern: rawValue) &+ n)) }
  public var next: LogIndex { LogIndex(rawValue + 1) }
  public var previous: LogIndex {
    precondition(rawValue > 0, "no index before 0")
    return LogIndex(rawValue - 1)
  }
  public var description: String { String(rawValue) }
}
