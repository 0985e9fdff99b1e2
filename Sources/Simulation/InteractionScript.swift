@_spi(Testing) import RaftCore

/// Runs a golden interaction script against an `InteractionHarness`.
///
/// A script is lines of `# comment` and `> command`; the lines after a command are the output it
/// is expected to produce. `run` returns the script with every command's output regenerated, so
/// a test compares it with the file and a flag rewrites the file on purpose.
///
/// Commands: `add-nodes N [prevote=off] [checkquorum=off]`, `add-node ID`, `campaign ID`,
/// `tick ID [N]`, `propose ID TEXT`, `propose-conf-change ID add-learner|add-voter|remove NODE`,
/// `transfer-leadership ID TO`, `read-index ID CONTEXT`, `isolate ID`, `heal`, `stabilize`,
/// `process-ready`, `deliver`, `compact ID`, `restart ID`, `status`.
public enum InteractionScript {
  public static func run(_ script: String) -> String {
    let harness = InteractionHarness()
    var out: [String] = []
    for line in script.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("#") {
        out.append(String(line))
      } else if line.hasPrefix("> ") {
        let command = String(line.dropFirst(2))
        out.append("> " + command)
        out.append(contentsOf: execute(command, harness))
        out.append("")
      }
    }
    return out.joined(separator: "\n")
  }

  static func execute(_ command: String, _ h: InteractionHarness) -> [String] {
    let words = command.split(separator: " ").map(String.init)
    func id(_ i: Int) -> NodeID { NodeID(UInt64(words[i])!) }
    do {
      switch words.first {
      case "add-nodes":
        for option in words.dropFirst(2) {
          if option == "prevote=off" { h.preVote = false }
          if option == "checkquorum=off" { h.checkQuorum = false }
        }
        h.addFounders(Int(words[1])!)
        return h.describeCluster()
      case "add-node":
        h.addNode(id(1))
        return ["n\(words[1]) added with empty storage"]
      case "campaign":
        h.with(id(1)) { $0.campaign() }
      case "tick":
        let count = words.count > 2 ? Int(words[2])! : 1
        for _ in 0..<count { h.with(id(1)) { $0.tick() } }
      case "propose":
        try h.with(id(1)) { _ = try $0.propose(Array(words[2...].joined(separator: " ").utf8)) }
      case "propose-conf-change":
        let kind: ConfChange.Kind = words[2] == "add-learner" ? .addLearner : words[2] == "add-voter" ? .addVoter : .removeNode
        try h.with(id(1)) { _ = try $0.proposeMembershipChange(ConfChange(kind, id(3))) }
      case "transfer-leadership":
        try h.with(id(1)) { try $0.transferLeadership(to: id(2)) }
      case "read-index":
        try h.with(id(1)) { try $0.readIndex(context: Array(words[2].utf8)) }
      case "isolate":
        h.isolated.insert(id(1))
      case "heal":
        h.isolated = []
      case "stabilize":
        h.stabilize()
      case "process-ready":
        h.processReady()
      case "deliver":
        h.deliverAll()
      case "compact":
        h.compact(id(1))
      case "restart":
        h.restart(id(1))
      case "status":
        return h.takeOutput() + h.describeCluster()
      default:
        return ["unknown command"]
      }
    } catch {
      return h.takeOutput() + ["error: \(error)"]
    }
    return h.takeOutput()
  }
}
