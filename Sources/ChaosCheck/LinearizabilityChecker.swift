/// Linearizability of one register key, as Wing & Gong's search with Lowe's memoization (the
/// algorithm of Porcupine): depth-first over the operations that may come next in the partial
/// order of the history, remembering every (set of linearized operations, model state) already
/// explored so no state is explored twice.
///
/// Indeterminate operations never complete: they may be linearized at any point after their
/// invocation, or never. The search succeeds once every completed operation is linearized.
/// It is bounded by `stateBudget` explored states; past that it answers `.unknown` rather
/// than run on.
public struct LinearizabilityChecker: Sendable {
  /// The answer for one history.
  public enum Verdict: Hashable, Sendable {
    case linearizable
    case notLinearizable
    /// The search hit its state budget (or the key has more operations than `operationsMax`).
    case unknown
  }

  /// One operation as the search sees it.
  struct Entry: Hashable {
    var invokeNs: UInt64
    /// `UInt64.max` for an indeterminate operation.
    var completeNs: UInt64
    var input: RegisterInput
    /// nil for an indeterminate operation.
    var output: RegisterOutput?
    /// Index in the caller's list, for explanations.
    var source: Int

    var isDeterminate: Bool { output != nil }
  }

  /// States explored before answering `.unknown`.
  public var stateBudget: Int
  /// Operations of one key beyond which the key is not searched (`.unknown`).
  public var operationsMax: Int

  public init(stateBudget: Int = 300_000, operationsMax: Int = 20_000) {
    precondition(stateBudget > 0 && operationsMax > 0, "budgets must be positive")
    self.stateBudget = stateBudget
    self.operationsMax = operationsMax
  }

  /// The search's result: the verdict and how many states it explored.
  public struct Result: Hashable, Sendable {
    public var verdict: Verdict
    public var statesExplored: Int
  }

  /// Checks `operations` (all of one key) from `initial`. Operations that definitely failed,
  /// and indeterminate reads, have no effect and are left out.
  public func check(_ operations: [RegisterOperation], initial: RegisterState) -> Result {
    let entries = Self.entries(operations)
    guard entries.count <= operationsMax else { return Result(verdict: .unknown, statesExplored: 0) }
    return search(entries, initial: ModelState(initial))
  }

  /// The operations that matter to the search, sorted by invocation (ties by completion, then by
  /// position, so the order is deterministic).
  static func entries(_ operations: [RegisterOperation]) -> [Entry] {
    var entries: [Entry] = []
    for (index, operation) in operations.enumerated() {
      switch operation.outcome {
      case .failed: continue
      case .indeterminate:
        if operation.input == .read { continue }
        entries.append(Entry(
          invokeNs: operation.invokeNs, completeNs: .max, input: operation.input, output: nil, source: index))
      case .ok(let output):
        precondition(operation.completeNs >= operation.invokeNs, "operation \(index) completes before it is invoked")
        entries.append(Entry(
          invokeNs: operation.invokeNs, completeNs: operation.completeNs, input: operation.input, output: output,
          source: index))
      }
    }
    entries.sort { ($0.invokeNs, $0.completeNs, $0.source) < ($1.invokeNs, $1.completeNs, $1.source) }
    return entries
  }

  private struct CacheKey: Hashable {
    var linearized: Bitset
    var state: ModelState
  }

  private struct Frame {
    /// The entry linearized to reach this frame (nil for the root).
    var entered: Int?
    var state: ModelState
    var candidates: [Int]
    var next: Int
  }

  /// The entries that may be linearized next: not yet linearized, and invoked no later than the
  /// earliest completion among the entries not yet linearized (an entry that completed before
  /// another was invoked must come first).
  private static func candidates(_ entries: [Entry], _ linearized: Bitset, from start: Int) -> [Int] {
    var result: [Int] = []
    var earliestCompleteNs = UInt64.max
    var index = start
    while index < entries.count {
      defer { index += 1 }
      if linearized.contains(index) { continue }
      let entry = entries[index]
      // Entries are sorted by invocation: once one is invoked after the earliest completion, so
      // are all that follow, and none of them can lower that completion below its own invoke.
      if entry.invokeNs > earliestCompleteNs { break }
      result.append(index)
      earliestCompleteNs = min(earliestCompleteNs, entry.completeNs)
    }
    return result
  }

  func search(_ entries: [Entry], initial: ModelState) -> Result {
    let determinate = entries.reduce(0) { $0 + ($1.isDeterminate ? 1 : 0) }
    if determinate == 0 { return Result(verdict: .linearizable, statesExplored: 0) }
    var linearized = Bitset(count: entries.count)
    var determinateDone = 0
    var cache = Set<CacheKey>()
    var frames = [Frame(entered: nil, state: initial, candidates: Self.candidates(entries, linearized, from: 0), next: 0)]
    var explored = 0
    while !frames.isEmpty {
      let top = frames.count - 1
      if frames[top].next == frames[top].candidates.count {
        let frame = frames.removeLast()
        if let entered = frame.entered {
          linearized.remove(entered)
          if entries[entered].isDeterminate { determinateDone -= 1 }
        }
        continue
      }
      let candidate = frames[top].candidates[frames[top].next]
      frames[top].next += 1
      let entry = entries[candidate]
      guard let state = frames[top].state.step(entry.input, entry.output) else { continue }
      linearized.insert(candidate)
      let key = CacheKey(linearized: linearized, state: state)
      if cache.contains(key) {
        linearized.remove(candidate)
        continue
      }
      cache.insert(key)
      explored += 1
      if entry.isDeterminate { determinateDone += 1 }
      if determinateDone == determinate { return Result(verdict: .linearizable, statesExplored: explored) }
      if explored >= stateBudget { return Result(verdict: .unknown, statesExplored: explored) }
      let start = linearized.firstMissing()
      frames.append(Frame(
        entered: candidate, state: state, candidates: Self.candidates(entries, linearized, from: start), next: 0))
    }
    return Result(verdict: .notLinearizable, statesExplored: explored)
  }
}

/// A fixed-size set of small integers, hashable so it can key the search's cache.
struct Bitset: Hashable {
  private var words: [UInt64]

  init(count: Int) {
    words = Array(repeating: 0, count: (count + 63) / 64)
  }

  func contains(_ index: Int) -> Bool { words[index >> 6] & (1 << UInt64(index & 63)) != 0 }
  mutating func insert(_ index: Int) { words[index >> 6] |= 1 << UInt64(index & 63) }
  mutating func remove(_ index: Int) { words[index >> 6] &= ~(1 << UInt64(index & 63)) }

  /// The smallest index not in the set (the capacity rounded up to 64 if all are).
  func firstMissing() -> Int {
    for (w, word) in words.enumerated() where word != .max {
      return w * 64 + (~word).trailingZeroBitCount
    }
    return words.count * 64
  }
}
