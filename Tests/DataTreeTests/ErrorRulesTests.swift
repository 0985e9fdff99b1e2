import DataTree
import Testing
import ZooKeeperWire

@Suite("Each error ZooKeeper returns, in its situation")
struct ErrorRulesTests {
  @Test("create under a missing parent is NONODE")
  func createMissingParent() {
    var h = Harness()
    #expect(h.create("/missing/child") == .failed(.noNode))
  }

  @Test("create of an existing node is NODEEXISTS, and of / too")
  func createExisting() {
    var h = Harness()
    h.create("/a")
    #expect(h.create("/a") == .failed(.nodeExists))
    #expect(h.create("/") == .failed(.nodeExists))
  }

  @Test("create under an ephemeral is NOCHILDRENFOREPHEMERALS")
  func childOfEphemeral() {
    var h = Harness()
    h.create("/e", mode: .ephemeral)
    #expect(h.create("/e/c") == .failed(.noChildrenForEphemerals))
  }

  @Test("create with an invalid path under an existing parent is BADARGUMENTS", arguments: [
    "a", "/a/", "/.", "/..", "/a/.", "/a/..", "/a/b\u{0}", "/a\u{1}", "/a\u{7F}", "/a\u{9F}", "/\u{E000}", "/\u{FFF0}",
    "/\u{1F600}",
  ])
  func createBadPath(path: String) {
    var h = Harness()
    h.create("/a")
    #expect(h.create(path) == .failed(.badArguments))
  }

  @Test("create with an empty component under a missing parent is NONODE: ZooKeeper looks the parent up first")
  func emptyComponent() {
    var h = Harness()
    h.create("/a")
    #expect(h.create("/a//b") == .failed(.noNode))
  }

  @Test("create with unknown flags is BADARGUMENTS")
  func badFlags() {
    var h = Harness()
    let reply = h.run(.create(CreateOperation(path: "/a", flags: 7, opCode: .create))).reply
    #expect(reply == .failed(.badArguments))
  }

  @Test("delete of a missing node is NONODE; of a node with children NOTEMPTY")
  func deleteErrors() {
    var h = Harness()
    #expect(h.run(.delete(path: "/nope", version: -1)).reply == .failed(.noNode))
    h.create("/p")
    h.create("/p/c")
    #expect(h.run(.delete(path: "/p", version: -1)).reply == .failed(.notEmpty))
  }

  @Test("delete of / or a /zookeeper system node is BADARGUMENTS", arguments: ["/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"])
  func deleteSpecial(path: String) {
    var h = Harness()
    #expect(h.run(.delete(path: path, version: -1)).reply == .failed(.badArguments))
  }

  @Test("a wrong expected version is BADVERSION for delete, setData, setACL and check; -1 matches any")
  func badVersion() {
    var h = Harness()
    h.create("/a")
    #expect(h.run(.delete(path: "/a", version: 3)).reply == .failed(.badVersion))
    #expect(h.run(.setData(path: "/a", data: [], version: 1)).reply == .failed(.badVersion))
    #expect(h.run(.setACL(path: "/a", acl: ACL.openUnsafe, version: 2)).reply == .failed(.badVersion))
    #expect(h.run(.check(path: "/a", version: 9)).reply == .failed(.badVersion))
    #expect(h.run(.check(path: "/a", version: 0)).reply.stat != nil)
    #expect(h.run(.setData(path: "/a", data: [], version: -1)).reply.stat?.version == 1)
    #expect(h.run(.delete(path: "/a", version: 1)).reply == .deleted)
  }

  @Test("setData, setACL and check on a missing node are NONODE")
  func missingNode() {
    var h = Harness()
    #expect(h.run(.setData(path: "/x", data: [], version: -1)).reply == .failed(.noNode))
    #expect(h.run(.setACL(path: "/x", acl: ACL.openUnsafe, version: -1)).reply == .failed(.noNode))
    #expect(h.run(.check(path: "/x", version: -1)).reply == .failed(.noNode))
  }

  @Test("writes from an unknown or closed session are SESSIONEXPIRED")
  func unknownSession() {
    var h = Harness()
    let ghost = SessionID(0x999)
    #expect(h.create("/e", mode: .ephemeral, session: ghost) == .failed(.sessionExpired))
    #expect(h.create("/p", session: ghost) == .failed(.sessionExpired))
    h.run(.closeSession(bob), session: bob)
    #expect(h.create("/e", mode: .ephemeral, session: bob) == .failed(.sessionExpired))
    #expect(h.run(.setData(path: "/", data: [], version: -1), session: bob).reply == .failed(.sessionExpired))
  }

  @Test("an empty ACL or an invalid id is INVALIDACL", arguments: [
    [ACL](), [ACL(perms: .all, id: Id(scheme: "world", id: "someone"))],
    [ACL(perms: .all, id: Id(scheme: "digest", id: "nocolon"))],
    [ACL(perms: .all, id: Id(scheme: "digest", id: "user:"))],
    [ACL(perms: .all, id: Id(scheme: "ip", id: "10.0.0.256"))],
    [ACL(perms: .all, id: Id(scheme: "ip", id: "10.0.0.0/33"))],
    [ACL(perms: .all, id: Id(scheme: "nosuchscheme", id: "x"))],
    [ACL(perms: .all, id: Id(scheme: "auth", id: ""))],
  ])
  func invalidACL(acl: [ACL]) {
    var h = Harness()
    #expect(h.create("/a", acl: acl) == .failed(.invalidACL))
    h.create("/b")
    #expect(h.run(.setACL(path: "/b", acl: acl, version: -1)).reply == .failed(.invalidACL))
  }

  @Test("create checks in ZooKeeper's order: flags, TTL, session, path, ACL, parent, permission")
  func checkOrder() {
    var h = Harness()
    // A missing parent and an invalid ACL: the ACL is checked first.
    #expect(h.create("/missing/x", acl: []) == .failed(.invalidACL))
    // An unknown session and a missing parent: the session is checked first.
    #expect(h.create("/missing/x", session: SessionID(77)) == .failed(.sessionExpired))
    // An existing node under a parent without CREATE permission: NOAUTH wins over NODEEXISTS.
    h.create("/locked", acl: ACL.openUnsafe)
    h.create("/locked/x")
    h.run(.setACL(path: "/locked", acl: ACL.readUnsafe, version: -1))
    #expect(h.create("/locked/x") == .failed(.noAuth))
  }
}
