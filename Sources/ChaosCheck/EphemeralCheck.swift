/// Ephemeral nodes live exactly as long as their session.
public enum EphemeralCheck {
  /// Checks the ephemerals present at the end (`final`) against what each session did.
  ///
  /// - A node of a session that was closed or expired is gone (as ZooKeeper: closeSession and
  ///   expiry delete the session's ephemerals in the same transaction).
  /// - A node created (acknowledged) by a session still alive is present, owned by that session.
  /// - A node present belongs to a record, with the recorded owner.
  public static func check(_ records: [EphemeralRecord], final: [FinalEphemeral]) -> CheckResult {
    var problems: [String] = []
    var present: [String: Int64] = [:]
    for node in final { present[node.path] = node.ephemeralOwner }
    var known = Set<String>()
    for record in records.sorted(by: { ($0.path, $0.process) < ($1.path, $1.process) }) {
      known.insert(record.path)
      let owner = present[record.path]
      if let owner, owner != record.sessionID {
        problems.append(
          "owner: \(record.path) is owned by 0x\(hex(owner)), created by \(record.process) in session 0x\(hex(record.sessionID))"
        )
        continue
      }
      switch record.sessionEnd {
      case .closed, .expired:
        if owner != nil {
          problems.append(
            "outlived: \(record.path) of \(record.process) is present after its session was \(record.sessionEnd.rawValue)"
          )
        }
      case .alive:
        if record.creation.output == true && owner == nil {
          problems.append("lost: \(record.path) of \(record.process) is absent while its session is alive")
        }
        if record.creation == .failed && owner != nil {
          problems.append("phantom: \(record.path) of \(record.process) is present though its create failed")
        }
      case .unknown:
        continue
      }
    }
    for node in final.sorted(by: { $0.path < $1.path }) where !known.contains(node.path) {
      problems.append(
        "unknown: \(node.path) (owner 0x\(hex(node.ephemeralOwner))) was created by no recorded session")
    }
    return .failing("ephemerals", problems)
  }

  static func hex(_ value: Int64) -> String { String(UInt64(bitPattern: value), radix: 16) }
}
