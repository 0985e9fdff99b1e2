@testable import DataTree
import Testing
import ZooKeeperWire

@Suite("ACL schemes and permission checks")
struct ACLTests {
  @Test("SHA-1 matches FIPS 180 test vectors")
  func sha1Vectors() {
    func hex(_ bytes: [UInt8]) -> String { TreeDigest(bytes: bytes).description }
    #expect(hex(SHA1.hash(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
    #expect(hex(SHA1.hash([UInt8]())) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
    #expect(hex(SHA1.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1000))) == "291e9a6c66994949b57ba5e650361e98fc36b1ba")
  }

  @Test("the digest id of super:test is ZooKeeper's documented D/InIHSb7yEEbrWz8b9l71RjZJU=")
  func digestKnownValue() {
    #expect(Authorization.digest("super:test") == "super:D/InIHSb7yEEbrWz8b9l71RjZJU=")
    #expect(Authorization.digest("user:password") == "user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY=")
    #expect(Authorization.digest("alice:secret") == "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=")
  }

  @Test("base64 pads like Java's encoder")
  func base64Padding() {
    #expect(Base64.encode([]) == "")
    #expect(Base64.encode([0x66]) == "Zg==")
    #expect(Base64.encode([0x66, 0x6F]) == "Zm8=")
    #expect(Base64.encode([0x66, 0x6F, 0x6F]) == "Zm9v")
  }

  @Test("the auth scheme expands to the creator's authenticated ids, not its ip id")
  func authExpansion() {
    var h = Harness()
    let ids = [Id(scheme: "ip", id: "127.0.0.1"), aliceDigest]
    #expect(h.create("/mine", acl: ACL.creatorAll, ids: ids).createdPath == "/mine")
    #expect(h.tree.getACL("/mine", ids: ids).map(\.acl) == .success([ACL(perms: .all, id: aliceDigest)]))
    // Without any authenticated id, auth is INVALIDACL.
    #expect(h.create("/nobody", acl: ACL.creatorAll, ids: [Id(scheme: "ip", id: "127.0.0.1")]) == .failed(.invalidACL))
  }

  @Test("duplicate ACL entries are removed, as ZooKeeper's removeDuplicates")
  func duplicates() {
    var h = Harness()
    h.create("/d", acl: ACL.openUnsafe + ACL.openUnsafe)
    #expect(h.tree.getACL("/d", ids: []).map(\.acl) == .success(ACL.openUnsafe))
  }

  @Test("create needs CREATE on the parent, delete needs DELETE on the parent")
  func createAndDeleteOnParent() {
    var h = Harness()
    let noCreate: Perms = [.read, .write, .delete, .admin]
    let noDelete: Perms = [.read, .write, .create, .admin]
    h.create("/nc", acl: [ACL(perms: noCreate, id: .anyone)])
    #expect(h.create("/nc/x") == .failed(.noAuth))
    h.create("/nd")
    h.create("/nd/x")
    h.run(.setACL(path: "/nd", acl: [ACL(perms: noDelete, id: .anyone)], version: -1))
    #expect(h.run(.delete(path: "/nd/x", version: -1)).reply == .failed(.noAuth))
    // The node's own ACL does not matter for delete.
    h.create("/open")
    h.create("/open/locked", acl: [ACL(perms: [], id: .anyone)])
    #expect(h.run(.delete(path: "/open/locked", version: -1)).reply == .deleted)
  }

  @Test("setData needs WRITE, check and getData and getChildren need READ, setACL needs ADMIN")
  func perOperation() {
    var h = Harness()
    h.create("/w", acl: [ACL(perms: [.read, .admin], id: .anyone)])
    #expect(h.run(.setData(path: "/w", data: [], version: -1)).reply == .failed(.noAuth))
    h.create("/r", acl: [ACL(perms: [.write, .admin], id: .anyone)])
    #expect(h.run(.check(path: "/r", version: -1)).reply == .failed(.noAuth))
    #expect(h.tree.getData("/r", ids: []) == .failure(.noAuth))
    #expect(h.tree.getChildren("/r", ids: []) == .failure(.noAuth))
    #expect(h.tree.getAllChildrenNumber("/r", ids: []) == .failure(.noAuth))
    #expect(h.tree.exists("/r") != nil)
    h.create("/a", acl: [ACL(perms: [.read, .write], id: .anyone)])
    #expect(h.run(.setACL(path: "/a", acl: ACL.openUnsafe, version: -1)).reply == .failed(.noAuth))
  }

  @Test("getACL needs READ or ADMIN; without ADMIN digest ids show as user:x")
  func getACLRules() {
    var h = Harness()
    let acl = [ACL(perms: .read, id: .anyone), ACL(perms: .all, id: aliceDigest)]
    h.create("/g", acl: acl)
    #expect(h.tree.getACL("/g", ids: [aliceDigest]).map(\.acl) == .success(acl))
    #expect(h.tree.getACL("/g", ids: []).map(\.acl)
      == .success([ACL(perms: .read, id: .anyone), ACL(perms: .all, id: Id(scheme: "digest", id: "alice:x"))]))
    h.create("/adminOnly", acl: [ACL(perms: .admin, id: .anyone)])
    #expect(h.tree.getACL("/adminOnly", ids: []).map(\.acl) == .success([ACL(perms: .admin, id: .anyone)]))
    h.create("/none", acl: [ACL(perms: .write, id: .anyone)])
    #expect(h.tree.getACL("/none", ids: []) == .failure(.noAuth))
  }

  @Test("a digest ACL admits only the matching digest id; super admits everything")
  func digestScheme() {
    var h = Harness()
    h.create("/secret", "s", acl: [ACL(perms: .all, id: aliceDigest)])
    #expect(h.tree.getData("/secret", ids: [aliceDigest]).map(\.data) == .success(Array("s".utf8)))
    #expect(h.tree.getData("/secret", ids: [bobDigest]) == .failure(.noAuth))
    #expect(h.tree.getData("/secret", ids: [Authorization.superId]).map(\.data) == .success(Array("s".utf8)))
    #expect(h.run(.setData(path: "/secret", data: [], version: -1), ids: [bobDigest]).reply == .failed(.noAuth))
    #expect(h.run(.setData(path: "/secret", data: [], version: -1), ids: [aliceDigest]).reply.stat != nil)
  }

  @Test("an ip ACL matches addresses within its prefix, IPv4 and IPv6")
  func ipScheme() {
    var h = Harness()
    h.create("/net", acl: [ACL(perms: .read, id: Id(scheme: "ip", id: "10.1.0.0/16"))])
    #expect(h.tree.getData("/net", ids: [Id(scheme: "ip", id: "10.1.200.3")]) != .failure(.noAuth))
    #expect(h.tree.getData("/net", ids: [Id(scheme: "ip", id: "10.2.0.1")]) == .failure(.noAuth))
    h.create("/host", acl: [ACL(perms: .read, id: Id(scheme: "ip", id: "127.0.0.1"))])
    #expect(h.tree.getData("/host", ids: [Id(scheme: "ip", id: "127.0.0.1")]) != .failure(.noAuth))
    #expect(h.tree.getData("/host", ids: [Id(scheme: "ip", id: "127.0.0.2")]) == .failure(.noAuth))
    h.create("/v6", acl: [ACL(perms: .read, id: Id(scheme: "ip", id: "fe80::/10"))])
    #expect(h.tree.getData("/v6", ids: [Id(scheme: "ip", id: "fe80::1")]) != .failure(.noAuth))
    #expect(h.tree.getData("/v6", ids: [Id(scheme: "ip", id: "::1")]) == .failure(.noAuth))
    #expect(IPAddress.parse("1:2:3:4:5:6:7:8")?.count == 16)
    #expect(IPAddress.parse("1::2::3") == nil)
  }

  @Test("world:anyone grants its perms to every reader")
  func worldScheme() {
    #expect(Authorization.isAllowed(.read, acl: ACL.readUnsafe, ids: []))
    #expect(!Authorization.isAllowed(.write, acl: ACL.readUnsafe, ids: []))
    #expect(Authorization.isAllowed(.write, acl: [], ids: []))
  }
}
