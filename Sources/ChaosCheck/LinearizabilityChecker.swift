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
  /// Asked every 4096 explored states; true stops the search with `.unknown`. The caller's
  /// wall-clock bound lives here, so the search itself stays free of clocks (nil: never stop).
  public var shouldStop: (@Sendable () -> Bool)?

  public init(
    stateBudget: Int = 1_000_000, operationsMax: Int = 1_000_000, shouldStop: (@Sendable () -> Bool)? = nil
  ) {
    precondition(stateBudget > 0 && operationsMax > 0, "budgets must be positive")
    self.stateBudget = stateBudget
    self.operationsMax = operationsMax
    self.shouldStop = shouldStop
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
        entries.append(
          Entry(
            invokeNs: operation.invokeNs, completeNs: .max, input: operation.input, output: nil, source: index
          ))
      case .ok(let output):
        precondition(
          operation.completeNs >= operation.invokeNs, "operation \(index) completes before it is invoked")
        entries.append(
          Entry(
            invokeNs: operation.invokeNs, completeNs: operation.completeNs, input: operation.input,
            output: output,
            source: index))
      }
    }
    entries.sort { ($0.invokeNs, $0.completeNs, $0.source) < ($1.invokeNs, $1.completeNs, $1.source) }
    return entries
  }

  /// A set of linearized entries, compactly: every determinate entry before `floor` is
  /// linearized, so only those from `floor` on are listed, and the (few) indeterminate ones apart.
  /// Long histories linearize roughly in order, so keys stay small however long the history.
  private struct CacheKey: Hashable {
    var floor: Int
    var determinateAbove: [Int32]
    var indeterminate: [Int32]
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
  /// earliest completion among the determinate entries not yet linearized (an entry that
  /// completed before another was invoked must come first). Determinate candidates come first;
  /// indeterminate ones (which never complete, so never constrain the others) after.
  private static func candidates(
    _ entries: [Entry], _ linearized: Bitset, from start: Int, indeterminate: [Int]
  ) -> [Int] {
    var result: [Int] = []
    var earliestCompleteNs = UInt64.max
    var index = start
    while index < entries.count {
      defer { index += 1 }
      let entry = entries[index]
      if linearized.contains(index) || !entry.isDeterminate { continue }
      // Entries are sorted by invocation: once one is invoked after the earliest completion, so
      // are all that follow, and none of them can lower that completion below its own invoke.
      if entry.invokeNs > earliestCompleteNs { break }
      result.append(index)
      earliestCompleteNs = min(earliestCompleteNs, entry.completeNs)
    }
    for index in indeterminate
    where !linearized.contains(index) && entries[index].invokeNs <= earliestCompleteNs {
      result.append(index)
    }
    return result
  }

  func search(_ entries: [Entry], initial: ModelState) -> Result {
    let determinate = entries.reduce(0) { $0 + ($1.isDeterminate ? 1 : 0) }
    if determinate == 0 { return Result(verdict: .linearizable, statesExplored: 0) }
    var determinateMask = Bitset(count: entries.count)
    var indeterminate: [Int] = []
    for (index, entry) in entries.enumerated() {
      if entry.isDeterminate { determinateMask.insert(index) } else { indeterminate.append(index) }
    }
    var linearized = Bitset(count: entries.count)
    var determinateDone = 0
    var cache = Set<CacheKey>()
    var frames = [
      Frame(
        entered: nil, state: initial,
        candidates: Self.candidates(entries, linearized, from: 0, indeterminate: indeterminate), next: 0)
    ]
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
      let floor = linearized.firstMissing(among: determinateMask)
      let key = CacheKey(
        floor: floor, determinateAbove: linearized.members(from: floor, among: determinateMask),
        indeterminate: indeterminate.filter { linearized.contains($0) }.map { Int32($0) }, state: state)
      if cache.contains(key) {
        linearized.remove(candidate)
        continue
      }
      cache.insert(key)
      explored += 1
      if entry.isDeterminate { determinateDone += 1 }
      if determinateDone == determinate { return Result(verdict: .linearizable, statesExplored: explored) }
      if explored >= stateBudget { return Result(verdict: .unknown, statesExplored: explored) }
      if explored & 4095 == 0, let shouldStop, shouldStop() {
        return Result(verdict: .unknown, statesExplored: explored)
      }
      frames.append(
        Frame(
          entered: candidate, state: state,
          candidates: Self.candidates(entries, linearized, from: floor, indeterminate: indeterminate), next: 0
        ))
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

  /// The smallest index of `mask` not in the set (the capacity rounded up to 64 if none).
  func firstMissing(among mask: Bitset) -> Int {
    for (w, word) in words.enumerated() {
      let missing = ~word & mask.words[w]
      if missing != 0 { return w * 64 + missing.trailingZeroBitCount }
    }
    return words.count * 64
  }

  /// The indices of `mask` in the set, from `start` on, ascending.
  func members(from start: Int, among mask: Bitset) -> [Int32] {
    var result: [Int32] = []
    var w = start >> 6
    while w < words.count {
      var bits = words[w] & mask.words[w]
      if w == start >> 6 { bits &= ~0 << UInt64(start & 63) }
      while bits != 0 {
        result.append(Int32(w * 64 + bits.trailingZeroBitCount))
        bits &= bits - 1
      }
      w += 1
    }
    return result
  }
}
