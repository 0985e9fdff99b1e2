import Testing
import ZooKeeperWire

@Suite("Records encode and decode as jute")
struct RecordRoundTripTests {
  private func roundTrip<T: JuteRecord & Equatable>(_ value: T) throws {
    let bytes = value.juteBytes()
    let decoded = try decodeExactly(T.self, bytes)
    #expect(decoded == value)
    #expect(decoded.juteBytes() == bytes)
  }

  @Test("ConnectRequest is 44 bytes without the readOnly byte and 45 with it, both kept")
  func connectRequestReadOnlyByte() throws {
    let without = ConnectRequest(
      lastZxidSeen: Zxid(0x10), timeOutMs: 30_000, sessionID: .none,
      passwd: [UInt8](repeating: 0, count: 16), readOnly: nil)
    var with = without
    with.readOnly = false
    #expect(without.juteBytes().count == ConnectRequest.encodedBytesWithoutReadOnly)
    #expect(with.juteBytes().count == ConnectRequest.encodedBytesWithoutReadOnly + 1)
    let expected = hexBytes(
      "00000000 0000000000000010 00007530 0000000000000000 00000010"
        + "00000000000000000000000000000000 00")
    #expect(with.juteBytes() == expected)
    try roundTrip(without)
    try roundTrip(with)
    #expect(try decodeExactly(ConnectRequest.self, Array(expected.dropLast())).readOnly == nil)
  }

  @Test("ConnectResponse is 36 bytes without the readOnly byte and 37 with it, both kept")
  func connectResponseReadOnlyByte() throws {
    let response = ConnectResponse(
      timeOutMs: 4000, sessionID: SessionID(0x1000_0000_0000_0abc),
      passwd: Array(1...16), readOnly: true)
    #expect(response.juteBytes().count == ConnectResponse.encodedBytesWithoutReadOnly + 1)
    try roundTrip(response)
    var without = response
    without.readOnly = nil
    #expect(without.juteBytes().count == ConnectResponse.encodedBytesWithoutReadOnly)
    try roundTrip(without)
    let invalid = ConnectResponse.invalidSession(readOnly: true)
    #expect(invalid.timeOutMs == 0 && invalid.sessionID == .none && invalid.passwd.count == 16)
    #expect(invalid.readOnly == false)
  }

  @Test("headers have ZooKeeper's fixed sizes and field order")
  func headers() throws {
    let request = RequestHeader(xid: Xid(7), opCode: .getData)
    #expect(request.juteBytes() == hexBytes("00000007 00000004"))
    let reply = ReplyHeader(xid: Xid(7), zxid: Zxid(0x22), err: .noNode)
    #expect(reply.juteBytes() == hexBytes("00000007 0000000000000022 ffffff9b"))
    #expect(MultiHeader.end.juteBytes() == hexBytes("ffffffff 01 ffffffff"))
    try roundTrip(request)
    try roundTrip(reply)
    try roundTrip(MultiHeader(type: 5, done: false, err: -1))
  }

  @Test("a reply header with an error code ZooKeeper does not define is a decoding error")
  func unknownErrorCode() {
    #expect(throws: JuteError.invalidEnumValue(field: "ReplyHeader.err", value: -99)) {
      _ = try decodeExactly(ReplyHeader.self, hexBytes("00000001 0000000000000000 ffffff9d"))
    }
  }

  @Test("Stat is 68 bytes")
  func stat() throws {
    #expect(sampleStat.juteBytes().count == Stat.encodedBytes)
    try roundTrip(sampleStat)
  }

  @Test("a null data buffer stays null and an empty one stays empty")
  func nullVersusEmptyData() throws {
    let null = CreateRequest(path: "/a", data: nil, acl: ACL.openUnsafe, mode: .persistent)
    let empty = CreateRequest(path: "/a", data: [], acl: ACL.openUnsafe, mode: .persistent)
    #expect(null.juteBytes()[6..<10] == [0xff, 0xff, 0xff, 0xff])
    #expect(empty.juteBytes()[6..<10] == [0, 0, 0, 0])
    try roundTrip(null)
    try roundTrip(empty)
    try roundTrip(GetDataResponse(data: nil, stat: sampleStat))
    try roundTrip(SetDataRequest(path: "/a", data: nil, version: 3))
  }

  @Test("every request record round-trips")
  func requestRecords() throws {
    let acl = [ACL(perms: [.read, .write], id: Id(scheme: "digest", id: "u:abc=")), ACL.openUnsafe[0]]
    try roundTrip(CreateRequest(path: "/n", data: [1, 2], acl: acl, mode: .ephemeralSequential))
    try roundTrip(CreateTTLRequest(path: "/t", data: [3], acl: acl, flags: 5, ttlMs: 60_000))
    try roundTrip(DeleteRequest(path: "/n", version: -1))
    try roundTrip(ExistsRequest(path: "/n", watch: true))
    try roundTrip(GetDataRequest(path: "/n", watch: false))
    try roundTrip(SetDataRequest(path: "/n", data: [9], version: 4))
    try roundTrip(GetACLRequest(path: "/n"))
    try roundTrip(SetACLRequest(path: "/n", acl: acl, version: 1))
    try roundTrip(GetChildrenRequest(path: "/", watch: true))
    try roundTrip(GetChildren2Request(path: "/", watch: false))
    try roundTrip(CheckVersionRequest(path: "/n", version: 2))
    try roundTrip(SyncRequest(path: "/"))
    try roundTrip(AuthPacket(scheme: "digest", auth: Array("u:p".utf8)))
    try roundTrip(
      SetWatches(relativeZxid: Zxid(5), dataWatches: ["/a"], existWatches: [], childWatches: ["/", "/b"]))
    try roundTrip(
      SetWatches2(
        relativeZxid: Zxid(5), dataWatches: [], existWatches: ["/x"], childWatches: [],
        persistentWatches: ["/p"], persistentRecursiveWatches: ["/r", "/s"]))
    try roundTrip(AddWatchRequest(path: "/w", mode: .persistentRecursive))
    try roundTrip(CheckWatchesRequest(path: "/w", type: .data))
    try roundTrip(RemoveWatchesRequest(path: "/w", type: .any))
    try roundTrip(GetEphemeralsRequest(prefixPath: "/"))
    try roundTrip(GetAllChildrenNumberRequest(path: "/"))
    try roundTrip(
      ReconfigRequest(joiningServers: nil, leavingServers: "3", newMembers: nil, curConfigId: -1))
    try roundTrip(GetSASLRequest(token: [0xde, 0xad]))
  }

  @Test("every response record round-trips")
  func responseRecords() throws {
    try roundTrip(CreateResponse(path: "/n0000000001"))
    try roundTrip(Create2Response(path: "/n", stat: sampleStat))
    try roundTrip(ExistsResponse(stat: sampleStat))
    try roundTrip(GetDataResponse(data: Array("hello".utf8), stat: sampleStat))
    try roundTrip(SetDataResponse(stat: sampleStat))
    try roundTrip(GetACLResponse(acl: ACL.creatorAll, stat: sampleStat))
    try roundTrip(SetACLResponse(stat: sampleStat))
    try roundTrip(GetChildrenResponse(children: ["a", "b", "ü"]))
    try roundTrip(GetChildren2Response(children: [], stat: sampleStat))
    try roundTrip(SyncResponse(path: "/"))
    try roundTrip(GetEphemeralsResponse(ephemerals: ["/e1", "/x/e2"]))
    try roundTrip(GetAllChildrenNumberResponse(totalNumber: 42))
    try roundTrip(WhoAmIResponse(clientInfo: [ClientInfo(authScheme: "ip", user: "127.0.0.1")]))
    try roundTrip(SetSASLResponse(token: []))
    try roundTrip(ErrorResponse(err: .ok))
    try roundTrip(WatcherEvent(type: .nodeDataChanged, state: .syncConnected, path: "/n"))
  }

  @Test("a watcher event with an undefined type is a decoding error")
  func undefinedEventType() {
    #expect(throws: JuteError.invalidEnumValue(field: "WatcherEvent.type", value: 9)) {
      _ = try decodeExactly(WatcherEvent.self, hexBytes("00000009 00000003 00000000"))
    }
  }

  @Test("ustrings must be valid UTF-8: surrogates (CESU-8) and cut sequences are rejected")
  func strictUTF8() throws {
    #expect(try decodeExactly(SyncRequest.self, hexBytes("00000004 2f c3a9 61")).path == "/éa")
    #expect(try decodeExactly(SyncRequest.self, hexBytes("00000002 2f61")).path == "/a")
    for bad in ["00000004 2f eda080", "00000004 2f f09080", "00000002 2f ff", "00000002 2f 80"] {
      #expect(throws: JuteError.invalidUTF8) { _ = try decodeExactly(SyncRequest.self, hexBytes(bad)) }
    }
  }
}
