import Foundation
import RaftCore
import Testing

@testable import Persistence

func testSnapshot(_ index: UInt64, term: UInt64 = 1) -> Snapshot {
  Snapshot(
    metadata: SnapshotMetadata(
      index: LogIndex(index), term: Term(term),
      confState: ConfState(voters: [NodeID(1), NodeID(2), NodeID(3)])),
    data: Array("state as of \(index)".utf8))
}

@Suite("Snapshots: compaction, installation, retention")
struct SnapshotTests {
  let fileSystem = PosixFileSystem()

  func filledLog(_ directory: TemporaryDirectory, through last: UInt64, options: LogOptions = smallSegments)
    throws -> DurableLog
  {
    let log = try DurableLog(directory: directory.path, fileSystem: fileSystem, options: options)
    for start in stride(from: UInt64(1), through: last, by: 10) {
      _ = try log.append(testEntries(start...min(start + 9, last)))
      try log.flush()
    }
    return log
  }

  @Test("saving a snapshot compacts the log before it and removes segments it covers, durably")
  func saveSnapshotCompacts() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    var options = smallSegments
    options.snapshotsRetained = 1
    let log = try filledLog(directory, through: 300, options: options)
    let segmentsBefore = log.testSegmentPaths.count
    let ticket = try log.saveSnapshot(testSnapshot(250))
    #expect(try log.firstIndex() == LogIndex(1), "the log's start moves only once durable")
    try log.waitUntilDurable(ticket)
    #expect(try log.firstIndex() == LogIndex(251))
    #expect(try log.term(at: LogIndex(250)) == Term(1))
    #expect(throws: StorageError.compacted) { try log.term(at: LogIndex(249)) }
    #expect(try log.snapshot() == testSnapshot(250))
    #expect(try allEntries(log) == testEntries(251...300))
    #expect(log.testSegmentPaths.count < segmentsBefore)
    #expect(directory.names.filter { $0.hasSuffix(".wal") }.count == log.testSegmentPaths.count)
    log.close()

    let reopened = try DurableLog(directory: directory.path, fileSystem: fileSystem, options: options)
    #expect(try reopened.firstIndex() == LogIndex(251))
    #expect(try reopened.snapshot() == testSnapshot(250))
    #expect(try reopened.initialState().1 == ConfState(voters: [NodeID(1), NodeID(2), NodeID(3)]))
    #expect(try allEntries(reopened) == testEntries(251...300))
  }

  @Test("a snapshot's data is served in chunks from its file, not held in memory")
  func snapshotChunks() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let log = try filledLog(directory, through: 50)
    defer { log.close() }
    #expect(try log.snapshotChunk(from: 0, maxBytes: 100).totalBytes == 0, "no snapshot yet")
    let data = (0..<2_500).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    let saved = Snapshot(metadata: testSnapshot(40).metadata, data: data)
    try log.waitUntilDurable(try log.saveSnapshot(saved))
    #expect(try log.snapshotMetadata() == saved.metadata)
    var joined: [UInt8] = []
    var offset: UInt64 = 0
    while true {
      let chunk = try log.snapshotChunk(from: offset, maxBytes: 1_000)
      #expect(chunk.metadata == saved.metadata)
      #expect(chunk.totalBytes == 2_500)
      if chunk.bytes.isEmpty { break }
      joined += chunk.bytes
      offset += UInt64(chunk.bytes.count)
    }
    #expect(joined == data)
    #expect(try log.snapshotChunk(from: 9_999, maxBytes: 1_000).bytes.isEmpty)
    #expect(try log.snapshot() == saved)
  }

  @Test("only the configured number of snapshot files is kept")
  func retention() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let log = try filledLog(directory, through: 300)
    for index in [UInt64(100), 200, 300] {
      try log.waitUntilDurable(try log.saveSnapshot(testSnapshot(index)))
    }
    #expect(
      directory.names.filter { $0.hasSuffix(".snap") } == [
        "snap-00000000000000c8.snap", "snap-000000000000012c.snap",
      ])
  }

  @Test("installing a snapshot from the leader replaces the whole log")
  func applySnapshotResets() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let log = try filledLog(directory, through: 50)
    try log.waitUntilDurable(try log.applySnapshot(testSnapshot(500, term: 3)))
    #expect(try log.firstIndex() == LogIndex(501))
    #expect(try log.lastIndex() == LogIndex(500))
    #expect(try log.term(at: LogIndex(500)) == Term(3))
    _ = try log.append(testEntries(501...510, term: 3))
    try log.flush()
    log.close()
    let reopened = try DurableLog(directory: directory.path, fileSystem: fileSystem, options: smallSegments)
    #expect(try reopened.firstIndex() == LogIndex(501))
    #expect(try allEntries(reopened) == testEntries(501...510, term: 3))
  }

  @Test("a snapshot file whose marker never reached the log is discarded on recovery")
  func orphanSnapshotDiscarded() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let log = try filledLog(directory, through: 50)
    _ = try log.saveSnapshot(testSnapshot(40))
    log.close()  // crash before the marker was flushed
    #expect(directory.exists("snap-0000000000000028.snap"))
    let reopened = try DurableLog(directory: directory.path, fileSystem: fileSystem, options: smallSegments)
    #expect(try reopened.firstIndex() == LogIndex(1))
    #expect(try allEntries(reopened) == testEntries(1...50))
    #expect(!directory.exists("snap-0000000000000028.snap"))
  }

  @Test("a damaged snapshot file is refused, naming it")
  func damagedSnapshotRefused() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let log = try filledLog(directory, through: 50)
    try log.waitUntilDurable(try log.saveSnapshot(testSnapshot(40)))
    log.close()
    let path = directory.file("snap-0000000000000028.snap")
    damageFile(path) { $0[70] ^= 0x10 }
    #expect {
      _ = try DurableLog(directory: directory.path, fileSystem: fileSystem, options: smallSegments)
    } throws: { error in
      guard case .corruption(let file, _, let reason) = error as? PersistenceError else { return false }
      return file == path && reason == "snapshot checksum mismatch"
    }
  }

  @Test("a missing snapshot file the log starts from is refused")
  func missingSnapshotRefused() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let log = try filledLog(directory, through: 50)
    try log.waitUntilDurable(try log.saveSnapshot(testSnapshot(40)))
    log.close()
    try FileManager.default.removeItem(atPath: directory.file("snap-0000000000000028.snap"))
    #expect(throws: PersistenceError.self) {
      _ = try DurableLog(directory: directory.path, fileSystem: fileSystem, options: smallSegments)
    }
  }
}
