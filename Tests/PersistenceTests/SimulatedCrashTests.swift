import RaftCore
import Simulation
import Testing

@testable import Persistence

/// The log as the test believes it is: what was acknowledged, and what was queued after.
struct ModelLog: Equatable {
  var base = LogIndex.zero
  var baseTerm = Term.zero
  var entries: [Entry] = []
  var hardState = HardState.empty

  var lastIndex: LogIndex { LogIndex(base.rawValue + UInt64(entries.count)) }

  mutating func apply(_ write: ModelWrite) {
    switch write {
    case .entry(let entry):
      entries.removeSubrange(Int(entry.index.rawValue - base.rawValue - 1)...)
      entries.append(entry)
    case .compact(let index, let term):
      entries.removeFirst(Int(index.rawValue - base.rawValue))
      base = index
      baseTerm = term
    case .reset(let index, let term):
      entries.removeAll()
      base = index
      baseTerm = term
    case .hardState(let state):
      hardState = state
    }
  }

  init() {}

  init(_ log: DurableLog) throws {
    base = try log.firstIndex().previous
    baseTerm = try log.term(at: base)
    entries = try allEntries(log)
    hardState = try log.initialState().0
  }
}

enum ModelWrite {
  case entry(Entry)
  case compact(LogIndex, Term)
  case reset(LogIndex, Term)
  case hardState(HardState)
}

@Suite("Simulated disk: power loss at every operation never loses an acknowledged write")
struct SimulatedCrashTests {
  let options = LogOptions(clusterID: 1, nodeID: NodeID(1), segmentBytes: 4096, snapshotsRetained: 1)

  /// Drives the log with random appends (some overwriting the uncommitted suffix), hard states
  /// and snapshots until the disk loses power, then checks the recovered log is the acknowledged
  /// log with a prefix of the in-flight writes applied (records are recovered in order, up to the
  /// first damage of the torn write).
  func run(seed: UInt64) throws {
    let disk = SimFileSystem(seed: seed)
    var random = TestRandom(seed: seed)
    var acknowledged = ModelLog()
    var term: UInt64 = 1
    for round in 0..<6 {
      let log: DurableLog
      do {
        log = try DurableLog(directory: "/node", fileSystem: disk, options: options)
      } catch {
        Issue.record("seed \(seed) round \(round): reopen failed: \(error)")
        return
      }
      let recovered = try ModelLog(log)
      #expect(recovered == acknowledged || round == 0, "seed \(seed) round \(round)")
      if recovered != acknowledged && round > 0 { return }
      disk.crash(atOperation: Int.random(in: 1...60, using: &random))
      var inFlight: [ModelWrite] = []
      var queued = acknowledged
      while true {
        do {
          switch Int.random(in: 0..<10, using: &random) {
          case 0..<6:
            let count = UInt64.random(in: 1...8, using: &random)
            var first = queued.lastIndex.next
            let commit = queued.hardState.commit
            if Int.random(in: 0..<4, using: &random) == 0, queued.lastIndex > commit,
              queued.lastIndex > queued.base
            {
              // A new leader overwrites part of the uncommitted suffix.
              first = LogIndex(
                UInt64.random(
                  in: max(commit, queued.base).rawValue + 1...queued.lastIndex.rawValue, using: &random))
              term += 1
            }
            let entries = testEntries(
              first.rawValue...first.rawValue + count - 1, term: term,
              bytes: Int.random(in: 0...300, using: &random))
            _ = try log.append(entries)
            for entry in entries {
              inFlight.append(.entry(entry))
              queued.apply(.entry(entry))
            }
          case 6..<8:
            let state = HardState(term: Term(term), vote: NodeID(1), commit: queued.lastIndex)
            _ = try log.saveHardState(state)
            inFlight.append(.hardState(state))
            queued.apply(.hardState(state))
          case 8:
            let commit = acknowledged.hardState.commit
            if commit > queued.base, commit <= queued.lastIndex {
              let snapshotTerm = queued.entries[Int(commit.rawValue - queued.base.rawValue - 1)].term
              let snapshot = Snapshot(
                metadata: SnapshotMetadata(index: commit, term: snapshotTerm), data: [1, 2, 3])
              _ = try log.saveSnapshot(snapshot)
              inFlight.append(.compact(commit, snapshotTerm))
              queued.apply(.compact(commit, snapshotTerm))
            }
          default:
            if Int.random(in: 0..<4, using: &random) == 0 {
              // A snapshot from the leader, past the end of this log, replaces it.
              term += 1
              let index = LogIndex(queued.lastIndex.rawValue + UInt64.random(in: 1...30, using: &random))
              _ = try log.applySnapshot(
                Snapshot(metadata: SnapshotMetadata(index: index, term: Term(term)), data: [9]))
              inFlight.append(.reset(index, Term(term)))
              queued.apply(.reset(index, Term(term)))
            } else {
              try log.flush()
              acknowledged = queued
              inFlight.removeAll()
            }
          }
        } catch {
          if case .invalidArgument(let message) = error {
            Issue.record("seed \(seed): the test made an invalid write: \(message)")
          }
          break  // power lost
        }
      }
      log.close()
      // Candidates: the acknowledged log plus each prefix of the in-flight writes, hard states
      // last (the flush writes them after the entries).
      let ordered =
        inFlight.filter { if case .hardState = $0 { false } else { true } }
        + inFlight.filter { if case .hardState = $0 { true } else { false } }.suffix(1)
      var candidates = [acknowledged]
      var candidate = acknowledged
      for write in ordered {
        candidate.apply(write)
        candidates.append(candidate)
      }
      if Int.random(in: 0..<3, using: &random) == 0 {
        // Lose power again, during recovery itself (cutting the torn tail, removing files).
        disk.crash(atOperation: Int.random(in: 1...6, using: &random))
        _ = try? DurableLog(directory: "/node", fileSystem: disk, options: options)
        disk.cancelScheduledCrash()
      }
      let reopened = try DurableLog(directory: "/node", fileSystem: disk, options: options)
      let state = try ModelLog(reopened)
      reopened.close()
      guard let match = candidates.firstIndex(of: state) else {
        Issue.record(
          "seed \(seed) round \(round): recovered log is no prefix of the writes (last \(state.lastIndex), acknowledged \(acknowledged.lastIndex))"
        )
        return
      }
      acknowledged = candidates[match]
    }
  }

  @Test("recovery after power loss at random operations keeps every acknowledged write", arguments: 0..<60)
  func powerLoss(seed: UInt64) throws {
    try run(seed: seed)
  }

  @Test("the same seed replays the same disk")
  func deterministic() throws {
    func trace(_ seed: UInt64) throws -> [UInt8] {
      let disk = SimFileSystem(seed: seed)
      let log = try DurableLog(directory: "/node", fileSystem: disk, options: options)
      for index in UInt64(1)...50 { _ = try log.append([testEntry(index, bytes: 100)]) }
      disk.crash(atOperation: 1)
      _ = try? log.flush()
      return disk.contents(of: "/node/0000000000000000.wal") ?? []
    }
    #expect(try trace(9) == trace(9))
    #expect(SimFileSystem(seed: 9).statistics == SimFileSystem(seed: 9).statistics)
  }

  @Test("a failed fdatasync fails the log: no later write is accepted until it is reopened")
  func syncFailurePoisons() throws {
    let disk = SimFileSystem(seed: 3)
    let log = try DurableLog(directory: "/node", fileSystem: disk, options: options)
    _ = try log.append([testEntry(1)])
    try log.flush()
    disk.setFaults(SimFileSystem.Faults(syncErrorProbability: 1))
    _ = try log.append([testEntry(2)])
    #expect(throws: PersistenceError.io(operation: "fdatasync", path: "/node/0000000000000000.wal", errno: 5))
    {
      try log.flush()
    }
    #expect(throws: PersistenceError.self) { try log.append([testEntry(3)]) }
    disk.setFaults(SimFileSystem.Faults())
    log.close()
    disk.crash()
    let reopened = try DurableLog(directory: "/node", fileSystem: disk, options: options)
    #expect(try allEntries(reopened) == [testEntry(1)])
  }
}
