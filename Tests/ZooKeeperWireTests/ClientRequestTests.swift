import Testing
import ZooKeeperWire

@Suite("Client requests: decoding by op code and framing")
struct ClientRequestTests {
  private func payload(xid: Int32, _ request: ClientRequest) -> [UInt8] {
    Array(Frame.request(xid: Xid(xid), request).dropFirst(4))
  }

  static let everyRequest: [ClientRequest] = [
    .create(CreateRequest(path: "/a", data: [1], acl: ACL.openUnsafe, mode: .persistent)),
    .delete(DeleteRequest(path: "/a", version: -1)),
    .exists(ExistsRequest(path: "/a", watch: true)),
    .getData(GetDataRequest(path: "/a", watch: true)),
    .setData(SetDataRequest(path: "/a", data: [2], version: 0)),
    .getACL(GetACLRequest(path: "/a")),
    .setACL(SetACLRequest(path: "/a", acl: ACL.readUnsafe, version: 0)),
    .getChildren(GetChildrenRequest(path: "/", watch: false)),
    .sync(SyncRequest(path: "/")),
    .ping,
    .getChildren2(GetChildren2Request(path: "/", watch: true)),
    .check(CheckVersionRequest(path: "/a", version: 1)),
    .multi(MultiRequest(ops: [.delete(DeleteRequest(path: "/a", version: -1))])),
    .create2(CreateRequest(path: "/b", data: nil, acl: ACL.openUnsafe, mode: .ephemeral)),
    .reconfig(
      ReconfigRequest(
        joiningServers: "server.2=h:1:2;3", leavingServers: nil, newMembers: nil, curConfigId: -1)),
    .checkWatches(CheckWatchesRequest(path: "/a", type: .children)),
    .removeWatches(RemoveWatchesRequest(path: "/a", type: .any)),
    .createContainer(CreateRequest(path: "/c", data: [], acl: ACL.openUnsafe, mode: .container)),
    .createTTL(CreateTTLRequest(path: "/t", data: [], acl: ACL.openUnsafe, flags: 5, ttlMs: 1000)),
    .multiRead(MultiRequest(ops: [.getData(GetDataRequest(path: "/a", watch: false))])),
    .auth(AuthPacket(scheme: "digest", auth: Array("u:p".utf8))),
    .setWatches(SetWatches(relativeZxid: Zxid(3), dataWatches: ["/a"], existWatches: [], childWatches: [])),
    .sasl(GetSASLRequest(token: [1])),
    .getEphemerals(GetEphemeralsRequest(prefixPath: "/")),
    .getAllChildrenNumber(GetAllChildrenNumberRequest(path: "/")),
    .setWatches2(
      SetWatches2(
        relativeZxid: Zxid(3), dataWatches: [], existWatches: [], childWatches: [], persistentWatches: ["/p"],
        persistentRecursiveWatches: [])),
    .addWatch(AddWatchRequest(path: "/p", mode: .persistent)),
    .whoAmI,
    .closeSession,
  ]

  @Test("every request decodes back from its frame with its header", arguments: everyRequest)
  func roundTrip(_ request: ClientRequest) throws {
    let frame = Frame.request(xid: Xid(42), request)
    #expect(frame.count == 4 + RequestHeader.encodedBytes + request.juteBytes().count)
    let decoded = try ClientRequest.decode(payload: Array(frame.dropFirst(4)))
    #expect(decoded == .request(RequestHeader(xid: Xid(42), opCode: request.opCode), request))
    #expect(decoded.errorReply == nil)
  }

  @Test("the requests cover every op code a client may send")
  func coverage() {
    let clientOps = Set(OpCode.allCases).subtracting([
      .notification, .deleteContainer, .createSession, .error,
    ])
    #expect(Set(Self.everyRequest.map(\.opCode)) == clientOps)
  }

  @Test("an unknown op code is unsupported and answered unimplemented")
  func unknownOpCode() throws {
    let decoded = try ClientRequest.decode(payload: hexBytes("00000005 0000000a"))
    #expect(decoded == .unsupported(RequestHeader(xid: Xid(5), type: 10)))
    #expect(decoded.errorReply == .unimplemented)
    let serverOnly = try ClientRequest.decode(payload: hexBytes("00000006 fffffff6"))
    #expect(serverOnly == .unsupported(RequestHeader(xid: Xid(6), type: -10)))
  }

  @Test("a malformed body keeps the header and is answered marshallingError")
  func malformedBody() throws {
    let decoded = try ClientRequest.decode(payload: hexBytes("00000007 00000004 00000010 2f"))
    #expect(decoded.header == RequestHeader(xid: Xid(7), opCode: .getData))
    #expect(decoded.errorReply == .marshallingError)
    guard case .malformed(_, .truncated) = decoded else {
      Issue.record("expected a truncated body, got \(decoded)")
      return
    }
  }

  @Test("a frame shorter than the request header throws")
  func shortHeader() {
    #expect(throws: JuteError.truncated(needed: 4, available: 3)) {
      _ = try ClientRequest.decode(payload: [0, 0, 0, 1, 0, 0, 0])
    }
  }

  @Test("multi refuses read ops and multiRead refuses write ops")
  func multiKinds() throws {
    let readInMulti = MultiRequest(ops: [.getData(GetDataRequest(path: "/a", watch: false))])
    var w = JuteWriter()
    RequestHeader(xid: Xid(1), opCode: .multi).encode(to: &w)
    readInMulti.encode(to: &w)
    #expect(try ClientRequest.decode(payload: w.bytes).errorReply == .marshallingError)

    let writeInRead = MultiRequest(ops: [.delete(DeleteRequest(path: "/a", version: -1))])
    w = JuteWriter()
    RequestHeader(xid: Xid(2), opCode: .multiRead).encode(to: &w)
    writeInRead.encode(to: &w)
    #expect(
      try ClientRequest.decode(payload: w.bytes)
        == .malformed(RequestHeader(xid: Xid(2), opCode: .multiRead), .unexpectedOpCode(2)))
  }

  @Test("bytes after a request body are ignored, as ZooKeeper does")
  func trailingBytesIgnored() throws {
    let decoded = try ClientRequest.decode(payload: payload(xid: 3, .ping) + [0xaa])
    #expect(decoded == .request(RequestHeader(xid: Xid(3), opCode: .ping), .ping))
  }

  @Test("a hostile string length is rejected against the bound before allocation")
  func hostileLength() throws {
    let decoded = try ClientRequest.decode(
      payload: hexBytes("00000001 00000004 7fffffff"), lengthBound: 1024)
    #expect(
      decoded
        == .malformed(
          RequestHeader(xid: Xid(1), opCode: .getData),
          .lengthOverBound(length: Int(Int32.max), bound: 1024)))
  }

  @Test("requests that name a path expose it; the others do not")
  func paths() {
    #expect(ClientRequest.getData(GetDataRequest(path: "/a", watch: false)).path == "/a")
    #expect(ClientRequest.getEphemerals(GetEphemeralsRequest(prefixPath: "/e")).path == "/e")
    #expect(ClientRequest.ping.path == nil)
    let named = Self.everyRequest.filter { $0.path != nil }.count
    #expect(named == 19)
  }

  @Test("op codes print as ZooKeeper's constant names")
  func opCodeNames() {
    #expect(OpCode.getChildren2.description == "getChildren2")
    #expect("\(OpCode.closeSession)" == "closeSession")
    #expect(Set(OpCode.allCases.map(\.description)).count == OpCode.allCases.count)
  }
}
