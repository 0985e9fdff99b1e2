import DataTree
import Dispatch
import Foundation
import Glibc
import ZooKeeperWire

// grove-tree-bench: the data tree alone, in one process, without network or disk — what a
// replica's memory and snapshot costs come from.
//
//   grove-tree-bench [--znodes N] [--bytes B] [--parents P]
//
// Builds a tree of N znodes of B bytes spread over P parents (by applying create commands, as a
// replica does), then prints: bytes per znode (malloc'd bytes in use, and RSS growth), the time
// to take a snapshot and its size, the time to load it back, and the stall of the first write
// after a snapshot copy was taken (copy-on-write of the node table).

var znodes = 200_000
var valueBytes = 100
var parents = 1
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
  func number() -> Int {
    guard let text = arguments.popFirst(), let value = Int(text), value >= 0 else {
      FileHandle.standardError.write(Data("grove-tree-bench: \(argument) needs a number\n".utf8))
      exit(2)
    }
    return value
  }
  switch argument {
  case "--znodes": znodes = number()
  case "--bytes": valueBytes = number()
  case "--parents": parents = max(1, number())
  default:
    FileHandle.standardError.write(Data("usage: grove-tree-bench [--znodes N] [--bytes B] [--parents P]\n".utf8))
    exit(argument == "-h" || argument == "--help" ? 0 : 2)
  }
}

func nowSeconds() -> Double {
  Double(DispatchTime.now().uptimeNanoseconds) / 1e9
}

func rssBytes() -> Int {
  guard let file = fopen("/proc/self/statm", "r") else { return 0 }
  defer { fclose(file) }
  var size = 0
  var resident = 0
  _ = withUnsafeMutablePointer(to: &size) { s in
    withUnsafeMutablePointer(to: &resident) { r in
      withVaList([s, r]) { vfscanf(file, "%ld %ld", $0) }
    }
  }
  return resident * Int(sysconf(Int32(_SC_PAGESIZE)))
}

struct ZxidCounter {
  var last: Int64 = 1
  mutating func next() -> Zxid {
    last += 1
    return Zxid(last)
  }
}
var zxids = ZxidCounter()

var tree = DataTree()
let session = SessionID(0x1_0000)
_ = tree.apply(
  Command(timeMs: 0, origin: origin, operation: .createSession(session, password: [UInt8](repeating: 0, count: 16), timeoutMs: 30_000)),
  zxid: zxids.next())
let origin = Origin(session: session, xid: nil)
let value = [UInt8](repeating: 0x61, count: valueBytes)
for p in 0..<parents {
  _ = tree.apply(
    Command(timeMs: 0, origin: origin, operation: .create(CreateOperation(path: "/p\(p)", mode: .persistent))),
    zxid: zxids.next())
}
let rssBefore = rssBytes()
var started = nowSeconds()
var slowestCreate = 0.0
for n in 0..<znodes {
  let path = "/p\(n % parents)/n-\(n)"
  let before = nowSeconds()
  let result = tree.apply(
    Command(timeMs: 0, origin: origin, operation: .create(CreateOperation(path: path, data: value, mode: .persistent))),
    zxid: zxids.next())
  slowestCreate = max(slowestCreate, nowSeconds() - before)
  if result.reply.errorCode != .ok { fatalError("create \(path): \(result.reply)") }
}
let buildSeconds = nowSeconds() - started
let perZnodeRSS = Double(rssBytes() - rssBefore) / Double(max(1, znodes))
let buildRate = Double(znodes) / buildSeconds
print("znodes=\(znodes) bytes=\(valueBytes) parents=\(parents)")
print(String(format: "build %.2f s (%.0f creates/s, slowest %.1f ms); RSS growth per znode %.0f B", buildSeconds, buildRate, slowestCreate * 1000, perZnodeRSS))

started = nowSeconds()
let snapshot = tree.snapshot()
let snapshotSeconds = nowSeconds() - started
let snapshotRate = Double(snapshot.count) / snapshotSeconds / 1e6
print(String(format: "snapshot %.3f s, %d bytes (%.0f MB/s)", snapshotSeconds, snapshot.count, snapshotRate))

started = nowSeconds()
let loaded = try DataTree(snapshot: snapshot)
let loadSeconds = nowSeconds() - started
precondition(loaded.nodeCount == tree.nodeCount)
let loadRate = Double(loaded.nodeCount) / loadSeconds
print(String(format: "load %.3f s (%.0f znodes/s)", loadSeconds, loadRate))

// The server hands a copy of the tree to its snapshot thread; the next write on the loop pays
// for un-sharing whatever it touches.
var stalls: [Double] = []
for round in 0..<3 {
  let copy = tree
  started = nowSeconds()
  _ = tree.apply(
    Command(timeMs: 0, origin: origin, operation: .setData(path: "/p0/n-0", data: value, version: -1)),
    zxid: zxids.next())
  stalls.append(nowSeconds() - started)
  started = nowSeconds()
  _ = tree.apply(
    Command(timeMs: 0, origin: origin, operation: .create(CreateOperation(path: "/p0/extra-\(round)", mode: .persistent))),
    zxid: zxids.next())
  stalls.append(nowSeconds() - started)
  precondition(copy.nodeCount <= tree.nodeCount)
}
let stallText = stalls.map { String(format: "%.2f", $0 * 1000) }.joined(separator: " ")
print("first writes after a snapshot copy (setData, create under the largest parent), ms: " + stallText)
