import Testing
import ZooKeeperWire

/// Golden bytes: frames recorded once from real ZooKeeper 3.8 exchanges (kazoo 2.11 and the
/// 3.8 Java client, through `Fixtures/capture.py`) decode to the expected record and
/// re-encode byte for byte.
@Suite("Golden bytes from Apache ZooKeeper 3.8")
struct GoldenBytesTests {
  /// Decodes a recorded frame and encodes the result again.
  private func reencode(_ frame: GoldenFrame) throws -> [UInt8] {
    var decoder = FrameDecoder()
    decoder.append(frame.bytes)
    let payload = try #require(try decoder.nextFrame(), "\(frame)")
    #expect(decoder.bufferedBytes == 0, "\(frame)")
    switch (frame.direction, frame.label) {
    case (.clientToServer, "connect"):
      return Frame.record(try decodeExactly(ConnectRequest.self, payload))
    case (.serverToClient, "connect"):
      return Frame.record(try decodeExactly(ConnectResponse.self, payload))
    case (.clientToServer, _):
      let decoded = try ClientRequest.decode(payload: payload)
      guard case .request(let header, let request) = decoded else {
        Issue.record("\(frame): decoded as \(decoded)")
        return []
      }
      #expect(request.opCode.description == frame.label, "\(frame)")
      return Frame.request(xid: header.xid, request)
    case (.serverToClient, _):
      let expected = frame.label == "notification" ? nil : frame.opCode
      let message = try ServerMessage.decode(payload: payload, expecting: expected)
      switch message {
      case .notification(let header, let event):
        #expect(frame.label == "notification", "\(frame)")
        #expect(header.err == .ok)
        return Frame.notification(event, zxid: header.zxid)
      case .reply(let header, .empty):
        return Frame.reply(header)
      case .reply(let header, let response):
        return Frame.reply(header, response)
      }
    }
  }

  @Test("every recorded frame decodes and re-encodes byte for byte")
  func everyFrameRoundTrips() throws {
    #expect(GoldenFixtures.frames.count > 150)
    for frame in GoldenFixtures.frames {
      let bytes = try reencode(frame)
      #expect(hexString(bytes) == hexString(frame.bytes), "\(frame)")
    }
  }

  @Test("the recordings cover every op a client may send, each answered")
  func coverage() {
    let clientOps = Set(OpCode.allCases).subtracting([
      .notification, .deleteContainer, .createSession, .error,
    ])
    let sent = Set(GoldenFixtures.frames.filter { $0.direction == .clientToServer }.compactMap(\.opCode))
    let answered = Set(GoldenFixtures.frames.filter { $0.direction == .serverToClient }.compactMap(\.opCode))
    #expect(clientOps.subtracting(sent).isEmpty, "never sent: \(clientOps.subtracting(sent))")
    #expect(clientOps.subtracting(answered).isEmpty, "never answered: \(clientOps.subtracting(answered))")
    #expect(answered.contains(.notification))
  }

  @Test("handshakes carry the readOnly byte: 45-byte requests, 37-byte responses")
  func handshakes() throws {
    let connects = GoldenFixtures.frames.filter { $0.label == "connect" }
    #expect(connects.count >= 8)
    for frame in connects {
      if frame.direction == .clientToServer {
        let request = try decodeExactly(ConnectRequest.self, frame.payload)
        #expect(request.readOnly == false && frame.payload.count == 45, "\(frame)")
        #expect(request.passwd.count == 16)
      } else {
        let response = try decodeExactly(ConnectResponse.self, frame.payload)
        #expect(response.readOnly == false && frame.payload.count == 37, "\(frame)")
        #expect(response.timeOutMs == 4000 && response.sessionID != .none, "\(frame)")
      }
    }
  }

  @Test("a failed multi comes back as ok, the failing code, then runtimeInconsistency")
  func failedMultiLayout() throws {
    let replies = try GoldenFixtures.frames
      .filter { $0.direction == .serverToClient && $0.label == "multi" }
      .map { try ServerMessage.decode(payload: $0.payload, expecting: .multi) }
    let failed = replies.compactMap { message -> MultiResponse? in
      guard case .reply(let header, .multi(let response)) = message, header.err == .ok,
        response.results.contains(.error(.runtimeInconsistency))
      else { return nil }
      return response
    }
    #expect(failed == [MultiResponse.failure(opCount: 3, failedIndex: 1, error: .badVersion)])
  }

  @Test("ZooKeeper keeps a null data buffer null and answers a 3.8 notification with zxid -1")
  func nullDataAndNotificationZxid() throws {
    let javaFrames = GoldenFixtures.load("java.hex")
    let firstGet = try #require(javaFrames.first { $0.direction == .serverToClient && $0.label == "getData" })
    guard
      case .reply(_, .getData(let response)) = try ServerMessage.decode(
        payload: firstGet.payload, expecting: .getData)
    else {
      Issue.record("first getData reply did not decode as GetDataResponse")
      return
    }
    #expect(response.data == nil)
    let notifications = GoldenFixtures.frames.filter { $0.label == "notification" }
    #expect(notifications.count >= 8)
    for frame in notifications {
      #expect(try ServerMessage.decode(payload: frame.payload, expecting: nil).header.zxid == Zxid(-1))
    }
  }

  @Test("error replies carry no body")
  func errorReplies() throws {
    var codes: Set<ErrorCode> = []
    for frame in GoldenFixtures.frames where frame.direction == .serverToClient && frame.label != "connect" {
      let message = try ServerMessage.decode(payload: frame.payload, expecting: frame.opCode)
      if message.header.err != .ok {
        codes.insert(message.header.err)
        #expect(frame.payload.count == ReplyHeader.encodedBytes, "\(frame)")
      }
    }
    let expected: Set<ErrorCode> = [
      .nodeExists, .noNode, .noChildrenForEphemerals, .badVersion, .invalidACL, .notEmpty,
      .reconfigDisabled, .noWatcher,
    ]
    #expect(codes == expected)
  }
}
