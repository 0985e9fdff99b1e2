import RaftCore

/// When to dial a peer again: `initialMs` doubling on each failure up to `maxMs`, each delay with
/// up to a quarter more of jitter, so nodes that lost a peer together do not all dial it in the
/// same millisecond.
///
/// A pure value: the jitter comes from a seeded generator, so the same seed gives the same delays.
struct ReconnectBackoff {
  let initialMs: Int64
  let maxMs: Int64
  /// The next delay before jitter.
  private(set) var currentMs: Int64

  /// A backoff starting at `initialMs` (positive), capped at `maxMs` (at least `initialMs`).
  init(initialMs: Int64, maxMs: Int64) {
    precondition(initialMs > 0 && maxMs >= initialMs, "backoff \(initialMs)...\(maxMs) ms is not a range")
    self.initialMs = initialMs
    self.maxMs = maxMs
    self.currentMs = initialMs
  }

  /// The delay before the next dial, in `currentMs...currentMs * 5/4`; doubles `currentMs` up to
  /// `maxMs` for the time after.
  mutating func nextDelayMs(using random: inout SeededRandom) -> Int64 {
    let delayMs = currentMs + Int64(random.below(UInt64(currentMs / 4) + 1))
    currentMs = min(currentMs * 2, maxMs)
    return delayMs
  }

  /// Starts again from `initialMs` (after a link that stayed up).
  mutating func reset() { currentMs = initialMs }

  /// Traps unless the current delay is within its range.
  func checkInvariants() {
    precondition(
      initialMs <= currentMs && currentMs <= maxMs,
      "backoff at \(currentMs) ms outside \(initialMs)...\(maxMs)")
  }
}
