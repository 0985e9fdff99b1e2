import GroveClient

/// `grove cluster status`: asks every server of the list for `mntr` (each on its own, no
/// failover) and prints one row per server, as `cluster/status` does. Exit status 1 when a
/// server does not answer.
func clusterStatus(_ servers: [ServerAddress], timeoutSeconds: Double, output: Output) -> Int32 {
  var rows: [[String: Any]] = []
  var leaderCommit = 0
  for server in servers {
    guard let text = try? fourLetterWord("mntr", servers: [server], timeoutSeconds: timeoutSeconds) else {
      rows.append(["server": server.description, "role": "down"])
      continue
    }
    var figures: [String: String] = [:]
    for line in text.split(separator: "\n") {
      let parts = line.split(separator: "\t", maxSplits: 1)
      if parts.count == 2 { figures[String(parts[0])] = String(parts[1]) }
    }
    let role = figures["zk_server_state"] ?? "?"
    let commit = Int(figures["grove_raft_commit_index"] ?? "") ?? 0
    if role == "leader" || role == "standalone" { leaderCommit = commit }
    rows.append([
      "server": server.description, "role": role,
      "term": Int(figures["grove_raft_term"] ?? "") ?? 0, "commit": commit,
      "applied": Int(figures["grove_raft_applied_index"] ?? "") ?? 0,
      "sessions": Int(figures["zk_global_sessions"] ?? "") ?? 0,
      "znodes": Int(figures["zk_znode_count"] ?? "") ?? 0,
    ])
  }
  for index in rows.indices {
    if let applied = rows[index]["applied"] as? Int { rows[index]["lag"] = max(0, leaderCommit - applied) }
  }
  func cell(_ value: Any?, _ width: Int) -> String {
    let text = value.map { "\($0)" } ?? ""
    return text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
  }
  var table = cell("server", 22) + cell("role", 11) + cell("term", 7) + cell("commit", 9) + cell("applied", 9)
    + cell("lag", 6) + cell("sessions", 9) + "znodes"
  for row in rows {
    table += "\n" + cell(row["server"], 22) + cell(row["role"], 11)
    if row["role"] as? String != "down" {
      table += cell(row["term"], 7) + cell(row["commit"], 9) + cell(row["applied"], 9) + cell(row["lag"], 6)
        + cell(row["sessions"], 9) + "\(row["znodes"] ?? "")"
    }
  }
  output.emit(["servers": rows], human: table)
  return rows.contains { $0["role"] as? String == "down" } ? 1 : 0
}
