import Foundation
import RaftCore
import Testing

@testable import Persistence

/// The crash child's options and entry data, as `grove-wal-bench crash-child` writes them
/// (Sources/grove-wal-bench/CrashChild.swift).
enum CrashChildContract {
  static let options = LogOptions(
    clusterID: 42, nodeID: NodeID(1), segmentBytes: 64 << 10, snapshotsRetained: 1)

  static func data(_ index: UInt64) -> [UInt8] {
    (0..<100).map { UInt8(truncatingIfNeeded: index &* 31 &+ UInt64($0)) }
  }

  /// `grove-wal-bench`, built next to the test bundle by `swift build --build-tests`.
  static func executable() -> String? {
    let testBinary =
      (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      ?? CommandLine.arguments[0]
    var directory = URL(fileURLWithPath: testBinary).deletingLastPathComponent()
    // The bundle's binary may sit inside `X.xctest/Contents/MacOS` on some platforms.
    for _ in 0..<4 {
      let candidate = directory.appendingPathComponent("grove-wal-bench").path
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
      directory = directory.deletingLastPathComponent()
    }
    return nil
  }
}

@Suite("Real crash: SIGKILL at random moments never loses an acknowledged entry")
struct ProcessCrashTests {
  @Test("20 rounds of a child appending and acknowledging after each sync, killed with SIGKILL")
  func killedChildLosesNothingAcknowledged() throws {
    guard let executable = CrashChildContract.executable() else {
      Issue.record(
        "grove-wal-bench not found next to the test binary; build it with `swift build --build-tests`")
      return
    }
    let directory = TemporaryDirectory("crash")
    defer { directory.remove() }
    var random = TestRandom(seed: 2026)
    var acknowledged = LogIndex.zero
    for round in 0..<20 {
      // Kill after a random number of acknowledgements, sometimes before the first (during
      // recovery or the first write).
      let acksBeforeKill = Int.random(in: 0...25, using: &random)
      let child = Process()
      child.executableURL = URL(fileURLWithPath: executable)
      child.arguments = ["crash-child", directory.path, String(round)]
      let output = Pipe()
      child.standardOutput = output
      try child.run()
      var lines = LineReader(output.fileHandleForReading)
      var acks = 0
      var childFailure: String? = nil
      while acks < acksBeforeKill, let line = lines.next() {
        if line.hasPrefix("ack ") {
          acks += 1
          acknowledged = max(acknowledged, LogIndex(UInt64(line.dropFirst(4))!))
        } else if line.hasPrefix("error") {
          childFailure = line
          break
        }
      }
      kill(child.processIdentifier, SIGKILL)
      // Acknowledgements written before the kill are still in the pipe: they count too.
      while let line = lines.next() {
        if line.hasPrefix("ack ") { acknowledged = max(acknowledged, LogIndex(UInt64(line.dropFirst(4))!)) }
        if line.hasPrefix("error") { childFailure = line }
      }
      child.waitUntilExit()
      #expect(childFailure == nil, "round \(round): \(childFailure ?? "")")
      #expect(child.terminationReason == .uncaughtSignal, "round \(round): the child exited by itself")

      let log = try DurableLog(
        directory: directory.path, fileSystem: PosixFileSystem(), options: CrashChildContract.options)
      defer { log.close() }
      let first = try log.firstIndex()
      let last = try log.lastIndex()
      #expect(last >= acknowledged, "round \(round): acknowledged \(acknowledged), recovered through \(last)")
      let entries = try allEntries(log)
      #expect(entries.count == Int(last.rawValue + 1 - first.rawValue))
      for entry in entries
      where entry
        != Entry(term: Term(1), index: entry.index, data: CrashChildContract.data(entry.index.rawValue))
      {
        Issue.record("round \(round): entry \(entry.index) differs from what the child wrote")
        break
      }
      if first > LogIndex(1) {
        #expect(try log.snapshot().data == Array("snapshot \(first.previous)".utf8))
      }
      #expect(try log.initialState().0.commit <= last)
    }
    #expect(acknowledged > LogIndex(0), "the children acknowledged something")
  }
}

/// Lines from a pipe, until end of file.
struct LineReader {
  let handle: FileHandle
  var buffer: [UInt8] = []
  var finished = false

  init(_ handle: FileHandle) { self.handle = handle }

  mutating func next() -> String? {
    while true {
      if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
        let line = String(decoding: buffer[..<newline], as: UTF8.self)
        buffer.removeSubrange(...newline)
        return line
      }
      if finished { return nil }
      let data = handle.availableData
      if data.isEmpty { finished = true } else { buffer.append(contentsOf: data) }
    }
  }
}
