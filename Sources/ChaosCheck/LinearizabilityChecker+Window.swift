/// The smallest failing window of a non-linearizable key: what a person reads to see the bug.
extension LinearizabilityChecker {
  /// How many of the latest cuts are tried one by one before binary search takes over.
  static let nearCutsMax = 2000

  /// A failing window: the operations (indices into the caller's list, in invocation order) and
  /// whether the window was checked from the key's initial state or from an unknown one.
  public struct FailingWindow: Hashable, Sendable {
    public var operations: [Int]
    public var fromInitialState: Bool
  }

  /// Shrinks a non-linearizable history of one key to a small window that is non-linearizable
  /// on its own.
  ///
  /// First the shortest failing closed prefix in invocation order; then the latest cut `s` such that
  /// the prefix's operations from `s` on, plus every earlier operation still running when one of
  /// them was invoked (to a fixpoint), fail from an unknown register state. Every operation left
  /// out completed before all of the window was invoked, so it precedes the whole window in any
  /// linearization: a window that fails from an unknown state proves the violation by itself. Returns nil when the whole
  /// history is linearizable or the search cannot tell.
  public func minimalFailingWindow(_ operations: [RegisterOperation], initial: RegisterState)
    -> FailingWindow?
  {
    let entries = Self.entries(operations)
    let start = ModelState(initial)
    func fails(_ subset: [Entry], _ from: ModelState) -> Bool {
      search(subset, initial: from).verdict == .notLinearizable
    }
    guard fails(entries, start) else { return nil }
    // A prefix is closed: it holds every operation invoked before one of its determinate
    // operations completed (a read may return a write invoked after the read was). What it
    // leaves out was invoked after all of it completed, so is linearized after all of it: a
    // closed prefix that fails proves the history fails.
    func closedPrefix(_ count: Int) -> [Entry] {
      var end = count
      var lastCompleteNs: UInt64 = 0
      for entry in entries[..<end] where entry.isDeterminate {
        lastCompleteNs = max(lastCompleteNs, entry.completeNs)
      }
      while end < entries.count && entries[end].invokeNs <= lastCompleteNs {
        if entries[end].isDeterminate { lastCompleteNs = max(lastCompleteNs, entries[end].completeNs) }
        end += 1
      }
      return Array(entries[..<end])
    }
    // The shortest failing closed prefix, by binary search (closed prefixes grow with `count`,
    // and a failing one's extensions fail too); re-checked below.
    var low = 1
    var high = entries.count
    while low < high {
      let middle = (low + high) / 2
      if fails(closedPrefix(middle), start) { high = middle } else { low = middle + 1 }
    }
    var prefix = closedPrefix(high)
    if !fails(prefix, start) { prefix = entries }
    // The operations from `cut` on, plus every earlier one still running when some operation of
    // the window was invoked, repeated until no more join: a determinate operation left out then
    // completed before every operation of the window was invoked. Earlier indeterminate
    // operations join as they are, without pulling the window back to their invocation: one that
    // took effect before the window began is part of the unknown start state, which is the same
    // as never taking effect within the window.
    func window(from cut: Int) -> [Entry] {
      var first = cut
      var earliestInvokeNs = prefix[cut].invokeNs
      var grew = true
      while grew {
        grew = false
        for index in 0..<first
        where prefix[index].isDeterminate && prefix[index].completeNs >= earliestInvokeNs {
          first = index
          earliestInvokeNs = min(earliestInvokeNs, prefix[index].invokeNs)
          grew = true
          break
        }
      }
      return prefix.enumerated().filter { $0.offset >= first || $0.element.completeNs >= earliestInvokeNs }
        .map(\.element)
    }
    // The latest cut that still fails from an unknown state.
    guard fails(window(from: 0), .unknown) else {
      return FailingWindow(operations: prefix.map(\.source), fromInitialState: true)
    }
    // Near the end, cut by cut (whether a window fails need not be monotonic in its cut: a write
    // applied twice is only evidence with both of its effects inside); further back, by binary
    // search.
    let nearCuts = stride(from: prefix.count - 1, through: max(0, prefix.count - Self.nearCutsMax), by: -1)
    for cut in nearCuts where fails(window(from: cut), .unknown) {
      return FailingWindow(operations: window(from: cut).map(\.source), fromInitialState: false)
    }
    var good = 0  // fails
    var bad = max(1, prefix.count - Self.nearCutsMax)  // first cut known (or assumed) to pass
    while bad - good > 1 {
      let middle = (good + bad) / 2
      if fails(window(from: middle), .unknown) { good = middle } else { bad = middle }
    }
    return FailingWindow(operations: window(from: good).map(\.source), fromInitialState: false)
  }
}

extension RegisterOperation {
  /// One line for an explanation, times relative to `originNs` in milliseconds.
  public func describe(relativeTo originNs: UInt64) -> String {
    func ms(_ ns: UInt64) -> String {
      let tenths = (Int64(bitPattern: ns &- originNs)) / 100_000
      let sign = tenths < 0 ? "-" : ""
      let magnitude = tenths.magnitude
      return "\(sign)\(magnitude / 10).\(magnitude % 10)"
    }
    let end: String
    switch outcome {
    case .ok(let output): end = "\(output)  [\(ms(invokeNs)) .. \(ms(completeNs)) ms]"
    case .failed: end = "failed  [\(ms(invokeNs)) .. \(ms(completeNs)) ms]"
    case .indeterminate: end = "indeterminate  [\(ms(invokeNs)) .. ? ms]"
    }
    let zxidText = zxid.map { " zxid=0x" + String(UInt64(bitPattern: $0), radix: 16) } ?? ""
    return "\(process) \(key) \(input) -> \(end)\(zxidText)"
  }
}
