import Testing
import ZooKeeperWire

@Suite("Server frames: replies and notifications, encoded and decoded")
struct ServerFrameTests {
  @Test("a reply frame is the length, the header and the record, length patched in place")
  func replyFrame() {
    let frame = Frame.reply(
      ReplyHeader(xid: Xid(1), zxid: Zxid(0x10), err: .ok), CreateResponse(path: "/a"))
    #expect(frame == hexBytes("00000016 00000001 0000000000000010 00000000 00000002 2f61"))
  }

  @Test("many frames append to one buffer, each with its own length")
  func framesShareOneBuffer() throws {
    var w = JuteWriter()
    w.writeReplyFrame(ReplyHeader(xid: Xid(1), zxid: Zxid(9), err: .noNode))
    w.writeNotificationFrame(WatcherEvent(type: .nodeDeleted, path: "/x"), zxid: Zxid(-1))
    w.writeReplyFrame(ReplyHeader(xid: Xid(2), zxid: Zxid(9)), ExistsResponse(stat: sampleStat))
    var decoder = FrameDecoder()
    decoder.append(w.takeBytes())
    #expect(w.count == 0)
    var frames: [[UInt8]] = []
    while let frame = try decoder.nextFrame() { frames.append(frame) }
    #expect(frames.map(\.count) == [16, 16 + 14, 16 + 68])
    #expect(
      try ServerMessage.decode(payload: frames[0], expecting: .exists)
        == .reply(ReplyHeader(xid: Xid(1), zxid: Zxid(9), err: .noNode), .empty))
    #expect(
      try ServerMessage.decode(payload: frames[1], expecting: .exists)
        == .notification(
          ReplyHeader(xid: .notification, zxid: Zxid(-1)),
          WatcherEvent(type: .nodeDeleted, state: .syncConnected, path: "/x")))
    #expect(
      try ServerMessage.decode(payload: frames[2], expecting: .exists)
        == .reply(ReplyHeader(xid: Xid(2), zxid: Zxid(9)), .exists(ExistsResponse(stat: sampleStat))))
  }

  @Test("special xids decode without an expected op")
  func specialXids() throws {
    for xid in [Xid.ping, .auth, .setWatches] {
      let payload = Array(Frame.reply(ReplyHeader(xid: xid, zxid: Zxid(4))).dropFirst(4))
      #expect(
        try ServerMessage.decode(payload: payload, expecting: nil)
          == .reply(ReplyHeader(xid: xid, zxid: Zxid(4)), .empty))
    }
  }

  @Test("a reply with a positive xid and nothing outstanding is an error")
  func unexpectedReply() {
    let payload = Array(Frame.reply(ReplyHeader(xid: Xid(12), zxid: Zxid(4))).dropFirst(4))
    #expect(throws: JuteError.unexpectedReply(xid: 12)) {
      _ = try ServerMessage.decode(payload: payload, expecting: nil)
    }
  }

  static let responses: [(OpCode, ClientResponse)] = [
    (.create, .create(CreateResponse(path: "/a"))),
    (.create2, .create2(Create2Response(path: "/a", stat: sampleStat))),
    (.createContainer, .create2(Create2Response(path: "/a", stat: sampleStat))),
    (.createTTL, .create2(Create2Response(path: "/a", stat: sampleStat))),
    (.delete, .empty),
    (.exists, .exists(ExistsResponse(stat: sampleStat))),
    (.getData, .getData(GetDataResponse(data: nil, stat: sampleStat))),
    (.reconfig, .getData(GetDataResponse(data: Array("server.1=h".utf8), stat: sampleStat))),
    (.setData, .setData(SetDataResponse(stat: sampleStat))),
    (.check, .empty),
    (.check, .setData(SetDataResponse(stat: sampleStat))),
    (.getACL, .getACL(GetACLResponse(acl: ACL.openUnsafe, stat: sampleStat))),
    (.setACL, .setACL(SetACLResponse(stat: sampleStat))),
    (.getChildren, .getChildren(GetChildrenResponse(children: ["a"]))),
    (.getChildren2, .getChildren2(GetChildren2Response(children: ["a"], stat: sampleStat))),
    (.sync, .sync(SyncResponse(path: "/"))),
    (.multi, .multi(MultiResponse(results: [.delete]))),
    (.multiRead, .multi(MultiResponse(results: [.getChildren(GetChildrenResponse(children: []))]))),
    (.sasl, .sasl(SetSASLResponse(token: [1, 2]))),
    (.getEphemerals, .getEphemerals(GetEphemeralsResponse(ephemerals: ["/e"]))),
    (.getAllChildrenNumber, .getAllChildrenNumber(GetAllChildrenNumberResponse(totalNumber: 3))),
    (.addWatch, .addWatch(ErrorResponse(err: .ok))),
    (.whoAmI, .whoAmI(WhoAmIResponse(clientInfo: [ClientInfo(authScheme: "ip", user: "::1")]))),
    (.checkWatches, .empty),
    (.removeWatches, .empty),
    (.setWatches2, .empty),
    (.closeSession, .empty),
  ]

  @Test("each op's reply record decodes as that op's response", arguments: responses)
  func responseByOp(_ op: OpCode, _ response: ClientResponse) throws {
    let header = ReplyHeader(xid: Xid(8), zxid: Zxid(77))
    let payload = Array(Frame.reply(header, response).dropFirst(4))
    #expect(try ServerMessage.decode(payload: payload, expecting: op) == .reply(header, response))
  }

  @Test("a notification is xid -1 with the event")
  func notificationBytes() {
    let frame = Frame.notification(WatcherEvent(type: .nodeCreated, path: "/a"), zxid: Zxid(-1))
    #expect(
      frame
        == hexBytes(
          "0000001e ffffffff ffffffffffffffff 00000000 00000001 00000003 00000002 2f61"))
  }

  @Test("connect records frame without headers")
  func connectFrames() throws {
    let request = ConnectRequest(
      lastZxidSeen: .zero, timeOutMs: 10_000, sessionID: .none,
      passwd: [UInt8](repeating: 0, count: 16), readOnly: false)
    let frame = Frame.record(request)
    #expect(Array(frame.prefix(4)) == [0, 0, 0, 45])
    #expect(try decodeExactly(ConnectRequest.self, Array(frame.dropFirst(4))) == request)
  }
}
