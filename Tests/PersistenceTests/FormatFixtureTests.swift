import Foundation
import RaftCore
import Testing

@testable import Persistence

/// Format version 1, frozen: `Fixtures/wal-v1` holds a log directory written by the script below.
/// Set GROVE_REGENERATE_FIXTURES=1 to rewrite it (only on purpose, reviewing the diff): a change to
/// the bytes is a new format version, and this version's fixture must stay readable.
@Suite("Format version 1 fixture")
struct FormatFixtureTests {
  static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/wal-v1").path
  static let options = LogOptions(
    clusterID: 0x6772_6F76_65, nodeID: NodeID(2), segmentBytes: 4096, snapshotsRetained: 1)

  /// Writes the fixture's log: entries over several segments, a conflicting overwrite, hard
  /// state, a snapshot that compacts the first segments.
  static func writeLog(_ directory: String) throws {
    let log = try DurableLog(directory: directory, fileSystem: PosixFileSystem(), options: options)
    for start in stride(from: UInt64(1), through: 141, by: 10) {
      _ = try log.append(testEntries(start...start + 9, bytes: 40))
      try log.flush()
    }
    _ = try log.append(testEntries(145...147, term: 2, bytes: 40))
    _ = try log.saveHardState(HardState(term: Term(2), vote: NodeID(3), commit: LogIndex(146)))
    try log.flush()
    try log.waitUntilDurable(try log.saveSnapshot(testSnapshot(60)))
    log.close()
  }

  static let expectedEntries = testEntries(61...144, bytes: 40) + testEntries(145...147, term: 2, bytes: 40)

  @Test("a version 1 log directory still opens with the same entries, hard state and snapshot")
  func readsVersion1() throws {
    if ProcessInfo.processInfo.environment["GROVE_REGENERATE_FIXTURES"] == "1" {
      try? FileManager.default.removeItem(atPath: Self.fixture)
      try FileManager.default.createDirectory(atPath: Self.fixture, withIntermediateDirectories: true)
      try Self.writeLog(Self.fixture)
    }
    let names = try FileManager.default.contentsOfDirectory(atPath: Self.fixture).sorted()
    #expect(names.contains { $0.hasSuffix(".snap") } && names.filter { $0.hasSuffix(".wal") }.count >= 2)
    let copy = TemporaryDirectory("fixture")
    defer { copy.remove() }
    for name in names {
      try FileManager.default.copyItem(atPath: Self.fixture + "/" + name, toPath: copy.file(name))
    }
    let log = try DurableLog(directory: copy.path, fileSystem: PosixFileSystem(), options: Self.options)
    #expect(try allEntries(log) == Self.expectedEntries)
    #expect(try log.initialState().0 == HardState(term: Term(2), vote: NodeID(3), commit: LogIndex(146)))
    #expect(try log.snapshot() == testSnapshot(60))
  }

  @Test("today's writer produces exactly the version 1 bytes")
  func writerStillWritesVersion1() throws {
    let fresh = TemporaryDirectory("fixture-fresh")
    defer { fresh.remove() }
    try Self.writeLog(fresh.path)
    let names = try FileManager.default.contentsOfDirectory(atPath: Self.fixture).sorted()
    #expect(fresh.names == names)
    for name in names {
      let expected = FileManager.default.contents(atPath: Self.fixture + "/" + name)
      #expect(
        FileManager.default.contents(atPath: fresh.file(name)) == expected, "\(name) differs from the fixture"
      )
    }
  }
}
