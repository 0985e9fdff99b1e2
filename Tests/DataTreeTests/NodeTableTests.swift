@testable import DataTree
import Testing
import ZooKeeperWire

@Suite("NodeTable")
struct NodeTableTests {
  static func node(_ path: String) -> ZNode {
    ZNode(path: path, data: Array(path.utf8), aclIndex: 0, zxid: .zero, timeMs: 0, ephemeralOwner: 0)
  }

  @Test("random inserts and removals keep every present path reachable and every removed one absent")
  func insertRemove() {
    var table = NodeTable()
    var model: Set<String> = []
    var rng = SplitMix64(seed: 11)
    for _ in 0..<20_000 {
      let path = "/n\(rng.next() % 3_000)"
      if rng.next() % 3 == 0 {
        #expect((table.removeValue(forKey: path) != nil) == model.contains(path))
        model.remove(path)
      } else if !model.contains(path) {
        table[path] = NodeTableTests.node(path)
        model.insert(path)
      }
    }
    #expect(table.count == model.count)
    for i in 0..<3_000 {
      let path = "/n\(i)"
      #expect((table[path]?.data == Array(path.utf8)) == model.contains(path))
    }
    #expect(Set(table.paths) == model)
  }

  @Test("in-place modification through the subscript, including removal by assigning nil")
  func modify() {
    var table = NodeTable()
    for i in 0..<100 { table["/p\(i)"] = NodeTableTests.node("/p\(i)") }
    table["/p7"]!.cversion = 9
    #expect(table["/p7"]?.cversion == 9)
    table["/p8"] = nil
    #expect(table["/p8"] == nil && table.count == 99)
    for i in 0..<100 where i != 8 { #expect(table["/p\(i)"] != nil) }
  }

  @Test("a node is 80 bytes and holds its path and data in one buffer")
  func layout() {
    #expect(MemoryLayout<ZNode>.stride == 80)
    var node = NodeTableTests.node("/a/b")
    #expect(node.path == "/a/b" && node.data == Array("/a/b".utf8))
    node.setData([1, 2, 3])
    #expect(node.path == "/a/b" && node.data == [1, 2, 3] && node.dataCount == 3)
  }
}
