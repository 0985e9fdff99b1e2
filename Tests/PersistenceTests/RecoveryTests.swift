import Foundation
import RaftCore
import Testing

@testable import Persistence

/// A log on the real file system where every entry was its own write (its own batch), with the
/// offset each write ended at, so a test knows which entries a damaged byte belongs to.
struct WrittenLog {
  let directory: TemporaryDirectory
  /// Offset in the (single) segment where record k (1-based entry k) starts; `ends[k - 1]` is where
  /// the entry after it starts.
  let starts: [Int]
  let ends: [Int]
  let segment: String
  let entryCount: UInt64

  init(entries entryCount: UInt64, lastBatch: UInt64 = 1) throws {
    directory = TemporaryDirectory()
    self.entryCount = entryCount
    let log = try DurableLog(directory: directory.path, fileSystem: PosixFileSystem(), options: tinySegment)
    var starts: [Int] = []
    var ends: [Int] = []
    var index: UInt64 = 1
    while index <= entryCount {
      let batch = index > entryCount - lastBatch ? entryCount - index + 1 : 1
      starts.append(log.testWriteOffset)
      _ = try log.append(testEntries(index...index + batch - 1, bytes: 16 + Int(index % 5)))
      try log.flush()
      ends.append(log.testWriteOffset)
      index += batch
    }
    segment = log.testSegmentPaths[0]
    log.close()
    self.starts = starts
    self.ends = ends
  }

  func entriesThrough(_ last: UInt64) -> [Entry] {
    last == 0 ? [] : (1...last).map { testEntry($0, bytes: 16 + Int($0 % 5)) }
  }
}

/// One 8 KiB segment: large enough for these logs, small enough to copy hundreds of times.
let tinySegment = LogOptions(segmentBytes: 8192)

@Suite("Recovery: torn tails are cut, corruption is refused")
struct RecoveryTests {
  let fileSystem = PosixFileSystem()

  @Test(
    "a log cut at every byte offset of its last records recovers exactly the whole records before the cut")
  func truncationAtEveryOffset() throws {
    let written = try WrittenLog(entries: 12)
    defer { written.directory.remove() }
    let firstCut = written.starts[written.starts.count - 4]
    let end = written.ends[written.ends.count - 1]
    for cut in firstCut...end {
      for shortensFile in [false, true] {
        let copy = written.directory.copy()
        defer { copy.remove() }
        damageFile(copy.file("0000000000000000.wal")) { bytes in
          if shortensFile {
            bytes.removeSubrange(cut...)
          } else {
            for k in cut..<end { bytes[k] = 0 }
          }
        }
        let whole = UInt64(written.ends.filter { $0 <= cut }.count)
        let log = try DurableLog(directory: copy.path, fileSystem: fileSystem, options: tinySegment)
        #expect(try allEntries(log) == written.entriesThrough(whole), "cut at \(cut)")
        // The cut tail was zeroed: what is written next recovers cleanly after it.
        _ = try log.append([testEntry(whole + 1, term: 2)])
        try log.flush()
        log.close()
        let reopened = try DurableLog(directory: copy.path, fileSystem: fileSystem, options: tinySegment)
        #expect(
          try allEntries(reopened) == written.entriesThrough(whole) + [testEntry(whole + 1, term: 2)],
          "cut at \(cut)")
      }
    }
  }

  @Test(
    "a flipped bit in the last write is a torn tail; anywhere before it, a refusal naming file and offset")
  func bitFlipsAreDetected() throws {
    let written = try WrittenLog(entries: 30)
    defer { written.directory.remove() }
    // Record starts: the preamble (snapshot marker, hard state), then one entry per write.
    let recordStarts = [SegmentHeader.bytes, SegmentHeader.bytes + 30] + written.starts
    let end = written.ends[written.ends.count - 1]
    var random = TestRandom(seed: 42)
    for _ in 0..<150 {
      let position = Int.random(in: SegmentHeader.bytes..<end + 64, using: &random)
      let bit = UInt8(1) << UInt8.random(in: 0..<8, using: &random)
      let copy = written.directory.copy()
      defer { copy.remove() }
      let path = copy.file("0000000000000000.wal")
      damageFile(path) { $0[position] ^= bit }
      let recordStart = recordStarts.last { $0 <= position }!
      if position >= end {
        // Past the data, in pre-allocated space: nothing is lost, the garbage is cleared.
        let log = try DurableLog(directory: copy.path, fileSystem: fileSystem, options: tinySegment)
        #expect(try allEntries(log) == written.entriesThrough(written.entryCount), "flip at \(position)")
      } else if recordStart == written.starts[written.starts.count - 1] {
        let log = try DurableLog(directory: copy.path, fileSystem: fileSystem, options: tinySegment)
        #expect(try allEntries(log) == written.entriesThrough(written.entryCount - 1), "flip at \(position)")
      } else {
        #expect("flip at \(position)") {
          _ = try DurableLog(directory: copy.path, fileSystem: fileSystem, options: tinySegment)
        } throws: { error in
          guard case .corruption(let file, let offset, _) = error as? PersistenceError else { return false }
          return file == path && offset == Int64(recordStart)
        }
      }
    }
  }

  @Test("damage inside a multi-entry last write cuts the log where the damage starts")
  func damageInsideLastBatch() throws {
    let written = try WrittenLog(entries: 20, lastBatch: 5)
    defer { written.directory.remove() }
    let lastWrite = written.starts[written.starts.count - 1]
    let copy = written.directory.copy()
    defer { copy.remove() }
    // Zero a stretch in the middle of the last write (a page that never reached the disk) while
    // the records after it did.
    let holeStart = lastWrite + 60
    damageFile(copy.file("0000000000000000.wal")) { bytes in
      for k in holeStart..<holeStart + 30 { bytes[k] = 0 }
    }
    let log = try DurableLog(directory: copy.path, fileSystem: fileSystem, options: tinySegment)
    let recovered = try allEntries(log)
    #expect(recovered.count >= 15 && recovered.count < 20)
    #expect(recovered == written.entriesThrough(UInt64(recovered.count)))
  }

  @Test("a segment missing from the middle of the sequence is refused, naming it")
  func missingMiddleSegment() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let log = try DurableLog(directory: directory.path, fileSystem: fileSystem, options: smallSegments)
    for index in UInt64(1)...200 {
      _ = try log.append([testEntry(index)])
      try log.flush()
    }
    log.close()
    #expect(directory.names.count >= 3)
    try FileManager.default.removeItem(atPath: directory.file("0000000000000001.wal"))
    #expect {
      _ = try DurableLog(directory: directory.path, fileSystem: fileSystem, options: smallSegments)
    } throws: { error in
      guard case .missingSegment(let file, _) = error as? PersistenceError else { return false }
      return file == directory.file("0000000000000001.wal")
    }
  }

  @Test("a missing first segment that no snapshot covers is refused")
  func missingFirstSegment() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let log = try DurableLog(directory: directory.path, fileSystem: fileSystem, options: smallSegments)
    for index in UInt64(1)...200 {
      _ = try log.append([testEntry(index)])
      try log.flush()
    }
    log.close()
    try FileManager.default.removeItem(atPath: directory.file("0000000000000000.wal"))
    #expect {
      _ = try DurableLog(directory: directory.path, fileSystem: fileSystem, options: smallSegments)
    } throws: { error in
      guard case .missingSegment(let file, let reason) = error as? PersistenceError else { return false }
      return file == directory.file("0000000000000001.wal") && reason.contains("no snapshot covers")
    }
  }

  @Test("a gap between entries inside a segment is refused at the entry after the gap")
  func gapBetweenEntries() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    var bytes = SegmentHeader(clusterID: 0, nodeID: .none, sequence: 0, firstIndex: LogIndex(1)).encoded()
    let start = UInt32(bytes.count)
    WALRecord.snapshotMarker(index: .zero, term: .zero, reset: false).encode(batchStart: start, into: &bytes)
    WALRecord.entry(testEntry(1)).encode(batchStart: start, into: &bytes)
    WALRecord.entry(testEntry(2)).encode(batchStart: start, into: &bytes)
    let gapOffset = bytes.count
    WALRecord.entry(testEntry(4)).encode(batchStart: start, into: &bytes)
    let path = directory.file("0000000000000000.wal")
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    #expect(
      throws: PersistenceError.corruption(
        file: path, offset: Int64(gapOffset), reason: "entry 4 follows entry 2: entries are missing")
    ) {
      _ = try DurableLog(directory: directory.path, fileSystem: fileSystem)
    }
  }

  @Test("a segment of an unknown format version is refused with its version")
  func unknownVersion() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    _ = try DurableLog(directory: directory.path, fileSystem: fileSystem)
    let path = directory.file("0000000000000000.wal")
    damageFile(path) { $0[8] = 2 }
    #expect(throws: PersistenceError.unsupportedVersion(file: path, version: 2)) {
      _ = try DurableLog(directory: directory.path, fileSystem: fileSystem)
    }
  }

  @Test("the error message names the file and the offset")
  func messageNamesFileAndOffset() {
    let error = PersistenceError.corruption(
      file: "/data/0000000000000002.wal", offset: 4711, reason: "checksum mismatch")
    #expect(
      error.description
        == "corrupt log: /data/0000000000000002.wal at offset 4711: checksum mismatch; refusing to start")
  }
}
