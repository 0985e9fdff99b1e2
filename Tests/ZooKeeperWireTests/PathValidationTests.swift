import Testing
import ZooKeeperWire

@Suite("Path validation as ZooKeeper's PathUtils.validatePath")
struct PathValidationTests {
  @Test(
    "valid paths pass",
    arguments: ["/", "/a", "/a/b/c", "/...", "/a.b", "/.a", "/a./b", "/é", "/zookeeper/config", "/a b"])
  func valid(_ path: String) throws {
    try validatePath(path)
  }

  @Test(
    "invalid paths are rejected",
    arguments: [
      "", "a", "a/b", "/a/", "//", "/a//b", "/.", "/..", "/a/.", "/a/../b", "/./a",
      "/a\u{0}b", "/a\u{1}", "/a\u{1f}", "/a\u{7f}", "/a\u{9f}", "/\u{e000}", "/\u{f8ff}",
      "/\u{fff0}", "/\u{ffff}", "/😀",
    ])
  func invalid(_ path: String) {
    #expect(throws: JuteError.self) { try validatePath(path) }
  }

  @Test("characters just outside the rejected ranges pass")
  func rangeEdges() throws {
    for path in ["/\u{20}", "/\u{7e}", "/\u{a0}", "/\u{d7ff}", "/\u{f900}", "/\u{ffef}"] {
      try validatePath(path)
    }
  }

  @Test("ZooKeeper's wording reaches the error")
  func wording() {
    #expect(throws: JuteError.invalidPath(path: "a", reason: "Path must start with / character")) {
      try validatePath("a")
    }
    #expect(throws: JuteError.invalidPath(path: "/a/", reason: "Path must not end with / character")) {
      try validatePath("/a/")
    }
  }

  @Test("a sequential prefix may end with a slash, since the suffix is checked with it")
  func sequential() throws {
    try validatePath("/a/", isSequential: true)
    #expect(throws: JuteError.self) { try validatePath("/a//", isSequential: true) }
  }
}
