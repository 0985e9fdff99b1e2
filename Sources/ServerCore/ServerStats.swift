/// Counters the four-letter words and metrics report.
public struct ServerStats: Sendable {
  public var packetsReceived: UInt64 = 0
  public var packetsSent: UInt64 = 0
  public var connectionsAccepted: UInt64 = 0
  public var malformedFrames: UInt64 = 0
  public var sessionsExpired: UInt64 = 0
  public var leaderElections: UInt64 = 0
  /// Raft entries proposed, and the commands they carried.
  public var proposals: UInt64 = 0
  public var commandsProposed: UInt64 = 0
  public var commandsApplied: UInt64 = 0
  /// Request latency in ms, from arrival to reply, over answered requests.
  public var latencyMinMs: Int64 = 0
  public var latencyMaxMs: Int64 = 0
  public var latencyTotalMs: Int64 = 0
  public var latencyCount: UInt64 = 0
  /// Leader: ms from proposing an entry to applying it (a quorum made it durable meanwhile).
  public var commitLatencyTotalMs: Int64 = 0
  public var commitLatencyMaxMs: Int64 = 0
  public var commitLatencyCount: UInt64 = 0

  public init() {}

  public var latencyAvgMs: Double { latencyCount == 0 ? 0 : Double(latencyTotalMs) / Double(latencyCount) }

  public var commitLatencyAvgMs: Double {
    commitLatencyCount == 0 ? 0 : Double(commitLatencyTotalMs) / Double(commitLatencyCount)
  }

  mutating func recordCommitLatency(_ ms: Int64) {
    let ms = max(0, ms)
    commitLatencyTotalMs += ms
    commitLatencyCount += 1
    if ms > commitLatencyMaxMs { commitLatencyMaxMs = ms }
  }

  mutating func recordLatency(_ ms: Int64) {
    let ms = max(0, ms)
    if latencyCount == 0 || ms < latencyMinMs { latencyMinMs = ms }
    if ms > latencyMaxMs { latencyMaxMs = ms }
    latencyTotalMs += ms
    latencyCount += 1
  }

  /// `srst`: latency and packet counters back to zero.
  mutating func reset() {
    packetsReceived = 0
    packetsSent = 0
    latencyMinMs = 0
    latencyMaxMs = 0
    latencyTotalMs = 0
    latencyCount = 0
  }
}
