import Testing

@testable import ServerRuntime

@Suite("zoo.cfg parsing")
struct ConfigParserTests {
  @Test("a ZooKeeper standalone config carries over with ZooKeeper's defaults")
  func standalone() throws {
    let parsed = try ConfigParser.parse(
      """
      # a comment
      tickTime=2000
      dataDir=/var/lib/zookeeper
      clientPort=2181
      initLimit=5
      syncLimit=2
      autopurge.snapRetainCount=3
      """)
    let c = parsed.config
    #expect(c.tickTimeMs == 2000)
    #expect(c.dataDir == "/var/lib/zookeeper")
    #expect(c.clientPort == 2181)
    #expect(c.initLimitTicks == 5 && c.syncLimitTicks == 2)
    #expect(c.maxClientCnxns == 60)
    #expect(c.juteMaxBufferBytes == 0xfffff)
    #expect(c.fourLetterWords == ["srvr"])
    #expect(c.minSessionTimeoutMsEffective == 4000 && c.maxSessionTimeoutMsEffective == 40000)
    #expect(parsed.ignored.map(\.key) == ["autopurge.snapRetainCount"])
    #expect(parsed.ignored.map(\.line) == [7])
  }

  @Test("snapshot pacing and snapCount: defaults and settings")
  func snapshotSettings() throws {
    let defaults = try ConfigParser.parse("dataDir=/d\nclientPort=1").config
    #expect(defaults.snapshotWriteMBps == 16 && defaults.snapshotTransactions == 100_000)
    let set = try ConfigParser.parse("dataDir=/d\nclientPort=1\ngrove.snapshotWriteMBps=0\nsnapCount=5000").config
    #expect(set.snapshotWriteMBps == 0 && set.snapshotTransactions == 5000)
  }

  @Test("session timeouts are clamped into the configured bounds")
  func negotiation() throws {
    let c = try ConfigParser.parse(
      "dataDir=/d\nclientPort=1\ntickTime=1000\nminSessionTimeout=3000\nmaxSessionTimeout=9000"
    ).config
    #expect(c.negotiatedSessionTimeoutMs(requested: 100) == 3000)
    #expect(c.negotiatedSessionTimeoutMs(requested: 5000) == 5000)
    #expect(c.negotiatedSessionTimeoutMs(requested: 60000) == 9000)
  }

  @Test("server lines in every ZooKeeper form")
  func serverLines() throws {
    let c = try ConfigParser.parse(
      """
      dataDir=/d
      server.1=127.0.0.11:2888:3888;2181
      server.2=127.0.0.12:2888:3888:participant;127.0.0.12:2182
      server.3=127.0.0.13:2888:observer;2183
      server.4=h4:2888
      clientPort=2181
      """
    ).config
    #expect(c.servers.count == 4)
    #expect(
      c.servers[0]
        == ServerEntry(
          id: 1, host: "127.0.0.11", peerPort: 2888, electionPort: 3888, isObserver: false,
          clientHost: nil, clientPort: 2181))
    #expect(c.servers[1].clientHost == "127.0.0.12" && c.servers[1].clientPort == 2182)
    #expect(c.servers[2].isObserver && c.servers[2].electionPort == nil)
    #expect(c.servers[3].clientPort == nil)
  }

  @Test("the 4lw whitelist accepts names and *, and rejects unknown words")
  func whitelist() throws {
    let some = try ConfigParser.parse("dataDir=/d\nclientPort=1\n4lw.commands.whitelist=ruok, mntr,stat").config
    #expect(some.fourLetterWords == ["ruok", "mntr", "stat"])
    let all = try ConfigParser.parse("dataDir=/d\nclientPort=1\n4lw.commands.whitelist=*").config
    #expect(all.fourLetterWords == FourLetterWordNames.all)
    #expect(throws: ConfigError.self) {
      try ConfigParser.parse("dataDir=/d\nclientPort=1\n4lw.commands.whitelist=ruok,boom")
    }
  }

  @Test(
    "bad keys and values are errors naming the line",
    arguments: [
      ("dataDir=/d\nclientPort=1\ntickTme=2000", 3, "unknown key 'tickTme'"),
      ("dataDir=/d\nclientPort=70000", 2, "clientPort: '70000' is not a whole number in 1...65535"),
      ("dataDir=/d\nclientPort=1\ntickTime=fast", 3, "tickTime: 'fast' is not a whole number"),
      ("dataDir=/d\nclientPort=1\nthis line has no equals", 3, "expected key=value"),
      ("dataDir=/d\nclientPort=1\nclientPort=2", 3, "key 'clientPort' repeats line 2"),
      ("dataDir=/d\nclientPort=1\nserver.0=h:1", 3, "server id must be"),
      ("dataDir=/d\nclientPort=1\nserver.1=h", 3, "expected host:peerPort"),
      ("dataDir=/d\nclientPort=1\nserver.1=h:x", 3, "'x' is not a port"),
      ("dataDir=/d\nclientPort=1\nclientPortAddress=localhost", 3, "not an IPv4 address"),
      ("dataDir=/d\nclientPort=1\ngrove.linearizableReads=maybe", 3, "not true or false"),
      ("dataDir=/d\nclientPort=1\ngrove.snapshotWriteMBps=-1", 3, "grove.snapshotWriteMBps"),
    ])
  func badLines(text: String, line: Int, message: String) {
    do {
      _ = try ConfigParser.parse(text, file: "zoo.cfg")
      Issue.record("accepted: \(text)")
    } catch {
      #expect(error.line == line)
      #expect(error.file == "zoo.cfg")
      #expect(error.message.contains(message), "\(error.message)")
      #expect(error.description.hasPrefix("zoo.cfg:\(line): "))
    }
  }

  @Test(
    "whole-file rules are checked after reading",
    arguments: [
      ("clientPort=1", "dataDir is required"),
      ("dataDir=/d", "clientPort is required"),
      ("dataDir=/d\nclientPort=1\nminSessionTimeout=9000\nmaxSessionTimeout=5000", "above maxSessionTimeout"),
    ])
  func wholeFile(text: String, message: String) {
    #expect {
      try ConfigParser.parse(text)
    } throws: { error in
      (error as? ConfigError)?.message.contains(message) == true
    }
  }
}
