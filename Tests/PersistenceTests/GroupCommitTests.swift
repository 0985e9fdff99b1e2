import Foundation
import RaftCore
import Simulation
import Synchronization
import Testing

@testable import Persistence

@Suite("Group commit: the sync worker and the bounded wait")
struct GroupCommitTests {
  @Test("the sync worker flushes queued writes and reports each durable ticket")
  func syncWorkerReportsDurability() throws {
    let disk = SimFileSystem(seed: 5)
    let log = try DurableLog(directory: "/node", fileSystem: disk, options: smallSegments)
    let reported = Mutex<[DurabilityTicket]>([])
    let arrived = DispatchSemaphore(value: 0)
    let worker = SyncWorker(log: log) { result in
      if case .success(let ticket) = result { reported.withLock { $0.append(ticket) } }
      arrived.signal()
    }
    worker.start()
    var last = DurabilityTicket.zero
    for index in UInt64(1)...30 {
      last = try log.append([testEntry(index)])
      // The loop thread never waits for the disk; it just reads what became durable.
    }
    while reported.withLock({ $0.last }) != last {
      if arrived.wait(timeout: .now() + 10) == .timedOut { break }
    }
    #expect(try log.lastIndex() == LogIndex(30))
    let tickets = reported.withLock { $0 }
    #expect(tickets == tickets.sorted(), "durable tickets only grow")
    #expect(disk.statistics.syncs - 1 == tickets.count, "one sync per report (plus the first segment's)")
    worker.stop()
    #expect(throws: PersistenceError.closed) { try log.append([testEntry(31)]) }
  }

  @Test("the group-commit wait ends as soon as enough bytes are queued, without waiting out the window")
  func windowEndsEarlyWhenFull() throws {
    let disk = SimFileSystem(seed: 6)
    var options = smallSegments
    options.groupCommitWindowMicroseconds = 60_000_000
    options.groupCommitBytes = 1000
    let log = try DurableLog(directory: "/node", fileSystem: disk, options: options)
    _ = try log.append(testEntries(1...40))  // 40 × (13 + 41) bytes: over the threshold
    #expect(try log.flush() == DurabilityTicket(rawValue: 1))
    #expect(try log.lastIndex() == LogIndex(40))
  }

  @Test("the group-commit wait is bounded: a lone small write is flushed once the window passes")
  func windowIsBounded() throws {
    let disk = SimFileSystem(seed: 7)
    var options = smallSegments
    options.groupCommitWindowMicroseconds = 1000
    let log = try DurableLog(directory: "/node", fileSystem: disk, options: options)
    try log.waitUntilDurable(try log.append([testEntry(1)]))
    #expect(try log.lastIndex() == LogIndex(1))
  }

  @Test("new segments and removed ones are durable as soon as the flush returns (directory fsynced)")
  func directoryChangesSurviveCrash() throws {
    let disk = SimFileSystem(seed: 8)
    var options = smallSegments
    options.snapshotsRetained = 1
    let log = try DurableLog(directory: "/node", fileSystem: disk, options: options)
    for start in stride(from: UInt64(1), through: 291, by: 10) {
      _ = try log.append(testEntries(start...start + 9))
      try log.flush()
    }
    try log.waitUntilDurable(try log.saveSnapshot(testSnapshot(250)))
    let names = try disk.contentsOfDirectory("/node")
    disk.crash()
    #expect(try disk.contentsOfDirectory("/node") == names)
    let reopened = try DurableLog(directory: "/node", fileSystem: disk, options: options)
    #expect(try allEntries(reopened) == testEntries(251...300))
    #expect(try reopened.snapshot() == testSnapshot(250))
  }
}

@Suite("Simulated disk")
struct SimFileSystemTests {
  @Test("a crash keeps synced data and keeps, loses or tears (a prefix of) unsynced writes")
  func crashKeepsSyncedAndTearsUnsynced() throws {
    var outcomes = Set<Int>()
    for seed in UInt64(0)..<40 {
      let disk = SimFileSystem(seed: seed)
      try disk.makeDirectory("/d")
      let file = try disk.openFile("/d/f", create: true)
      try disk.syncDirectory("/d")
      try file.write([1, 2, 3, 4], at: 0)
      try file.syncData()
      let unsynced = [UInt8](5...100)
      try file.write(unsynced, at: 4)
      disk.crash()
      let after = disk.contents(of: "/d/f")!
      #expect(Array(after.prefix(4)) == [1, 2, 3, 4])
      let kept = Array(after.dropFirst(4))
      #expect(kept == Array(unsynced.prefix(kept.count)))
      outcomes.insert(kept.count == 0 ? 0 : kept.count == unsynced.count ? 2 : 1)
      #expect(throws: PersistenceError.self) { try file.read(at: 0, count: 1) }
    }
    #expect(outcomes == [0, 1, 2], "lost, torn and kept all occur")
  }

  @Test("a created or renamed name not made durable by a directory sync is undone by a crash")
  func unsyncedNamesAreLost() throws {
    let disk = SimFileSystem(seed: 1)
    try disk.makeDirectory("/d")
    _ = try disk.openFile("/d/a.tmp", create: true)
    try disk.syncDirectory("/d")
    try disk.rename("/d/a.tmp", to: "/d/a")
    _ = try disk.openFile("/d/b", create: true)
    #expect(try disk.contentsOfDirectory("/d") == ["a", "b"])
    disk.crash()
    #expect(try disk.contentsOfDirectory("/d") == ["a.tmp"])
  }

  @Test("injected write and sync errors fail with EIO")
  func injectedErrors() throws {
    let disk = SimFileSystem(seed: 2, faults: SimFileSystem.Faults(writeErrorProbability: 1))
    try disk.makeDirectory("/d")
    let file = try disk.openFile("/d/f", create: true)
    #expect(throws: PersistenceError.io(operation: "pwrite", path: "/d/f", errno: 5)) {
      try file.write([1], at: 0)
    }
    disk.setFaults(SimFileSystem.Faults(syncErrorProbability: 1))
    try file.write([1], at: 0)
    #expect(throws: PersistenceError.io(operation: "fdatasync", path: "/d/f", errno: 5)) {
      try file.syncData()
    }
  }

  @Test("operations cost simulated time: syncs more than writes")
  func latency() throws {
    let disk = SimFileSystem(
      seed: 3, faults: SimFileSystem.Faults(writeLatencyMicroseconds: 10, syncLatencyMicroseconds: 1000))
    try disk.makeDirectory("/d")
    let file = try disk.openFile("/d/f", create: true)
    try file.write([1], at: 0)
    let afterWrite = disk.statistics.elapsedMicroseconds
    try file.syncData()
    let afterSync = disk.statistics.elapsedMicroseconds
    #expect(afterWrite >= 10 && afterWrite <= 20)
    #expect(afterSync - afterWrite >= 1000 && afterSync - afterWrite <= 2000)
  }
}
