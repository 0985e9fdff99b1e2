import ChaosCheck
import Testing

/// SplitMix64: a seeded generator so every random history is reproducible from its seed.
struct SplitMix: RandomNumberGenerator {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// A history generated from the sequential register: operation i takes effect at 10·i µs and is
/// stretched to a random interval around that point, so operations overlap at random. Some
/// writes and compare-and-sets are indeterminate; half of those never take effect.
struct GeneratedHistory {
  var operations: [RegisterOperation] = []
  /// For each operation that wrote version v (acknowledged), v → its completion time.
  var acknowledgedVersionCompleteNs: [Int32: UInt64] = [:]
  /// The value each version holds.
  var valueOfVersion: [Int32: UInt64] = [0: 0]

  init(seed: UInt64, count: Int) {
    var random = SplitMix(state: seed)
    var state = RegisterState(value: 0, version: 0)
    var nextValue: UInt64 = 1
    for i in 0..<count {
      let pointNs = UInt64(i + 1) * 10_000
      let invokeNs = pointNs - UInt64.random(in: 0...40_000, using: &random).clamped(to: pointNs)
      let completeNs = pointNs + UInt64.random(in: 0...40_000, using: &random)
      let process = Int.random(in: 1...5, using: &random)
      let indeterminate = Int.random(in: 0..<10, using: &random) == 0
      let takesEffect = !indeterminate || Bool.random(using: &random)
      let input: RegisterInput
      var output: RegisterOutput
      switch Int.random(in: 0..<3, using: &random) {
      case 0:
        input = .write(nextValue)
        nextValue += 1
        if case .write(let value) = input, takesEffect {
          state = RegisterState(value: value, version: state.version + 1)
        }
        output = .written(version: state.version)
      case 1:
        input = .read
        output = .read(value: state.value, version: state.version)
      default:
        let expected = Bool.random(using: &random) ? state.version : max(0, state.version - 1)
        input = .compareAndSet(expectedVersion: expected, value: nextValue)
        if expected == state.version {
          if takesEffect { state = RegisterState(value: nextValue, version: state.version + 1) }
          output = .written(version: state.version)
        } else {
          output = .badVersion
        }
        nextValue += 1
      }
      if case .written = output, takesEffect { valueOfVersion[state.version] = state.value }
      let outcome: Outcome<RegisterOutput> = indeterminate ? .indeterminate : .ok(output)
      if !indeterminate, case .written(let version) = output {
        acknowledgedVersionCompleteNs[version] = completeNs
      }
      operations.append(
        RegisterOperation(
          process: ProcessID(process), key: "k", input: input, outcome: outcome, invokeNs: invokeNs,
          completeNs: completeNs))
    }
  }
}

extension UInt64 {
  fileprivate func clamped(to limit: UInt64) -> UInt64 { Swift.min(self, limit) }
}

@Suite("Randomized histories from the sequential register")
struct RandomHistoryTests {
  static let seeds: [UInt64] = Array(1...150)

  @Test("every generated history is linearizable, indeterminate operations included", arguments: seeds)
  func validHistoriesPass(seed: UInt64) {
    let history = GeneratedHistory(seed: seed, count: 60)
    #expect(verdict(history.operations) == .linearizable)
  }

  @Test("a read mutated to a value never written fails", arguments: seeds)
  func phantomValueFails(seed: UInt64) throws {
    var history = GeneratedHistory(seed: seed, count: 60)
    let reads = history.operations.indices.filter {
      if case .ok(.read) = history.operations[$0].outcome { return true } else { return false }
    }
    var random = SplitMix(state: seed ^ 0xABCD)
    let index = try #require(reads.randomElement(using: &random))
    guard case .ok(.read(_, let version)) = history.operations[index].outcome else { return }
    history.operations[index].outcome = .ok(.read(value: 999_999_999, version: version))
    #expect(verdict(history.operations) == .notLinearizable)
  }

  @Test(
    "a read mutated to the state before a write acknowledged ahead of it fails (stale read)", arguments: seeds
  )
  func staleReadFails(seed: UInt64) {
    var history = GeneratedHistory(seed: seed, count: 60)
    // A read of version v ≥ 1 whose write completed (acknowledged) before the read was invoked.
    let candidate = history.operations.indices.first { index in
      guard case .ok(.read(_, let version)) = history.operations[index].outcome, version >= 1,
        let writtenNs = history.acknowledgedVersionCompleteNs[version],
        history.valueOfVersion[version - 1] != nil
      else { return false }
      return writtenNs < history.operations[index].invokeNs
    }
    guard let index = candidate, case .ok(.read(_, let version)) = history.operations[index].outcome else {
      return
    }
    history.operations[index].outcome = .ok(
      .read(value: history.valueOfVersion[version - 1]!, version: version - 1))
    #expect(verdict(history.operations) == .notLinearizable)
  }

  @Test("an acknowledged compare-and-set duplicated from the same version fails", arguments: seeds)
  func duplicatedCompareAndSetFails(seed: UInt64) {
    var history = GeneratedHistory(seed: seed, count: 60)
    guard
      let index = history.operations.indices.first(where: { index in
        if case .compareAndSet = history.operations[index].input,
          case .ok(.written) = history.operations[index].outcome
        {
          return true
        }
        return false
      })
    else { return }
    var copy = history.operations[index]
    guard case .compareAndSet(let expected, _) = copy.input else { return }
    copy.input = .compareAndSet(expectedVersion: expected, value: 555_555_555)
    copy.process = ProcessID(77)
    history.operations.append(copy)
    #expect(verdict(history.operations) == .notLinearizable)
  }

  @Test("the mutations apply to most seeds, so the mutation tests test something")
  func mutationsApply() {
    var stale = 0
    var compareAndSet = 0
    var indeterminate = 0
    for seed in Self.seeds {
      let history = GeneratedHistory(seed: seed, count: 60)
      indeterminate += history.operations.filter { $0.outcome == .indeterminate }.count
      if history.operations.contains(where: {
        if case .compareAndSet = $0.input, case .ok(.written) = $0.outcome {
          return true
        } else {
          return false
        }
      }) {
        compareAndSet += 1
      }
      if history.operations.contains(where: { operation in
        guard case .ok(.read(_, let version)) = operation.outcome, version >= 1,
          let writtenNs = history.acknowledgedVersionCompleteNs[version]
        else { return false }
        return writtenNs < operation.invokeNs
      }) {
        stale += 1
      }
    }
    #expect(stale >= 120)
    #expect(compareAndSet >= 120)
    #expect(indeterminate >= 300)
  }

  @Test("the same seed gives the same verdict and explored-state count")
  func deterministic() {
    let history = GeneratedHistory(seed: 42, count: 80)
    let first = LinearizabilityChecker().check(history.operations, initial: zero)
    let second = LinearizabilityChecker().check(history.operations, initial: zero)
    #expect(first == second)
  }
}
