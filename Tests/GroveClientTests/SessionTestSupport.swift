import Testing
import ZooKeeperWire

@testable import GroveClient

/// A scripted server for `ClientSession` tests: builds the bytes a ZooKeeper server would send
/// and decodes what the session sent.
enum Script {
  static let server = ServerAddress(host: "127.0.0.1", port: 2181)
  static let password = [UInt8](1...16)

  static func configuration(
    servers: [ServerAddress] = [server], timeoutMs: Int32 = 9_000, chroot: String = ""
  ) -> SessionConfiguration {
    SessionConfiguration(servers: servers, chroot: try! Chroot(chroot), sessionTimeoutMs: timeoutMs)
  }

  static func connectResponse(session: Int64 = 0x1234, timeoutMs: Int32 = 9_000) -> [UInt8] {
    Frame.record(
      ConnectResponse(timeOutMs: timeoutMs, sessionID: SessionID(session), passwd: password, readOnly: false))
  }

  static func reply(xid: Int32, zxid: Int64 = 0x10, err: ErrorCode = .ok, _ body: ClientResponse = .empty) -> [UInt8] {
    if err != .ok || body == .empty { return Frame.reply(ReplyHeader(xid: Xid(xid), zxid: Zxid(zxid), err: err)) }
    return Frame.reply(ReplyHeader(xid: Xid(xid), zxid: Zxid(zxid), err: err), body)
  }

  static func event(_ type: EventType, _ path: String) -> [UInt8] {
    Frame.notification(WatcherEvent(type: type, path: path), zxid: Zxid(-1))
  }

  /// The frames in `actions`' sends, decoded as requests (the first may be a ConnectRequest).
  static func sentRequests(_ actions: [SessionAction]) -> [RequestHeader: ClientRequest] {
    var result: [RequestHeader: ClientRequest] = [:]
    for case .request(let header, let request) in sentDecodings(actions) { result[header] = request }
    return result
  }

  /// Every sent frame after the handshake, decoded, in order.
  static func sentDecodings(_ actions: [SessionAction]) -> [RequestDecoding] {
    var decodings: [RequestDecoding] = []
    for case .send(let bytes) in actions {
      var decoder = FrameDecoder()
      decoder.append(bytes)
      while let frame = try! decoder.nextFrame() {
        decodings.append(try! ClientRequest.decode(payload: frame))
      }
    }
    return decodings
  }

  /// (xid, request) of each sent request, in order.
  static func sent(_ actions: [SessionAction]) -> [(Int32, ClientRequest)] {
    sentDecodings(actions).compactMap {
      if case .request(let h, let r) = $0 { return (h.xid.rawValue, r) }
      return nil
    }
  }

  /// The ConnectRequest in `actions`' first send.
  static func connectRequest(_ actions: [SessionAction]) -> ConnectRequest? {
    for case .send(let bytes) in actions {
      var decoder = FrameDecoder()
      decoder.append(bytes)
      guard let frame = try? decoder.nextFrame() else { return nil }
      var reader = JuteReader(frame)
      return try? reader.read(ConnectRequest.self)
    }
    return nil
  }

  static func completions(_ actions: [SessionAction]) -> [UInt64: Result<ClientResponse, ZooKeeperError>] {
    var result: [UInt64: Result<ClientResponse, ZooKeeperError>] = [:]
    for case .complete(let token, let outcome) in actions { result[token.rawValue] = outcome }
    return result
  }

  static func states(_ actions: [SessionAction]) -> [SessionState] {
    actions.compactMap { if case .state(let s) = $0 { return s } else { return nil } }
  }

  static func connects(_ actions: [SessionAction]) -> [ServerAddress] {
    actions.compactMap { if case .connect(let s, _) = $0 { return s } else { return nil } }
  }

  /// A session taken through start, TCP connect and handshake at time 0.
  static func connectedSession(configuration: SessionConfiguration = configuration()) -> ClientSession {
    var session = ClientSession(configuration: configuration, seed: 7)
    _ = session.start(nowMs: 0)
    _ = session.connectionEstablished(nowMs: 0)
    let actions = session.received(connectResponse(), nowMs: 0)
    precondition(states(actions) == [.connected], "scripted handshake failed: \(actions)")
    return session
  }

  static func token(_ n: UInt64) -> RequestToken { RequestToken(rawValue: n) }
  static func watcher(_ n: UInt64) -> WatcherToken { WatcherToken(rawValue: n) }
}
