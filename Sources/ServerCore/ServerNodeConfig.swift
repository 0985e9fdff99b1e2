import RaftCore

/// What one server node needs to know about itself and its limits. Times are milliseconds of
/// the leader's wall clock, which arrives with every event (`nowMs`); Raft counts ticks.
public struct ServerNodeConfig: Sendable {
  public var nodeID: NodeID
  /// Milliseconds per Raft tick (ZooKeeper's `tickTime`).
  public var tickMs: Int64 = 2000
  /// Raft election timeout in ticks.
  public var electionTicks: Int = 10
  public var heartbeatTicks: Int = 1
  /// Bounds a client's requested session timeout is clamped into.
  public var sessionTimeoutMsMin: Int32 = 4000
  public var sessionTimeoutMsMax: Int32 = 40000
  /// Largest frame accepted from a client (`jute.maxbuffer`).
  public var frameBytesMax: Int = 0xfffff
  /// Requests a connection may have queued before the node stops reading it.
  public var pendingRequestsMax: Int = 1000
  /// Commands per Raft entry at most; also bounds the zxid's position field.
  public var commandsPerEntryMax: Int = 4096
  /// TTL nodes need ZooKeeper's extended types.
  public var extendedTypesEnabled: Bool = false
  /// Four-letter words that may run.
  public var fourLetterWords: Set<String> = ["srvr"]
  /// How often the leader looks for empty containers and expired TTL nodes.
  public var reapIntervalMs: Int64 = 60_000
  /// Serve every read through ReadIndex instead of from the local tree at once.
  public var linearizableReads: Bool = false
  /// A write not applied within this long closes its connection: the client learns the outcome
  /// is unknown (connection loss) instead of waiting forever across a leader change.
  public var writeTimeoutMs: Int64 = 10_000
  /// Seeds session passwords; the runtime draws it from the OS at start.
  public var secret: UInt64 = 0
  /// Lines for `conf` and `envi`, rendered by the runtime.
  public var configLines: [(String, String)] = []
  public var environmentLines: [(String, String)] = []
  /// Shown by `srvr` and `stat`.
  public var version: String = "Grove 0.1"

  public init(nodeID: NodeID) { self.nodeID = nodeID }

  /// How long a node may be without a leader before it sends its clients elsewhere.
  public var electionTimeoutMs: Int64 { tickMs * Int64(electionTicks) }

  /// Clamps a client's requested session timeout into the bounds, as ZooKeeper.
  public func negotiatedTimeoutMs(_ requested: Int32) -> Int32 {
    min(max(requested, sessionTimeoutMsMin), sessionTimeoutMsMax)
  }
}
