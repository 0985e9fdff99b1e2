/// Sequential-node appends: nothing acknowledged is lost, nothing is created twice, and the
/// sequence order agrees with the zxid order and with real time. One check per parent (`queue`).
public enum AppendCheck {
  /// One result per queue, sorted ("appends" alone when the run used one unnamed queue).
  public static func checkQueues(_ appends: [AppendOperation], final: [FinalChild]) -> [CheckResult] {
    let queues = Set(appends.map(\.queue)).union(final.map(\.queue)).sorted()
    if queues.isEmpty || queues == [""] { return [check(appends, final: final)] }
    return queues.map { queue in
      check(
        appends.filter { $0.queue == queue }, final: final.filter { $0.queue == queue },
        name: queue.isEmpty ? "appends" : "appends \(queue)")
    }
  }

  /// The 10-digit counter ZooKeeper appends to a sequential node's name, or nil.
  static func sequence(of name: String) -> Int64? {
    let digits = name.suffix(10)
    guard digits.count == 10, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
    return Int64(digits)
  }

  /// Checks `appends` against the children read at the end (`final`).
  ///
  /// - Every acknowledged append is present under the name it was given, with its tag.
  /// - No tag appears twice (a retried or re-applied create), and every present tag belongs to
  ///   an append that may have happened (acknowledged or indeterminate, never a refused one).
  /// - In sequence-number order the czxids strictly increase (as ZooKeeper: the suffix is the
  ///   parent's cversion at apply, so it grows with the zxid).
  /// - An append acknowledged before another was invoked has the smaller sequence number.
  public static func check(_ appends: [AppendOperation], final: [FinalChild], name: String = "appends")
    -> CheckResult
  {
    var problems: [String] = []
    var byName: [String: FinalChild] = [:]
    var tagsSeen: [String: [String]] = [:]
    for child in final.sorted(by: { $0.name < $1.name }) {
      byName[child.name] = child
      tagsSeen[child.tag, default: []].append(child.name)
    }
    for (tag, names) in tagsSeen.sorted(by: { $0.key < $1.key }) where names.count > 1 {
      problems.append("duplicate: tag \(tag) appears as \(names.joined(separator: ", "))")
    }
    var possible = Set<String>()
    for append in appends {
      switch append.outcome {
      case .ok(let result):
        possible.insert(append.tag)
        guard let child = byName[result.name] else {
          problems.append(
            "lost: \(append.process) append \(append.tag) acknowledged as \(result.name), absent at the end")
          continue
        }
        if child.tag != append.tag {
          problems.append(
            "mismatch: \(result.name) holds \(child.tag), acknowledged to \(append.process) for \(append.tag)"
          )
        }
        if child.czxid != result.czxid {
          problems.append(
            "mismatch: \(result.name) czxid \(child.czxid) at the end, \(result.czxid) when acknowledged")
        }
      case .indeterminate:
        possible.insert(append.tag)
      case .failed:
        continue
      }
    }
    for child in final.sorted(by: { $0.name < $1.name }) where !possible.contains(child.tag) {
      problems.append(
        "phantom: \(child.name) holds \(child.tag), which no append that may have succeeded wrote")
    }
    let ordered = final.compactMap { child in sequence(of: child.name).map { (sequence: $0, child: child) } }
      .sorted { $0.sequence < $1.sequence }
    if ordered.count != final.count { problems.append("malformed: a child name without a 10-digit sequence") }
    for (earlier, later) in zip(ordered, ordered.dropFirst()) where earlier.child.czxid >= later.child.czxid {
      problems.append(
        "order: \(earlier.child.name) czxid \(earlier.child.czxid) is not before \(later.child.name) czxid \(later.child.czxid)"
      )
    }
    // Real time: sort acknowledged appends by completion; each must have a smaller sequence than
    // every append invoked after that completion.
    let acknowledged = appends.compactMap { append -> (op: AppendOperation, sequence: Int64)? in
      guard let result = append.outcome.output, let sequence = sequence(of: result.name) else { return nil }
      return (append, sequence)
    }
    let byInvoke = acknowledged.sorted { ($0.op.invokeNs, $0.sequence) < ($1.op.invokeNs, $1.sequence) }
    // Smallest sequence among appends invoked at or after each position (suffix minimum).
    var suffixMinimum = Array(repeating: (sequence: Int64.max, index: -1), count: byInvoke.count + 1)
    for index in stride(from: byInvoke.count - 1, through: 0, by: -1) {
      let next = suffixMinimum[index + 1]
      suffixMinimum[index] =
        byInvoke[index].sequence < next.sequence ? (byInvoke[index].sequence, index) : next
    }
    for earlier in acknowledged.sorted(by: { $0.sequence < $1.sequence }) {
      // The first append invoked strictly after `earlier` completed.
      var low = 0
      var high = byInvoke.count
      while low < high {
        let middle = (low + high) / 2
        if byInvoke[middle].op.invokeNs > earlier.op.completeNs { high = middle } else { low = middle + 1 }
      }
      let later = suffixMinimum[low]
      if later.index >= 0 && later.sequence <= earlier.sequence {
        let other = byInvoke[later.index].op
        problems.append(
          "real time: \(earlier.op.process) \(earlier.op.tag) (seq \(earlier.sequence)) was acknowledged before "
            + "\(other.process) \(other.tag) (seq \(later.sequence)) was invoked")
      }
    }
    return .failing(name, problems)
  }
}
