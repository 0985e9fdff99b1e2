/// Identifies one connection for the life of its event loop; never reused by that loop.
///
/// Other threads refer to a connection by this id (the `Connection` object itself is loop-confined):
/// `loop.execute { loop.connection(id)?.write(reply) }`.
public struct ConnectionID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
  public var rawValue: UInt64
  public init(rawValue: UInt64) { self.rawValue = rawValue }
  public static func < (a: ConnectionID, b: ConnectionID) -> Bool { a.rawValue < b.rawValue }
  public var description: String { "conn#\(rawValue)" }
}

/// Identifies one listener for the life of its event loop; never reused by that loop.
public struct ListenerID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
  public var rawValue: UInt64
  public init(rawValue: UInt64) { self.rawValue = rawValue }
  public static func < (a: ListenerID, b: ListenerID) -> Bool { a.rawValue < b.rawValue }
  public var description: String { "listener#\(rawValue)" }
}

/// Identifies one scheduled timer; `EventLoop.cancelTimer(_:)` takes it. Never reused by a loop.
public struct TimerID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
  public var rawValue: UInt64
  public init(rawValue: UInt64) { self.rawValue = rawValue }
  public static func < (a: TimerID, b: TimerID) -> Bool { a.rawValue < b.rawValue }
  public var description: String { "timer#\(rawValue)" }
}
