/// The record after a successful ReplyHeader, typed by the request's op code.
///
/// Which record each op returns is ZooKeeper's FinalRequestProcessor's choice (wire
/// reference §6): e.g. create2, createContainer and createTTL all answer a Create2Response,
/// reconfig a GetDataResponse, addWatch an ErrorResponse carrying `.ok`.
public enum ClientResponse: Hashable, Sendable, JuteEncodable {
  /// No record: delete, ping, auth, setWatches(2), check/removeWatches, closeSession, and any
  /// reply whose header carries an error.
  case empty
  case create(CreateResponse)
  case create2(Create2Response)
  case exists(ExistsResponse)
  /// getData, and reconfig (the new config and the Stat of `/zookeeper/config`).
  case getData(GetDataResponse)
  /// setData, and a standalone check on servers that answer it with a Stat.
  case setData(SetDataResponse)
  case getACL(GetACLResponse)
  case setACL(SetACLResponse)
  case getChildren(GetChildrenResponse)
  case getChildren2(GetChildren2Response)
  case sync(SyncResponse)
  /// multi and multiRead.
  case multi(MultiResponse)
  case sasl(SetSASLResponse)
  case getEphemerals(GetEphemeralsResponse)
  case getAllChildrenNumber(GetAllChildrenNumberResponse)
  /// addWatch's body: an ErrorResponse with `.ok`.
  case addWatch(ErrorResponse)
  case whoAmI(WhoAmIResponse)

  /// Appends the record (nothing for `.empty`).
  public func encode(to w: inout JuteWriter) {
    switch self {
    case .empty: break
    case .create(let r): r.encode(to: &w)
    case .create2(let r): r.encode(to: &w)
    case .exists(let r): r.encode(to: &w)
    case .getData(let r): r.encode(to: &w)
    case .setData(let r): r.encode(to: &w)
    case .getACL(let r): r.encode(to: &w)
    case .setACL(let r): r.encode(to: &w)
    case .getChildren(let r): r.encode(to: &w)
    case .getChildren2(let r): r.encode(to: &w)
    case .sync(let r): r.encode(to: &w)
    case .multi(let r): r.encode(to: &w)
    case .sasl(let r): r.encode(to: &w)
    case .getEphemerals(let r): r.encode(to: &w)
    case .getAllChildrenNumber(let r): r.encode(to: &w)
    case .addWatch(let r): r.encode(to: &w)
    case .whoAmI(let r): r.encode(to: &w)
    }
  }

  /// Decodes the record that follows a ReplyHeader with `err == .ok` for a request of
  /// `opCode`. Ops whose reply may or may not carry a record (a standalone check) decode
  /// to `.empty` when nothing is left.
  public static func decode(
    opCode: OpCode, from r: inout JuteReader
  ) throws(JuteError) -> ClientResponse {
    switch opCode {
    case .create: return .create(try r.read())
    case .create2, .createContainer, .createTTL: return .create2(try r.read())
    case .exists: return .exists(try r.read())
    case .getData, .reconfig: return .getData(try r.read())
    case .setData: return .setData(try r.read())
    case .check: return r.isAtEnd ? .empty : .setData(try r.read())
    case .getACL: return .getACL(try r.read())
    case .setACL: return .setACL(try r.read())
    case .getChildren: return .getChildren(try r.read())
    case .getChildren2: return .getChildren2(try r.read())
    case .sync: return .sync(try r.read())
    case .multi, .multiRead: return .multi(try r.read())
    case .sasl: return .sasl(try r.read())
    case .getEphemerals: return .getEphemerals(try r.read())
    case .getAllChildrenNumber: return .getAllChildrenNumber(try r.read())
    case .addWatch: return .addWatch(try r.read())
    case .whoAmI: return .whoAmI(try r.read())
    case .delete, .ping, .auth, .setWatches, .setWatches2, .checkWatches, .removeWatches,
      .closeSession, .deleteContainer, .createSession:
      return .empty
    case .notification, .error: throw .unexpectedOpCode(opCode.rawValue)
    }
  }
}

/// One frame from the server after the handshake, as the client sees it.
public enum ServerMessage: Hashable, Sendable {
  /// A watch event (xid -1). The header's zxid is -1 on 3.8 servers, the firing zxid since 3.9.
  case notification(ReplyHeader, WatcherEvent)
  /// The answer to a request; `.empty` when the header carries an error.
  case reply(ReplyHeader, ClientResponse)

  /// The header common to both kinds.
  public var header: ReplyHeader {
    switch self {
    case .notification(let h, _), .reply(let h, _): return h
    }
  }

  /// Decodes one frame payload (without its length prefix).
  ///
  /// `expecting` is the op code of the oldest outstanding request; the special xids
  /// (-1 notification, -2 ping, -4 auth, -8 setWatches) need none. A positive-xid reply with
  /// no request outstanding throws `unexpectedReply`. Bytes after the record are ignored.
  public static func decode(
    payload: [UInt8], expecting: OpCode?, lengthBound: Int = JuteReader.defaultLengthBound
  ) throws(JuteError) -> ServerMessage {
    var reader = JuteReader(payload, lengthBound: lengthBound)
    let header = try reader.read(ReplyHeader.self)
    let opCode: OpCode
    switch header.xid {
    case .notification: return .notification(header, try reader.read(WatcherEvent.self))
    case .ping: opCode = .ping
    case .auth: opCode = .auth
    case .setWatches: opCode = .setWatches
    default:
      guard let expecting else { throw .unexpectedReply(xid: header.xid.rawValue) }
      opCode = expecting
    }
    guard header.err == .ok else { return .reply(header, .empty) }
    return .reply(header, try ClientResponse.decode(opCode: opCode, from: &reader))
  }
}
