/// A small, fast, seeded pseudo-random generator (SplitMix64).
///
/// Contract: the sequence is fully determined by the seed, on every platform and in every build,
/// so a simulation run or a node's election timeouts can be replayed exactly. Not for secrets.
public struct SeededRandom: RandomNumberGenerator, Sendable {
  private var state: UInt64

  /// A generator whose whole output is determined by `seed`.
  public init(seed: UInt64) { self.state = seed }

  /// The next 64 pseudo-random bits.
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A value in `0..<upperBound` (multiply-high reduction; `upperBound` must be positive).
  public mutating func below(_ upperBound: UInt64) -> UInt64 {
    precondition(upperBound > 0, "below(0) has no values")
    return next().multipliedFullWidth(by: upperBound).high
  }

  /// A value in `range`.
  public mutating func int(in range: ClosedRange<Int>) -> Int {
    range.lowerBound + Int(below(UInt64(range.upperBound - range.lowerBound) + 1))
  }

  /// True with probability `p` (0 never, 1 always).
  public mutating func chance(_ p: Double) -> Bool {
    if p <= 0 { return false }
    if p >= 1 { return true }
    return Double(next() >> 11) * 0x1.0p-53 < p
  }

  /// A derived generator for an independent stream (same seed and salt, same stream).
  public func fork(salt: UInt64) -> SeededRandom {
    var copy = SeededRandom(seed: state ^ (salt &* 0xD1B5_4A32_D192_ED03))
    _ = copy.next()
    return copy
  }
}
