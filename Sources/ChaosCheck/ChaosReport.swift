/// Runs every check on a history and renders the summary a chaos run prints.
public enum ChaosReport {
  /// One result per register key (linearizability), one per append queue, then ephemerals and
  /// zxids.
  /// Deterministic: keys in sorted order, bounded by `checker`'s budgets.
  public static func checkAll(_ history: History, checker: LinearizabilityChecker = LinearizabilityChecker())
    -> [CheckResult]
  {
    var results: [CheckResult] = []
    var byKey: [String: [RegisterOperation]] = [:]
    for operation in history.registers { byKey[operation.key, default: []].append(operation) }
    for key in history.registerKeys {
      let operations = byKey[key, default: []]
      let initial = history.initialRegisters[key] ?? RegisterState(value: 0, version: 0)
      results.append(checkRegister(key: key, operations, initial: initial, checker: checker))
    }
    results.append(contentsOf: AppendCheck.checkQueues(history.appends, final: history.final.appends))
    results.append(EphemeralCheck.check(history.ephemerals, final: history.final.ephemerals))
    results.append(ZxidCheck.check(registers: history.registers, appends: history.appends))
    return results
  }

  /// Linearizability of one key, with the smallest failing window as the explanation.
  public static func checkRegister(
    key: String, _ operations: [RegisterOperation], initial: RegisterState, checker: LinearizabilityChecker
  ) -> CheckResult {
    let name = "linearizable \(key)"
    let result = checker.check(operations, initial: initial)
    switch result.verdict {
    case .linearizable:
      return CheckResult(name: name, verdict: .pass)
    case .unknown:
      return CheckResult(
        name: name, verdict: .unknown,
        explanation: ["search stopped after \(result.statesExplored) states (\(operations.count) operations)"]
      )
    case .notLinearizable:
      var lines = ["no linearization of \(operations.count) operations from \(initial)"]
      if let window = checker.minimalFailingWindow(operations, initial: initial) {
        let origin = window.operations.map { operations[$0].invokeNs }.min() ?? 0
        lines.append(
          "smallest failing window: \(window.operations.count) operations, from "
            + (window.fromInitialState ? "the initial state \(initial)" : "any state") + ":")
        let shown = window.operations.count <= 60 ? window.operations[...] : window.operations.suffix(50)
        if shown.count < window.operations.count {
          lines.append(
            "  ... \(window.operations.count - shown.count) earlier operations (see the history) ...")
        }
        for index in shown { lines.append("  " + operations[index].describe(relativeTo: origin)) }
      }
      lines.append(contentsOf: doubleApplications(operations))
      lines.append(contentsOf: unexplainedVersions(operations, initial: initial))
      return CheckResult(name: name, verdict: .fail, explanation: lines)
    }
  }

  /// Direct evidence of a write applied twice: one (unique) value observed at two versions.
  static func doubleApplications(_ operations: [RegisterOperation]) -> [String] {
    var versionsOfValue: [UInt64: Set<Int32>] = [:]
    for operation in operations {
      if case .ok(.read(let value, let version)) = operation.outcome {
        versionsOfValue[value, default: []].insert(version)
      }
      if case .ok(.written(let version)) = operation.outcome {
        switch operation.input {
        case .write(let value), .compareAndSet(_, let value):
          versionsOfValue[value, default: []].insert(version)
        case .read: break
        }
      }
    }
    return versionsOfValue.filter { $0.value.count > 1 }.sorted { $0.key < $1.key }.prefix(5).map {
      value, versions in
      "value \(value) was seen at versions \(versions.sorted().map(String.init).joined(separator: ", ")): one write applied more than once"
    }
  }

  /// Versions no operation observed that no write could have made by taking effect once: every
  /// indeterminate write invoked before the version was surely made either has its value seen at
  /// another version or (a compare-and-set) expected another version. Names the writes seen
  /// elsewhere, the likely culprits of a write applied more than once.
  static func unexplainedVersions(_ operations: [RegisterOperation], initial: RegisterState) -> [String] {
    var earliestCompleteNs: [Int32: UInt64] = [initial.version: 0]
    var versionsOfValue: [UInt64: Set<Int32>] = [:]
    for operation in operations {
      let version: Int32
      switch operation.outcome {
      case .ok(.read(let value, let read)):
        version = read
        versionsOfValue[value, default: []].insert(read)
      case .ok(.written(let written)):
        version = written
        if case .write(let value) = operation.input { versionsOfValue[value, default: []].insert(written) }
        if case .compareAndSet(_, let value) = operation.input {
          versionsOfValue[value, default: []].insert(written)
        }
      default:
        continue
      }
      earliestCompleteNs[version] = min(earliestCompleteNs[version] ?? .max, operation.completeNs)
    }
    let observed = earliestCompleteNs.keys.sorted()
    guard let last = observed.last, last > initial.version else { return [] }
    // Writes that may each have made one unobserved version, in invocation order.
    let fillers = operations.filter { operation in
      guard operation.outcome == .indeterminate else { return false }
      switch operation.input {
      case .write(let value), .compareAndSet(_, let value): return versionsOfValue[value] == nil
      case .read: return false
      }
    }.sorted { $0.invokeNs < $1.invokeNs }
    var used = Array(repeating: false, count: fillers.count)
    var lines: [String] = []
    var nextObserved = 0
    // Gaps in increasing order, each taking one filler invoked before some operation saw a later
    // version. A plain write that fits a gap fits every later one too, so taking the first that
    // fits (after a compare-and-set made for exactly this gap) never starves a later gap.
    for gap in (initial.version + 1)..<last where earliestCompleteNs[gap] == nil {
      while observed[nextObserved] < gap { nextObserved += 1 }
      let deadlineNs = observed[nextObserved...].lazy.compactMap { earliestCompleteNs[$0] }.min() ?? .max
      let exact = fillers.indices.first { index in
        guard !used[index], fillers[index].invokeNs < deadlineNs,
          case .compareAndSet(let expected, _) = fillers[index].input
        else { return false }
        return expected == gap - 1
      }
      let any = fillers.indices.first { index in
        guard !used[index], fillers[index].invokeNs < deadlineNs, case .write = fillers[index].input else {
          return false
        }
        return true
      }
      if let chosen = exact ?? any {
        used[chosen] = true
        continue
      }
      let suspects = operations.filter { operation in
        guard operation.outcome == .indeterminate, operation.invokeNs < deadlineNs else { return false }
        switch operation.input {
        case .write(let value), .compareAndSet(_, let value): return versionsOfValue[value] != nil
        case .read: return false
        }
      }.suffix(3).map { operation -> String in
        var versions: [Int32] = []
        if case .write(let value) = operation.input {
          versions = versionsOfValue[value, default: []].sorted()
        }
        if case .compareAndSet(_, let value) = operation.input {
          versions = versionsOfValue[value, default: []].sorted()
        }
        return
          "\(operation.process) \(operation.input) (seen at v\(versions.map(String.init).joined(separator: ", v")))"
      }
      lines.append(
        "version \(gap) was never observed and no write could have made it by taking effect once"
          + (suspects.isEmpty ? "" : "; applied twice? " + suspects.joined(separator: "; ")))
      if lines.count == 5 { break }
    }
    return lines
  }

  /// `chaos: N passed, N failed` (and `, N unknown` when the checker could not decide some).
  public static func summary(_ results: [CheckResult]) -> String {
    let passed = results.filter { $0.verdict == .pass }.count
    let failed = results.filter { $0.verdict == .fail }.count
    let unknown = results.filter { $0.verdict == .unknown }.count
    return "chaos: \(passed) passed, \(failed) failed" + (unknown > 0 ? ", \(unknown) unknown" : "")
  }

  /// Every check that did not pass, with its explanation, one line each.
  public static func explanations(_ results: [CheckResult]) -> [String] {
    var lines: [String] = []
    for result in results where result.verdict != .pass {
      lines.append("\(result.verdict.rawValue.uppercased()) \(result.name)")
      lines.append(contentsOf: result.explanation.map { "  " + $0 })
    }
    return lines
  }
}
