import DataTree
import Testing
import ZooKeeperWire

#if canImport(Glibc)
import Glibc

/// Memory and speed figures of the tree, measured only on request (they need a release build
/// and a quiet machine): `swift build -c release --build-tests -Xswiftc -enable-testing` then
/// `GROVE_TREE_FIGURES=200000 .build/release/GrovePackageTests.xctest --testing-library
/// swift-testing --filter MemoryFigureTests`.
@Suite("Memory figures (GROVE_TREE_FIGURES=count)")
struct MemoryFigureTests {
  static var count: Int? { getenv("GROVE_TREE_FIGURES").flatMap { Int(String(cString: $0)) } }

  static func residentBytes() -> Int {
    guard let file = fopen("/proc/self/statm", "r") else { return 0 }
    defer { fclose(file) }
    var size = 0
    var resident = 0
    guard withUnsafeMutablePointer(to: &size, { s in withUnsafeMutablePointer(to: &resident) { r in
      withVaList([s, r]) { vfscanf(file, "%ld %ld", $0) }
    } }) == 2 else { return 0 }
    return resident * Int(sysconf(Int32(_SC_PAGESIZE)))
  }

  static func seconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }

  @Test("resident memory per znode of 100 bytes stays under 400 bytes", .enabled(if: MemoryFigureTests.count != nil))
  func perZnode() throws {
    let n = try #require(MemoryFigureTests.count)
    var tree = DataTree()
    let origin = Origin(session: SessionID(1), xid: nil)
    _ = tree.apply(Command(timeMs: 1, origin: .leader, operation: .createSession(SessionID(1), password: [], timeoutMs: 1)), zxid: Zxid(1))
    _ = tree.apply(Command(timeMs: 1, origin: origin, operation: .create(CreateOperation(path: "/bench"))), zxid: Zxid(2))
    let data = [UInt8](repeating: 0x61, count: 100)
    let before = MemoryFigureTests.residentBytes()
    let start = MemoryFigureTests.seconds()
    for i in 0..<n {
      let digits = String(i)
      var fresh = data
      fresh[0] = UInt8(truncatingIfNeeded: i)  // a buffer of its own, as bytes read from a socket
      let path = "/bench/n" + String(repeating: "0", count: max(0, 10 - digits.count)) + digits
      _ = tree.apply(Command(timeMs: 2, origin: origin, operation: .create(CreateOperation(path: path, data: fresh))), zxid: Zxid(Int64(3 + i)))
    }
    let elapsed = MemoryFigureTests.seconds() - start
    let perNode = Double(MemoryFigureTests.residentBytes() - before) / Double(n)
    print("DataTree figures: \(n) znodes, \(Int(perNode)) bytes per znode, \(Int(Double(n) / elapsed)) creates/s")
    #expect(perNode < 400)
  }
}
#endif
