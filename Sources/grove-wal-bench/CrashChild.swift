import Foundation
import Persistence
import RaftCore
import Synchronization

/// The child of the real crash test. It drives the log the way the server does: one thread
/// queues entries (term 1, data derived from the index, see `CrashChild.data`), hard states and
/// now and then a snapshot, while a `SyncWorker` flushes; each time a flush is durable it prints
/// `ack <index>`: every entry through <index> is on disk. It never stops by itself before the
/// parent's SIGKILL (a 30 s alarm bounds a forgotten child).
enum CrashChild {
  /// The options the crash test opens the same directory with.
  static let options = LogOptions(
    clusterID: 42, nodeID: NodeID(1), segmentBytes: 64 << 10, snapshotsRetained: 1)

  /// Entry data: 100 bytes that depend only on the index (the test recomputes them).
  static func data(_ index: UInt64) -> [UInt8] {
    (0..<100).map { UInt8(truncatingIfNeeded: index &* 31 &+ UInt64($0)) }
  }

  static func run(directory: String, seed: UInt64) -> Never {
    alarm(30)
    let log: DurableLog
    do {
      log = try DurableLog(directory: directory, fileSystem: PosixFileSystem(), options: options)
    } catch {
      emit("error \(error)")
      exit(1)
    }
    var last = (try? log.lastIndex()) ?? .zero
    emit("recovered \(last)")
    // Tickets not yet durable, with the last index each covers.
    let waiting = Mutex<[(ticket: DurabilityTicket, index: LogIndex)]>([])
    let inFlight = DispatchSemaphore(value: 32)
    let worker = SyncWorker(log: log) { result in
      guard case .success(let durable) = result else {
        emit("error \(result)")
        exit(1)
      }
      let done = waiting.withLock { (waiting) -> [LogIndex] in
        let count = waiting.prefix { $0.ticket <= durable }.count
        defer { waiting.removeFirst(count) }
        return waiting.prefix(count).map(\.index)
      }
      if let index = done.last { emit("ack \(index)") }
      for _ in done { inFlight.signal() }
    }
    worker.start()
    var random = SplitMix(seed: seed)
    var snapshotIndex = (try? log.firstIndex().previous) ?? .zero
    while true {
      inFlight.wait()
      let count = 1 + random.next() % 20
      let entries = (1...count).map { k in
        Entry(term: Term(1), index: LogIndex(last.rawValue + k), data: data(last.rawValue + k))
      }
      do {
        last = entries[entries.count - 1].index
        if random.next() % 50 == 0, let durable = try? log.lastIndex(), durable > snapshotIndex {
          // Snapshot (compact) at an index already durable, like an application that snapshots
          // what it has applied.
          _ = try log.saveSnapshot(
            Snapshot(
              metadata: SnapshotMetadata(index: durable, term: Term(1)),
              data: Array("snapshot \(durable)".utf8)))
          snapshotIndex = durable
        }
        _ = try log.append(entries)
        let ticket = try log.saveHardState(HardState(term: Term(1), vote: NodeID(1), commit: last))
        waiting.withLock { $0.append((ticket, last)) }
      } catch {
        emit("error \(error)")
        exit(1)
      }
    }
  }
}

/// Writes one line to standard output at once, unbuffered: once written, a SIGKILL cannot lose
/// it, so the parent sees every acknowledgement the child made.
func emit(_ line: String) {
  let bytes = Array((line + "\n").utf8)
  bytes.withUnsafeBytes { raw in
    var done = 0
    while done < raw.count {
      let n = write(1, raw.baseAddress! + done, raw.count - done)
      if n <= 0 { exit(1) }
      done += n
    }
  }
}

/// SplitMix64, for the child's choices.
struct SplitMix {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
