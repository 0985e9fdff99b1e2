import DataTree
import RaftCore
import ZooKeeperWire

/// What the node asks its shell to do, in order. The core never touches a socket or a file.
public enum ServerAction: Sendable {
  /// Queue bytes on a client connection.
  case send(ClientID, [UInt8])
  /// Close a client connection once what was queued on it is written.
  case close(ClientID)
  /// Stop reading a connection (its queue of requests is full), or start again.
  case pauseReading(ClientID)
  case resumeReading(ClientID)
  /// Send a Raft message to a peer.
  case sendPeer(Message)
  /// A follower hands client writes to the leader: a `CommandBatch` payload. The leader
  /// re-stamps the time and proposes them; the follower answers its clients when they apply.
  case forward(to: NodeID, payload: [UInt8])
  /// A follower tells the leader which of its clients' sessions it heard from.
  case sessionActivity(to: NodeID, sessions: [SessionID])
  /// Make this durable, then call `ServerNode.persisted()`.
  case persist(PersistWork)
  /// Serialize this copy of the tree off the loop thread and hand it to Raft's storage as the
  /// snapshot at `metadata.index`; the log before it may then be compacted.
  case saveSnapshot(SnapshotMetadata, DataTree)
  /// A line for the operator's log.
  case log(LogLine)
}

/// Work for the write-ahead log: the snapshot first, then entries, then the hard state.
public struct PersistWork: Sendable, Equatable {
  public var snapshot: Snapshot?
  public var entries: [Entry]
  public var hardState: HardState?
}

/// A log line the core wants written.
public struct LogLine: Sendable, Equatable {
  public enum Level: Sendable, Equatable { case debug, info, warn, error }
  public var level: Level
  public var message: String
  public init(_ level: Level, _ message: String) {
    self.level = level
    self.message = message
  }
}
