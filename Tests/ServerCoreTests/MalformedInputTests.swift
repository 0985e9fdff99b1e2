import DataTree
import RaftCore
import ServerCore
import Testing
import ZooKeeperWire

@Suite("hostile input closes one connection; the node keeps serving")
struct MalformedInputTests {
  /// A second client that must keep working whatever the first one sends.
  func expectStillServing(_ h: inout NodeHarness) {
    let (c, _) = h.openSession()
    let replies = h.call(c, xid: 1, .exists(ExistsRequest(path: "/zookeeper")))
    #expect(replies.map(\.header.err) == [.ok])
  }

  @Test(
    "garbage before or after the handshake closes that connection",
    arguments: [
      [UInt8](repeating: 0xff, count: 12),  // negative frame length
      [0x7f, 0xff, 0xff, 0xff],  // a length over jute.maxbuffer
      [0, 0, 0, 3, 1, 2, 3],  // a frame too short for a ConnectRequest
    ])
  func garbageHandshake(bytes: [UInt8]) {
    var h = NodeHarness()
    let id = h.connect()
    h.send(id, bytes)
    #expect(h.closed.contains(id))
    expectStillServing(&h)
  }

  @Test("a request body that does not decode closes the connection")
  func badBody() {
    var h = NodeHarness()
    let (c, _) = h.openSession()
    var w = JuteWriter()
    w.writeFrame { w in
      RequestHeader(xid: Xid(1), opCode: .create).encode(to: &w)
      w.writeInt32(1_000_000)  // a path "length" far past the frame
    }
    h.send(c, w.takeBytes())
    #expect(h.closed.contains(c))
    expectStillServing(&h)
  }

  @Test("an unknown op code is answered UNIMPLEMENTED and the connection stays")
  func unknownOp() {
    var h = NodeHarness()
    let (c, _) = h.openSession()
    var w = JuteWriter()
    w.writeFrame { w in RequestHeader(xid: Xid(5), type: 77).encode(to: &w) }
    h.send(c, w.takeBytes())
    let replies = h.takeReplies(c)
    #expect(replies.map(\.header.err) == [.unimplemented])
    #expect(!h.closed.contains(c))
    #expect(h.call(c, xid: -2, .ping).map(\.header.xid) == [.ping])
  }

  @Test("half a frame waits for the rest; bytes split anywhere decode the same")
  func splitFrames() {
    var h = NodeHarness()
    let id = h.connect()
    let connect = Frame.record(
      ConnectRequest(protocolVersion: 0, lastZxidSeen: .zero, timeOutMs: 10_000, sessionID: .none, passwd: [UInt8](repeating: 0, count: 16), readOnly: false))
    let request = Frame.request(xid: Xid(1), .exists(ExistsRequest(path: "/zookeeper")))
    let all = connect + request
    for byte in all { h.send(id, [byte]) }
    let frames = h.takeFrames(id)
    #expect(frames.count == 2)
  }

  @Test("four-letter words answer and close; one outside the whitelist is refused by name")
  func fourLetterWords() {
    var h = NodeHarness()
    let ruok = h.connect()
    h.send(ruok, Array("ruok".utf8))
    #expect(String(decoding: h.inbox[ruok] ?? [], as: UTF8.self) == "imok")
    #expect(h.closed.contains(ruok))
    let dump = h.connect()
    h.send(dump, Array("dump".utf8))
    #expect(String(decoding: h.inbox[dump] ?? [], as: UTF8.self) == "dump is not executed because it is not in the whitelist.\n")
    let mntr = h.connect()
    h.send(mntr, Array("mntr".utf8))
    let text = String(decoding: h.inbox[mntr] ?? [], as: UTF8.self)
    #expect(text.contains("zk_server_state\tstandalone\n"))
    #expect(text.contains("zk_znode_count\t4\n"))
    let srvr = h.connect()
    h.send(srvr, Array("srvr".utf8))
    #expect(String(decoding: h.inbox[srvr] ?? [], as: UTF8.self).contains("Mode: standalone\n"))
  }
}
