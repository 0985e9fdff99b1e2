@testable import DataTree
import Testing
import ZooKeeperWire

@Suite("Stat fields follow ZooKeeper's rules")
struct StatRulesTests {
  @Test("a new node has czxid = mzxid = pzxid = its zxid, ctime = mtime = command time, versions 0")
  func createStat() throws {
    var h = Harness()
    let reply = h.create("/a", "hello")
    let stat = try #require(reply.stat)
    #expect(stat.czxid == Zxid(h.zxid) && stat.mzxid == Zxid(h.zxid) && stat.pzxid == Zxid(h.zxid))
    #expect(stat.ctime == h.timeMs && stat.mtime == h.timeMs)
    #expect(stat.version == 0 && stat.cversion == 0 && stat.aversion == 0)
    #expect(stat.ephemeralOwner == 0)
    #expect(stat.dataLength == 5 && stat.numChildren == 0)
    #expect(h.stat("/a") == stat)
  }

  @Test("creating a child steps the parent's cversion and sets its pzxid, not its mzxid")
  func parentOnCreate() {
    var h = Harness()
    h.create("/p")
    let before = h.stat("/p")!
    h.create("/p/c")
    let after = h.stat("/p")!
    #expect(after.cversion == before.cversion + 1)
    #expect(after.pzxid == Zxid(h.zxid))
    #expect(after.mzxid == before.mzxid && after.version == before.version)
    #expect(after.numChildren == 1)
  }

  @Test("deleting a child sets the parent's pzxid and steps its cversion, as a running ZooKeeper 3.8 shows")
  func parentOnDelete() {
    var h = Harness()
    h.create("/p")
    h.create("/p/c")
    let before = h.stat("/p")!
    h.run(.delete(path: "/p/c", version: -1))
    let after = h.stat("/p")!
    #expect(after.pzxid == Zxid(h.zxid))
    #expect(after.cversion == before.cversion + 1)
    #expect(after.numChildren == 0)
  }

  @Test("setData steps version, sets mzxid and mtime, keeps czxid, ctime and pzxid")
  func setDataStat() throws {
    var h = Harness()
    h.create("/a", "x")
    let created = h.stat("/a")!
    let reply = h.run(.setData(path: "/a", data: Array("longer".utf8), version: 0)).reply
    let stat = try #require(reply.stat)
    #expect(stat.version == 1 && stat.mzxid == Zxid(h.zxid) && stat.mtime == h.timeMs)
    #expect(stat.czxid == created.czxid && stat.ctime == created.ctime && stat.pzxid == created.pzxid)
    #expect(stat.dataLength == 6)
  }

  @Test("setACL steps aversion only")
  func setACLStat() throws {
    var h = Harness()
    h.create("/a")
    let before = h.stat("/a")!
    let stat = try #require(h.run(.setACL(path: "/a", acl: ACL.readUnsafe, version: 0)).reply.stat)
    #expect(stat.aversion == 1)
    #expect(stat.version == before.version && stat.mzxid == before.mzxid && stat.cversion == before.cversion)
  }

  @Test("an ephemeral's ephemeralOwner is its session")
  func ephemeralOwner() throws {
    var h = Harness()
    let stat = try #require(h.create("/e", mode: .ephemeral).stat)
    #expect(stat.ephemeralOwner == alice.rawValue)
  }

  @Test("a fresh tree holds /zookeeper, /zookeeper/quota and a read-only /zookeeper/config")
  func systemNodes() {
    let tree = DataTree()
    #expect(tree.getChildren("/", ids: []).map(\.names) == .success(["zookeeper"]))
    #expect(tree.getChildren("/zookeeper", ids: []).map(\.names) == .success(["config", "quota"]))
    #expect(tree.exists("/zookeeper/quota") == Stat())
    #expect(tree.getACL("/zookeeper/config", ids: []).map(\.acl) == .success(ACL.readUnsafe))
    #expect(tree.exists("/zookeeper/config")?.aversion == -1)
    #expect(tree.exists("/")?.numChildren == 1)
    tree.checkInvariants()
  }

  @Test("the data version wraps like a Java int and skips -1 (ZOOKEEPER-4743)")
  func versionWrap() {
    #expect(nextVersion(after: 5) == 6)
    #expect(nextVersion(after: Int32.max) == Int32.min)
    #expect(nextVersion(after: -2) == 0)
  }
}
