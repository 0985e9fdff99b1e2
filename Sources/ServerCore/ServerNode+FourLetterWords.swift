import DataTree
import RaftCore
import ZooKeeperWire

extension ServerNode {
  /// Answers a four-letter word sent instead of a ConnectRequest, then closes the connection,
  /// as ZooKeeper's NIOServerCnxn does. Words outside the whitelist get ZooKeeper's refusal.
  mutating func answerFourLetterWord(_ word: FourLetterWord, client id: ClientID) {
    let name = "\(word)"
    let text: String
    if config.fourLetterWords.contains(name) {
      text = fourLetterWordText(word, asking: id)
    } else {
      text = "\(name) is not executed because it is not in the whitelist.\n"
    }
    send(id, Array(text.utf8))
    close(id, reason: "four-letter word \(name)")
  }

  /// The Raft role as ZooKeeper's `Mode:` line names it.
  public var mode: String {
    if raft.confState.voters.count <= 1 && raft.confState.learners.isEmpty { return "standalone" }
    switch role {
    case .leader: return "leader"
    case .follower: return leader == .none ? "looking" : "follower"
    case .candidate, .preCandidate: return "looking"
    }
  }

  public var outstandingRequests: Int {
    clients.values.reduce(0) { $0 + $1.pendingCount }
  }

  public var ephemeralCount: Int { tree.sessions.reduce(0) { $0 + $1.ephemeralCount } }

  /// Metrics in `mntr`'s tab-separated `zk_*` form, plus Grove's Raft figures.
  public func metrics() -> [(String, String)] {
    let status = raft.status
    var lines: [(String, String)] = [
      ("zk_version", config.version),
      ("zk_server_state", mode),
      ("zk_avg_latency", formatLatency(stats.latencyAvgMs)),
      ("zk_max_latency", String(stats.latencyMaxMs)),
      ("zk_min_latency", String(stats.latencyMinMs)),
      ("zk_packets_received", String(stats.packetsReceived)),
      ("zk_packets_sent", String(stats.packetsSent)),
      ("zk_num_alive_connections", String(clients.count)),
      ("zk_outstanding_requests", String(outstandingRequests)),
      ("zk_znode_count", String(tree.nodeCount)),
      ("zk_watch_count", String(watches.watchCount)),
      ("zk_ephemerals_count", String(ephemeralCount)),
      ("zk_global_sessions", String(tree.sessions.count)),
    ]
    if role == .leader && mode != "standalone" {
      let followers = status.confState.voters.count + status.confState.learners.count - 1
      let synced = status.matches.filter { $0.key != config.nodeID && $0.value >= status.commit }.count
      lines += [
        ("zk_followers", String(followers)),
        ("zk_synced_followers", String(synced)),
        ("zk_pending_syncs", String(readIndexWaiters.count)),
      ]
    }
    lines += [
      ("grove_raft_term", String(status.term.rawValue)),
      ("grove_raft_leader", String(status.lead.rawValue)),
      ("grove_raft_commit_index", String(status.commit.rawValue)),
      ("grove_raft_applied_index", String(appliedIndex.rawValue)),
      ("grove_raft_last_index", String(status.lastIndex.rawValue)),
      ("grove_raft_elections_won", String(stats.leaderElections)),
      ("grove_proposals", String(stats.proposals)),
      ("grove_commit_latency_avg_ms", formatLatency(stats.commitLatencyAvgMs)),
      ("grove_commit_latency_max_ms", String(stats.commitLatencyMaxMs)),
      ("grove_commands_proposed", String(stats.commandsProposed)),
      ("grove_commands_applied", String(stats.commandsApplied)),
      ("grove_sessions_expired", String(stats.sessionsExpired)),
      ("grove_malformed_frames", String(stats.malformedFrames)),
    ]
    return lines + runtimeMetrics
  }

  mutating func fourLetterWordText(_ word: FourLetterWord, asking id: ClientID) -> String {
    switch word {
    case .ruok:
      return "imok"
    case .isro:
      return "rw"
    case .srvr:
      return serverSummary()
    case .stat:
      var text = "Zookeeper version: \(config.version)\nClients:\n"
      for client in clients.values.sorted(by: { $0.id < $1.id }) {
        text += " /\(client.address):\(client.port)[1](queued=\(client.pendingCount),recved=\(client.packetsReceived),sent=\(client.packetsSent))\n"
      }
      return text + "\n" + serverSummary().split(separator: "\n", omittingEmptySubsequences: false).dropFirst().joined(separator: "\n")
    case .mntr:
      return metrics().map { "\($0.0)\t\($0.1)\n" }.joined()
    case .cons:
      var text = ""
      for client in clients.values.sorted(by: { $0.id < $1.id }) {
        var line = " /\(client.address):\(client.port)[1](queued=\(client.pendingCount),recved=\(client.packetsReceived),sent=\(client.packetsSent)"
        if let session = client.session { line += ",sid=\(session)" }
        line += ",est=\(client.connectedAtMs),lresp=\(client.lastActivityMs))\n"
        text += line
      }
      return text + "\n"
    case .wchs:
      let watchers = watches.watchers
      let paths = Set(watchers.flatMap { watches.paths(of: $0) })
      return "\(watchers.count) connections watching \(paths.count) paths\nTotal watches:\(watches.watchCount)\n"
    case .wchc:
      var text = ""
      for watcher in watches.watchers {
        let session = clients[ClientID(watcher.rawValue)]?.session ?? .none
        text += "\(session)\n"
        for path in watches.paths(of: watcher) { text += "\t\(path)\n" }
      }
      return text
    case .wchp:
      var byPath: [String: [WatcherID]] = [:]
      for watcher in watches.watchers {
        for path in watches.paths(of: watcher) { byPath[path, default: []].append(watcher) }
      }
      var text = ""
      for path in byPath.keys.sorted() {
        text += "\(path)\n"
        for watcher in byPath[path] ?? [] {
          text += "\t\(clients[ClientID(watcher.rawValue)]?.session ?? .none)\n"
        }
      }
      return text
    case .dump:
      var text = "SessionTracker dump:\nGlobal Sessions(\(tree.sessions.count)):\n"
      for info in tree.sessions {
        text += "\(info.id)\t\(info.timeoutMs)ms\n"
      }
      text += "ephemeral nodes dump:\nSessions with Ephemerals (\(tree.sessions.filter { $0.ephemeralCount > 0 }.count)):\n"
      for info in tree.sessions where info.ephemeralCount > 0 {
        text += "\(info.id):\n"
        for path in tree.getEphemerals(session: info.id, prefix: "/") { text += "\t\(path)\n" }
      }
      return text
    case .conf:
      return config.configLines.map { "\($0.0)=\($0.1)\n" }.joined()
    case .envi:
      return "Environment:\n" + config.environmentLines.map { "\($0.0)=\($0.1)\n" }.joined()
    case .crst:
      for key in clients.keys {
        clients[key]?.packetsReceived = 0
        clients[key]?.packetsSent = 0
      }
      return "Connection stats reset.\n"
    case .srst:
      stats.reset()
      return "Server stats reset.\n"
    case .hash:
      return "digest: \(tree.digest()) zxid: \(lastZxid)\n"
    case .dirs:
      return runtimeMetrics.filter { $0.0.hasPrefix("grove_data") || $0.0.hasPrefix("grove_log") }
        .map { "\($0.0): \($0.1)\n" }.joined()
    case .gtmk, .stmk:
      // Trace masks belong to ZooKeeper's Java logging; Grove has none to show or set.
      return "0\n"
    }
  }

  func serverSummary() -> String {
    let status = raft.status
    return """
      Zookeeper version: \(config.version)
      Latency min/avg/max: \(stats.latencyMinMs)/\(formatLatency(stats.latencyAvgMs))/\(stats.latencyMaxMs)
      Received: \(stats.packetsReceived)
      Sent: \(stats.packetsSent)
      Connections: \(clients.count)
      Outstanding: \(outstandingRequests)
      Zxid: \(lastZxid)
      Mode: \(mode)
      Node count: \(tree.nodeCount)
      Term: \(status.term)
      Commit index: \(status.commit)
      Applied index: \(appliedIndex)

      """
  }

  func formatLatency(_ ms: Double) -> String {
    let tenths = Int((ms * 10).rounded())
    return "\(tenths / 10).\(tenths % 10)"
  }
}
