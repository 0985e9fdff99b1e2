import Foundation
import ZooKeeperWire

/// One frame recorded by `Fixtures/capture.py` between a real client and Apache ZooKeeper 3.8.
struct GoldenFrame: Sendable, CustomStringConvertible {
  enum Direction: String, Sendable {
    case clientToServer = "c2s"
    case serverToClient = "s2c"
  }

  /// Which fixture file and line, for failure messages.
  let source: String
  let direction: Direction
  /// `connect`, `notification`, or the Swift `OpCode` case name of the request.
  let label: String
  /// The whole frame, length prefix included.
  let bytes: [UInt8]

  var payload: [UInt8] { Array(bytes.dropFirst(4)) }
  var opCode: OpCode? { OpCode.allCases.first { $0.description == label } }
  var description: String { "\(source) \(direction.rawValue) \(label)" }
}

enum GoldenFixtures {
  /// The fixture files, next to this source file (located through #filePath).
  static let fileNames = ["kazoo.hex", "java.hex"]

  static var directory: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
  }

  /// Every recorded frame of every fixture, in file order; traps if a file is missing or
  /// malformed, since the fixtures are part of the repository.
  static let frames: [GoldenFrame] = fileNames.flatMap { load($0) }

  static func load(_ name: String) -> [GoldenFrame] {
    let url = directory.appendingPathComponent(name)
    guard let text = try? String(contentsOf: url, encoding: .utf8) else {
      preconditionFailure("missing fixture \(url.path)")
    }
    var frames: [GoldenFrame] = []
    for (index, line) in text.split(separator: "\n").enumerated() {
      if line.hasPrefix("#") || line.allSatisfy(\.isWhitespace) { continue }
      let fields = line.split(separator: " ")
      precondition(fields.count == 3, "\(name):\(index + 1): expected 3 fields")
      guard let direction = GoldenFrame.Direction(rawValue: String(fields[0])) else {
        preconditionFailure("\(name):\(index + 1): bad direction \(fields[0])")
      }
      frames.append(
        GoldenFrame(
          source: "\(name):\(index + 1)", direction: direction, label: String(fields[1]),
          bytes: hexBytes(String(fields[2]))))
    }
    return frames
  }
}
