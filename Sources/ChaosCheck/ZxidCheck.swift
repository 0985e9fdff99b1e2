/// No client sees the tree go back in time.
///
/// ZooKeeper promises each session a single system image: once a client has seen the state as of
/// zxid Z, it never sees an older one, even after moving to another server. What a client has
/// seen is the largest zxid revealed by its acknowledged operations (the mzxid of a node it
/// wrote or read, the czxid of a node it created).
public enum ZxidCheck {
  /// Checks every process's operations in its own order (they never overlap):
  ///
  /// - a write, compare-and-set or append acknowledged to a client has a zxid above every zxid
  ///   that client had seen when it invoked it;
  /// - a read of key K that returned mzxid m, by a client that had seen Z, is not older than any
  ///   acknowledged write of K with a zxid in (m, Z]: the client saw K before a change it had
  ///   already seen the effects of.
  public static func check(registers: [RegisterOperation], appends: [AppendOperation]) -> CheckResult {
    enum Step {
      case change(zxid: Int64, what: String)
      case read(key: String, mzxid: Int64, what: String)
    }
    var writesByKey: [String: [Int64]] = [:]
    var steps: [ProcessID: [(invokeNs: UInt64, order: Int, step: Step)]] = [:]
    for (order, operation) in registers.enumerated() {
      guard let output = operation.outcome.output, let zxid = operation.zxid else { continue }
      let what = operation.describe(relativeTo: 0)
      switch output {
      case .written:
        writesByKey[operation.key, default: []].append(zxid)
        steps[operation.process, default: []].append(
          (operation.invokeNs, order, .change(zxid: zxid, what: what)))
      case .read:
        steps[operation.process, default: []].append(
          (operation.invokeNs, order, .read(key: operation.key, mzxid: zxid, what: what)))
      case .badVersion:
        continue
      }
    }
    for (order, append) in appends.enumerated() {
      guard let result = append.outcome.output else { continue }
      let what = "\(append.process) append \(append.tag) -> \(result.name)"
      steps[append.process, default: []].append(
        (append.invokeNs, registers.count + order, .change(zxid: result.czxid, what: what)))
    }
    for key in Array(writesByKey.keys) { writesByKey[key]?.sort() }
    var problems: [String] = []
    for process in steps.keys.sorted() {
      var seen = Int64.min
      var seenBy = ""
      for entry in steps[process, default: []].sorted(by: {
        ($0.invokeNs, $0.order) < ($1.invokeNs, $1.order)
      }) {
        switch entry.step {
        case .change(let zxid, let what):
          if zxid <= seen {
            problems.append(
              "backwards: \(what) got zxid \(hex(zxid)) after \(process) had seen \(hex(seen)) (\(seenBy))")
          }
          if zxid > seen { (seen, seenBy) = (zxid, what) }
        case .read(let key, let mzxid, let what):
          let writes = writesByKey[key, default: []]
          // The first acknowledged write of `key` after the version read.
          var low = 0
          var high = writes.count
          while low < high {
            let middle = (low + high) / 2
            if writes[middle] > mzxid { high = middle } else { low = middle + 1 }
          }
          if low < writes.count && writes[low] <= seen {
            problems.append(
              "backwards: \(what) returned mzxid \(hex(mzxid)), older than write \(hex(writes[low])) of \(key), "
                + "after \(process) had seen \(hex(seen)) (\(seenBy))")
          }
          if mzxid > seen { (seen, seenBy) = (mzxid, what) }
        }
      }
    }
    return .failing("zxids", problems)
  }

  static func hex(_ value: Int64) -> String { "0x" + String(UInt64(bitPattern: value), radix: 16) }
}
