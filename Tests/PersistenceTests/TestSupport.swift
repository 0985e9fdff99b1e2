import Foundation
import RaftCore

@testable import Persistence

/// A fresh directory under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory {
  let path: String

  init(_ label: String = "wal") {
    let template = NSTemporaryDirectory() + "grove-\(label)-XXXXXX"
    var bytes = Array(template.utf8CString)
    let result = bytes.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    precondition(result != nil, "mkdtemp failed")
    path = String(cString: result!)
  }

  func remove() { try? FileManager.default.removeItem(atPath: path) }

  /// A copy of this directory's files in a new temporary directory.
  func copy() -> TemporaryDirectory {
    let target = TemporaryDirectory("copy")
    for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
      try! FileManager.default.copyItem(atPath: path + "/" + name, toPath: target.path + "/" + name)
    }
    return target
  }

  func file(_ name: String) -> String { path + "/" + name }
  func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: file(name)) }
  var names: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
}

/// The entry at `index`, with data derived from the index (so any entry can be checked alone).
func testEntry(_ index: UInt64, term: UInt64 = 1, bytes: Int = 24) -> Entry {
  Entry(
    term: Term(term), index: LogIndex(index), kind: index % 7 == 0 ? .confChange : .normal,
    data: (0..<bytes).map { UInt8(truncatingIfNeeded: index &* 31 &+ UInt64($0)) })
}

func testEntries(_ range: ClosedRange<UInt64>, term: UInt64 = 1, bytes: Int = 24) -> [Entry] {
  range.map { testEntry($0, term: term, bytes: bytes) }
}

/// Small segments so tests cross segment boundaries quickly.
let smallSegments = LogOptions(clusterID: 7, nodeID: NodeID(3), segmentBytes: 4096)

/// All entries of the log, read through `LogStorage`.
func allEntries(_ log: DurableLog) throws -> [Entry] {
  let first = try log.firstIndex()
  let last = try log.lastIndex()
  guard last >= first else { return [] }
  return try log.entries(first..<last.next, maxBytes: .max)
}

extension DurableLog {
  /// Test access: the offset where the next write goes in the last segment.
  var testWriteOffset: Int { monitor.withLock { $0.writeOffset } }
  var testSegmentPaths: [String] { monitor.withLock { $0.segments.map(\.path) } }
}

/// Reads, changes and writes back a file (damage done on purpose).
func damageFile(_ path: String, _ body: (inout [UInt8]) -> Void) {
  var bytes = [UInt8](FileManager.default.contents(atPath: path)!)
  body(&bytes)
  _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
}

/// A seeded generator for tests (SplitMix64).
struct TestRandom: RandomNumberGenerator {
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
