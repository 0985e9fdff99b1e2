@_spi(Testing) import RaftCore

/// The replicated state machine of the simulation: a running digest of every applied entry, so
/// two nodes agree on the digest at an index exactly when they applied the same sequence.
struct SimApp: Hashable {
  var appliedIndex: LogIndex
  var digest: UInt64

  static let initial = SimApp(appliedIndex: LogIndex(1), digest: 0xCBF2_9CE4_8422_2325)

  mutating func apply(_ entry: Entry) {
    precondition(entry.index == appliedIndex.next, "applied \(entry.index) after \(appliedIndex)")
    var h = digest
    h = Fnv.mix(h, entry.index.rawValue)
    h = Fnv.mix(h, entry.term.rawValue)
    h = Fnv.mix(h, UInt64(entry.kind.rawValue))
    digest = Fnv.hash(entry.data, into: h)
    appliedIndex = entry.index
  }

  /// Snapshot bytes: index and digest, then padding so snapshots travel in several chunks.
  func encoded(paddingBytes: Int) -> [UInt8] {
    var bytes: [UInt8] = []
    for v in [appliedIndex.rawValue, digest] {
      for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(shift))) }
    }
    bytes.append(contentsOf: repeatElement(0xA5, count: paddingBytes))
    return bytes
  }

  static func decode(_ bytes: [UInt8]) -> SimApp? {
    guard bytes.count >= 16 else { return nil }
    var values: [UInt64] = [0, 0]
    for k in 0..<2 {
      for i in 0..<8 { values[k] |= UInt64(bytes[8 * k + i]) << UInt64(8 * i) }
    }
    return SimApp(appliedIndex: LogIndex(values[0]), digest: values[1])
  }
}

enum Fnv {
  /// Folds `bytes` into `h` eight bytes at a time (deterministic; not Swift's seeded `Hasher`).
  static func hash(_ bytes: [UInt8], into h: UInt64) -> UInt64 {
    var h = h ^ UInt64(bytes.count)
    bytes.withUnsafeBytes { raw in
      var i = 0
      while i + 8 <= raw.count {
        let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
        h = (h ^ word) &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 29
        i += 8
      }
      while i < raw.count {
        h = (h ^ UInt64(raw[i])) &* 0x100_0000_01B3
        i += 1
      }
    }
    return h
  }

  static func mix(_ h: UInt64, _ v: UInt64) -> UInt64 {
    var h = h
    for shift in stride(from: 0, to: 64, by: 8) { h = (h ^ ((v >> UInt64(shift)) & 0xFF)) &* 0x100_0000_01B3 }
    return h
  }
}

/// One simulated server process: a RawNode over durable storage, the application, and the
/// batch being written but not yet synced.
final class SimNode {
  let id: NodeID
  /// What survives a crash.
  let storage: MemoryStorage
  /// Nil while the process is down.
  var raw: RawNode? {
    didSet { isUp = raw != nil }
  }
  /// Whether the process runs (kept as a flag: testing `raw` would copy the whole node).
  private(set) var isUp = false
  /// The batch whose writes are waiting for their fsync (lost, or partly kept, on a crash).
  var pending: Ready?
  /// Bumped on every crash so a sync scheduled before it is ignored.
  var incarnation = 0
  var app = SimApp.initial
  /// Removed from the membership: stopped for good.
  var removed = false
  /// Reads issued here: read id -> the commit index that the answer must reach.
  var outstandingReads: [UInt64: LogIndex] = [:]
  /// Term in which this node was last checked as leader.
  var checkedLeaderTerm: Term = .zero

  init(id: NodeID, storage: MemoryStorage) {
    self.id = id
    self.storage = storage
  }
}
