/// One check's verdict, counted once in the summary line.
public struct CheckResult: Hashable, Sendable {
  public enum Verdict: String, Hashable, Sendable {
    case pass
    case fail
    /// The checker could not decide within its bounds; not a pass.
    case unknown
  }

  /// What was checked: "linearizable /chaos/reg/k0", "appends", "ephemerals", "zxids".
  public var name: String
  public var verdict: Verdict
  /// Why it failed (or could not decide): the smallest evidence found, one fact per line.
  public var explanation: [String]

  public init(name: String, verdict: Verdict, explanation: [String] = []) {
    self.name = name
    self.verdict = verdict
    self.explanation = explanation
  }

  /// A failure with `explanation`, or a pass when it is empty.
  static func failing(_ name: String, _ problems: [String], limit: Int = 20) -> CheckResult {
    guard !problems.isEmpty else { return CheckResult(name: name, verdict: .pass) }
    var lines = Array(problems.prefix(limit))
    if problems.count > limit { lines.append("... and \(problems.count - limit) more") }
    return CheckResult(name: name, verdict: .fail, explanation: lines)
  }
}
