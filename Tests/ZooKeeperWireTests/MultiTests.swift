import Testing
import ZooKeeperWire

@Suite("multi and multiRead encodings")
struct MultiTests {
  @Test("each op is preceded by {op, false, -1} and the request ends with {-1, true, -1}")
  func requestLayout() throws {
    let request = MultiRequest(ops: [
      .check(CheckVersionRequest(path: "/a", version: 1)),
      .delete(DeleteRequest(path: "/a", version: -1)),
    ])
    let expected = hexBytes(
      "0000000d 00 ffffffff 00000002 2f61 00000001"
        + "00000002 00 ffffffff 00000002 2f61 ffffffff"
        + "ffffffff 01 ffffffff")
    #expect(request.juteBytes() == expected)
    #expect(try decodeExactly(MultiRequest.self, expected) == request)
  }

  @Test("an empty multi is the end marker alone")
  func emptyMulti() throws {
    #expect(MultiRequest(ops: []).juteBytes() == MultiHeader.end.juteBytes())
    #expect(try decodeExactly(MultiRequest.self, MultiHeader.end.juteBytes()).ops.isEmpty)
  }

  @Test("every op kind round-trips")
  func everyOpKind() throws {
    let ops: [MultiOp] = [
      .create(CreateRequest(path: "/c", data: nil, acl: ACL.openUnsafe, mode: .persistent)),
      .create2(CreateRequest(path: "/c2", data: [1], acl: ACL.openUnsafe, mode: .ephemeral)),
      .createContainer(CreateRequest(path: "/cc", data: [], acl: ACL.openUnsafe, mode: .container)),
      .createTTL(CreateTTLRequest(path: "/t", data: [], acl: ACL.openUnsafe, flags: 5, ttlMs: 10)),
      .delete(DeleteRequest(path: "/d", version: 3)),
      .setData(SetDataRequest(path: "/s", data: [2], version: -1)),
      .check(CheckVersionRequest(path: "/k", version: 0)),
      .getData(GetDataRequest(path: "/g", watch: false)),
      .getChildren(GetChildrenRequest(path: "/h", watch: false)),
    ]
    let request = MultiRequest(ops: ops)
    #expect(try decodeExactly(MultiRequest.self, request.juteBytes()) == request)
    #expect(ops.map(\.opCode.rawValue) == [1, 15, 19, 21, 2, 5, 13, 4, 8])
  }

  @Test("an op type that cannot appear in a multi is a decoding error")
  func foreignOpType() {
    let bytes = hexBytes("00000003 00 ffffffff 00000002 2f61 00" + "ffffffff 01 ffffffff")
    #expect(throws: JuteError.unexpectedOpCode(3)) {
      _ = try decodeExactly(MultiRequest.self, bytes)
    }
  }

  @Test("a failed multi reports ok before the failing op, its code, then runtimeInconsistency")
  func failureLayout() throws {
    let response = MultiResponse.failure(opCount: 3, failedIndex: 1, error: .noNode)
    #expect(response.results == [.error(.ok), .error(.noNode), .error(.runtimeInconsistency)])
    let expected = hexBytes(
      "ffffffff 00 00000000 00000000"
        + "ffffffff 00 ffffff9b ffffff9b"
        + "ffffffff 00 fffffffe fffffffe"
        + "ffffffff 01 ffffffff")
    #expect(response.juteBytes() == expected)
    #expect(try decodeExactly(MultiResponse.self, expected) == response)
  }

  @Test("every result kind round-trips, create2-like results under header type 15")
  func everyResultKind() throws {
    let response = MultiResponse(results: [
      .create(CreateResponse(path: "/c")),
      .create2(Create2Response(path: "/c2", stat: sampleStat)),
      .delete,
      .setData(SetDataResponse(stat: sampleStat)),
      .check,
      .getData(GetDataResponse(data: [7], stat: sampleStat)),
      .getChildren(GetChildrenResponse(children: ["x"])),
      .error(.badVersion),
    ])
    let bytes = response.juteBytes()
    #expect(try decodeExactly(MultiResponse.self, bytes) == response)
    #expect(Array(bytes[15..<19]) == [0, 0, 0, 15])
  }
}
