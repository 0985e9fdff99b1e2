/// One member of the ensemble, from a `server.N=host:peerPort[:electionPort][:role][;[clientHost:]clientPort]` line.
public struct ServerEntry: Equatable, Sendable {
  public var id: UInt64
  public var host: String
  public var peerPort: UInt16
  /// ZooKeeper's leader-election port; accepted for compatibility, unused by Grove's Raft.
  public var electionPort: UInt16?
  /// `participant` (votes) or `observer` (Grove: a Raft learner).
  public var isObserver: Bool
  public var clientHost: String?
  public var clientPort: UInt16?
}

/// A server's configuration, in ZooKeeper's `zoo.cfg` format so existing configs carry over.
///
/// Defaults are ZooKeeper's. Grove's own keys start with `grove.` and are documented in the
/// README.
public struct ServerConfig: Equatable, Sendable {
  /// Milliseconds per tick: the unit of session-timeout bounds and Raft timing.
  public var tickTimeMs: Int = 3000
  public var initLimitTicks: Int = 10
  public var syncLimitTicks: Int = 5
  public var dataDir: String = ""
  public var dataLogDir: String?
  public var clientPort: UInt16?
  public var clientPortAddress: String = "0.0.0.0"
  /// Connections per client IP address; 0 = no limit. ZooKeeper's default is 60.
  public var maxClientCnxns: Int = 60
  /// Explicit bounds, or nil for ZooKeeper's defaults of 2 and 20 ticks.
  public var minSessionTimeoutMs: Int?
  public var maxSessionTimeoutMs: Int?
  /// Largest frame accepted from a client (`jute.maxbuffer`).
  public var juteMaxBufferBytes: Int = 0xfffff
  /// Four-letter words that may run; ZooKeeper's default whitelist is `srvr` alone.
  public var fourLetterWords: Set<String> = ["srvr"]
  /// TTL nodes (createTTL) are refused unless extended types are enabled, as ZooKeeper.
  public var extendedTypesEnabled: Bool = false
  public var servers: [ServerEntry] = []
  /// This node's id: `grove.myid`, else the `myid` file in dataDir (read by the runtime).
  public var myID: UInt64?
  /// Serve every read through ReadIndex (linearizable) instead of from the local tree.
  public var linearizableReads: Bool = false
  /// Port of the admin HTTP endpoint (`/metrics`); nil = off.
  public var adminPort: UInt16?
  /// A cluster's identity; peers from another cluster are refused.
  public var clusterID: String = "grove"
  /// Milliseconds per Raft tick; elections take `electionTicks` to `2 * electionTicks` ticks.
  /// Raft has its own tick, shorter than ZooKeeper's `tickTime`, so failover takes about a second.
  public var raftTickMs: Int = 100
  public var electionTicks: Int = 10
  /// Transactions applied between two snapshots of the tree (ZooKeeper's `snapCount`).
  public var snapshotTransactions: Int = 100_000
  /// Bytes of log entries applied between two snapshots, whichever threshold comes first.
  public var snapshotBytes: Int = 64 << 20
  /// The pace of writing a snapshot file, in MiB per second (0: as fast as the disk goes), so
  /// that the write-ahead log's fdatasyncs do not queue behind it.
  public var snapshotWriteMBps: Int = 16
  /// An empty data directory founds a new cluster (`new`, the first start) or rejoins an
  /// existing one (`existing`: after a lost disk; the node waits for the leader's snapshot and
  /// does not vote in terms it may have voted in before). As etcd's --initial-cluster-state.
  public var initialClusterNew: Bool = true
  /// How often the leader deletes empty containers and expired TTL nodes
  /// (ZooKeeper's `znode.container.checkIntervalMs`).
  public var reapIntervalMs: Int = 60_000

  public init() {}

  public var minSessionTimeoutMsEffective: Int { minSessionTimeoutMs ?? 2 * tickTimeMs }
  public var maxSessionTimeoutMsEffective: Int { maxSessionTimeoutMs ?? 20 * tickTimeMs }

  /// Clamps a client's requested session timeout into the configured bounds, as ZooKeeper.
  public func negotiatedSessionTimeoutMs(requested: Int32) -> Int32 {
    let lower = minSessionTimeoutMsEffective
    let upper = maxSessionTimeoutMsEffective
    return Int32(clamping: min(max(Int(requested), lower), upper))
  }
}
