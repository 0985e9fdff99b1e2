import Foundation
import RaftCore
import Simulation
import Synchronization
import Testing

@testable import Persistence

@Suite("Durable log: append, read, reopen")
struct DurableLogTests {
  let fileSystem = PosixFileSystem()

  @Test("entries and hard state written and flushed are there after reopening")
  func appendAndRecover() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let log = try DurableLog(directory: directory.path, fileSystem: fileSystem, options: smallSegments)
    _ = try log.append(testEntries(1...50))
    _ = try log.saveHardState(HardState(term: Term(1), vote: NodeID(2), commit: LogIndex(40)))
    try log.flush()
    _ = try log.append(testEntries(51...200))
    try log.flush()
    log.close()

    let reopened = try DurableLog(directory: directory.path, fileSystem: fileSystem, options: smallSegments)
    #expect(try allEntries(reopened) == testEntries(1...200))
    #expect(try reopened.initialState().0 == HardState(term: Term(1), vote: NodeID(2), commit: LogIndex(40)))
    #expect(try reopened.firstIndex() == LogIndex(1))
    #expect(try reopened.term(at: LogIndex(0)) == Term(0))
    #expect(reopened.testSegmentPaths.count > 1, "200 entries span several 4 KiB segments")
  }

  @Test("queued writes are invisible to the read side until flushed")
  func readSideShowsOnlyDurable() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let log = try DurableLog(directory: directory.path, fileSystem: fileSystem, options: smallSegments)
    let ticket = try log.append(testEntries(1...3))
    #expect(try log.lastIndex() == LogIndex(0))
    #expect(log.durableTicket < ticket)
    #expect(try log.flush() == ticket)
    #expect(try log.lastIndex() == LogIndex(3))
  }

  @Test("appending at index i drops i and everything after it (Raft §5.3), also after reopening")
  func conflictingSuffixIsTruncated() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let log = try DurableLog(directory: directory.path, fileSystem: fileSystem, options: smallSegments)
    _ = try log.append(testEntries(1...100))
    try log.flush()
    _ = try log.append(testEntries(60...65, term: 2))
    try log.flush()
    let expected = testEntries(1...59) + testEntries(60...65, term: 2)
    #expect(try allEntries(log) == expected)
    #expect(try log.term(at: LogIndex(60)) == Term(2))
    log.close()
    let reopened = try DurableLog(directory: directory.path, fileSystem: fileSystem, options: smallSegments)
    #expect(try allEntries(reopened) == expected)
  }

  @Test("an append that leaves a hole or starts at 0 is refused")
  func nonContiguousAppendRefused() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let log = try DurableLog(directory: directory.path, fileSystem: fileSystem, options: smallSegments)
    _ = try log.append(testEntries(1...5))
    #expect(throws: PersistenceError.self) { try log.append(testEntries(7...8)) }
    #expect(throws: PersistenceError.self) { try log.append([testEntry(6), testEntry(8)]) }
    #expect(throws: PersistenceError.self) { try log.append([Entry(term: Term(1), index: LogIndex(0))]) }
  }

  @Test("entries evicted from the cache are read back from their segment")
  func readsPastTheCache() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    var options = smallSegments
    options.cacheBytesMax = 200
    let log = try DurableLog(directory: directory.path, fileSystem: fileSystem, options: options)
    for start in stride(from: UInt64(1), through: 291, by: 10) {
      _ = try log.append(testEntries(start...start + 9))
      try log.flush()
    }
    #expect(try allEntries(log) == testEntries(1...300))
    #expect(try log.entries(LogIndex(10)..<LogIndex(20), maxBytes: 3 * 41) == testEntries(10...12))
    #expect(try log.entries(LogIndex(10)..<LogIndex(20), maxBytes: 0) == [testEntry(10)])
  }

  @Test("reads outside the log say compacted or unavailable")
  func boundsErrors() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let log = try DurableLog(directory: directory.path, fileSystem: fileSystem, options: smallSegments)
    _ = try log.append(testEntries(1...10))
    try log.flush()
    #expect(throws: StorageError.unavailable) { try log.entries(LogIndex(5)..<LogIndex(12), maxBytes: .max) }
    #expect(throws: StorageError.unavailable) { try log.term(at: LogIndex(11)) }
    #expect(throws: StorageError.compacted) { try log.entries(LogIndex(0)..<LogIndex(2), maxBytes: .max) }
  }

  @Test("a log written for another node is refused, naming the file")
  func identityChecked() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    _ = try DurableLog(directory: directory.path, fileSystem: fileSystem, options: smallSegments)
    var other = smallSegments
    other.nodeID = NodeID(4)
    #expect {
      _ = try DurableLog(directory: directory.path, fileSystem: fileSystem, options: other)
    } throws: { error in
      guard case .identityMismatch(let file, _) = error as? PersistenceError else { return false }
      return file == directory.file("0000000000000000.wal")
    }
  }

  @Test("many appends queued before one flush share one write and one fdatasync")
  func groupCommitSharesOneSync() throws {
    let disk = SimFileSystem(seed: 1)
    let log = try DurableLog(directory: "/data", fileSystem: disk, options: smallSegments)
    let before = disk.statistics
    var last = DurabilityTicket.zero
    for index in UInt64(1)...20 { last = try log.append([testEntry(index)]) }
    last = try log.saveHardState(HardState(term: Term(1), vote: .none, commit: LogIndex(20)))
    try log.waitUntilDurable(last)
    let after = disk.statistics
    #expect(after.writes - before.writes == 1)
    #expect(after.syncs - before.syncs == 1)
    #expect(try log.lastIndex() == LogIndex(20))
  }

  @Test("concurrent appenders all become durable, each told only once its write is on disk")
  func concurrentAppenders() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let log = try DurableLog(directory: directory.path, fileSystem: fileSystem, options: smallSegments)
    let counter = IndexCounter()
    let failures = Mutex<[String]>([])
    let done = DispatchGroup()
    for _ in 0..<8 {
      done.enter()
      Thread.detachNewThread {
        defer { done.leave() }
        do {
          for _ in 0..<25 {
            let ticket = try counter.appendNext(to: log)
            try log.waitUntilDurable(ticket)
            if log.durableTicket < ticket { failures.withLock { $0.append("ticket \(ticket) not durable") } }
          }
        } catch {
          failures.withLock { $0.append("\(error)") }
        }
      }
    }
    done.wait()
    #expect(failures.withLock { $0 } == [])
    #expect(try allEntries(log) == testEntries(1...200))
  }
}

/// Hands out the next index and appends it atomically, as Raft's single thread would.
final class IndexCounter: Sendable {
  private let next = Mutex<UInt64>(1)

  func appendNext(to log: DurableLog) throws(PersistenceError) -> DurabilityTicket {
    try next.withLock { (index) throws(PersistenceError) -> DurabilityTicket in
      let ticket = try log.append([testEntry(index)])
      index += 1
      return ticket
    }
  }
}
