/// One client request after the handshake: the typed body for its op code.
///
/// The op code is implied by the case (`opCode`); the xid travels beside it in the
/// `RequestHeader`. Bodiless requests (ping, whoAmI, closeSession) are plain cases.
public enum ClientRequest: Hashable, Sendable, JuteEncodable {
  case create(CreateRequest)
  case delete(DeleteRequest)
  case exists(ExistsRequest)
  case getData(GetDataRequest)
  case setData(SetDataRequest)
  case getACL(GetACLRequest)
  case setACL(SetACLRequest)
  case getChildren(GetChildrenRequest)
  case sync(SyncRequest)
  /// Sent with xid -2; no body either way.
  case ping
  case getChildren2(GetChildren2Request)
  case check(CheckVersionRequest)
  /// Write ops only, applied atomically.
  case multi(MultiRequest)
  case create2(CreateRequest)
  case reconfig(ReconfigRequest)
  case checkWatches(CheckWatchesRequest)
  case removeWatches(RemoveWatchesRequest)
  case createContainer(CreateRequest)
  case createTTL(CreateTTLRequest)
  /// getData / getChildren ops only, each evaluated on its own.
  case multiRead(MultiRequest)
  /// Sent with xid -4.
  case auth(AuthPacket)
  /// Sent with xid -8.
  case setWatches(SetWatches)
  case sasl(GetSASLRequest)
  case getEphemerals(GetEphemeralsRequest)
  case getAllChildrenNumber(GetAllChildrenNumberRequest)
  /// Sent with xid -8.
  case setWatches2(SetWatches2)
  case addWatch(AddWatchRequest)
  case whoAmI
  case closeSession

  /// The op code carried in the request's header.
  public var opCode: OpCode {
    switch self {
    case .create: return .create
    case .delete: return .delete
    case .exists: return .exists
    case .getData: return .getData
    case .setData: return .setData
    case .getACL: return .getACL
    case .setACL: return .setACL
    case .getChildren: return .getChildren
    case .sync: return .sync
    case .ping: return .ping
    case .getChildren2: return .getChildren2
    case .check: return .check
    case .multi: return .multi
    case .create2: return .create2
    case .reconfig: return .reconfig
    case .checkWatches: return .checkWatches
    case .removeWatches: return .removeWatches
    case .createContainer: return .createContainer
    case .createTTL: return .createTTL
    case .multiRead: return .multiRead
    case .auth: return .auth
    case .setWatches: return .setWatches
    case .sasl: return .sasl
    case .getEphemerals: return .getEphemerals
    case .getAllChildrenNumber: return .getAllChildrenNumber
    case .setWatches2: return .setWatches2
    case .addWatch: return .addWatch
    case .whoAmI: return .whoAmI
    case .closeSession: return .closeSession
    }
  }

  /// The path the request names, if it names one (for getEphemerals, the prefix); nil for
  /// ping, auth, sasl, setWatches(2), multi, reconfig, whoAmI and closeSession.
  public var path: String? {
    switch self {
    case .create(let r), .create2(let r), .createContainer(let r): return r.path
    case .createTTL(let r): return r.path
    case .delete(let r): return r.path
    case .exists(let r): return r.path
    case .getData(let r): return r.path
    case .setData(let r): return r.path
    case .getACL(let r): return r.path
    case .setACL(let r): return r.path
    case .getChildren(let r): return r.path
    case .getChildren2(let r): return r.path
    case .sync(let r): return r.path
    case .check(let r): return r.path
    case .checkWatches(let r): return r.path
    case .removeWatches(let r): return r.path
    case .getEphemerals(let r): return r.prefixPath
    case .getAllChildrenNumber(let r): return r.path
    case .addWatch(let r): return r.path
    case .ping, .multi, .multiRead, .reconfig, .auth, .setWatches, .sasl, .setWatches2, .whoAmI,
      .closeSession:
      return nil
    }
  }

  /// Appends the body only (nothing for ping, whoAmI and closeSession).
  public func encode(to w: inout JuteWriter) {
    switch self {
    case .create(let r), .create2(let r), .createContainer(let r): r.encode(to: &w)
    case .delete(let r): r.encode(to: &w)
    case .exists(let r): r.encode(to: &w)
    case .getData(let r): r.encode(to: &w)
    case .setData(let r): r.encode(to: &w)
    case .getACL(let r): r.encode(to: &w)
    case .setACL(let r): r.encode(to: &w)
    case .getChildren(let r): r.encode(to: &w)
    case .sync(let r): r.encode(to: &w)
    case .getChildren2(let r): r.encode(to: &w)
    case .check(let r): r.encode(to: &w)
    case .multi(let r), .multiRead(let r): r.encode(to: &w)
    case .reconfig(let r): r.encode(to: &w)
    case .checkWatches(let r): r.encode(to: &w)
    case .removeWatches(let r): r.encode(to: &w)
    case .createTTL(let r): r.encode(to: &w)
    case .auth(let r): r.encode(to: &w)
    case .setWatches(let r): r.encode(to: &w)
    case .sasl(let r): r.encode(to: &w)
    case .getEphemerals(let r): r.encode(to: &w)
    case .getAllChildrenNumber(let r): r.encode(to: &w)
    case .setWatches2(let r): r.encode(to: &w)
    case .addWatch(let r): r.encode(to: &w)
    case .ping, .whoAmI, .closeSession: break
    }
  }

  /// Decodes the body of a request whose header carried `opCode`; nil when the op is not one a
  /// client may send (notification, createSession, deleteContainer, error).
  ///
  /// Bytes after the body are left unread, as ZooKeeper ignores them.
  public static func decodeBody(
    opCode: OpCode, from r: inout JuteReader
  ) throws(JuteError) -> ClientRequest? {
    switch opCode {
    case .create: return .create(try r.read())
    case .delete: return .delete(try r.read())
    case .exists: return .exists(try r.read())
    case .getData: return .getData(try r.read())
    case .setData: return .setData(try r.read())
    case .getACL: return .getACL(try r.read())
    case .setACL: return .setACL(try r.read())
    case .getChildren: return .getChildren(try r.read())
    case .sync: return .sync(try r.read())
    case .ping: return .ping
    case .getChildren2: return .getChildren2(try r.read())
    case .check: return .check(try r.read())
    case .multi, .multiRead:
      let body = try r.read(MultiRequest.self)
      // As ZooKeeper's MultiOperationRecord: reads and writes never mix, and each op code
      // takes only its own kind.
      let wantsReads = opCode == .multiRead
      for op in body.ops where op.isRead != wantsReads {
        throw .unexpectedOpCode(op.opCode.rawValue)
      }
      return wantsReads ? .multiRead(body) : .multi(body)
    case .create2: return .create2(try r.read())
    case .reconfig: return .reconfig(try r.read())
    case .checkWatches: return .checkWatches(try r.read())
    case .removeWatches: return .removeWatches(try r.read())
    case .createContainer: return .createContainer(try r.read())
    case .createTTL: return .createTTL(try r.read())
    case .auth: return .auth(try r.read())
    case .setWatches: return .setWatches(try r.read())
    case .sasl: return .sasl(try r.read())
    case .getEphemerals: return .getEphemerals(try r.read())
    case .getAllChildrenNumber: return .getAllChildrenNumber(try r.read())
    case .setWatches2: return .setWatches2(try r.read())
    case .addWatch: return .addWatch(try r.read())
    case .whoAmI: return .whoAmI
    case .closeSession: return .closeSession
    case .notification, .deleteContainer, .createSession, .error: return nil
    }
  }

  /// Decodes one frame payload (without its length prefix) sent after the handshake.
  ///
  /// Throws only when not even the 8-byte RequestHeader is there (close the connection).
  /// Otherwise the outcome says how to answer: see `RequestDecoding`.
  public static func decode(
    payload: [UInt8], lengthBound: Int = JuteReader.defaultLengthBound
  ) throws(JuteError) -> RequestDecoding {
    var reader = JuteReader(payload, lengthBound: lengthBound)
    let header = try reader.read(RequestHeader.self)
    guard let opCode = header.opCode else { return .unsupported(header) }
    do {
      guard let request = try decodeBody(opCode: opCode, from: &reader) else {
        return .unsupported(header)
      }
      return .request(header, request)
    } catch {
      return .malformed(header, error)
    }
  }
}

/// The outcome of decoding a request frame, telling the server how to answer.
public enum RequestDecoding: Hashable, Sendable {
  /// A well-formed request: serve it. The header's xid goes into the reply.
  case request(RequestHeader, ClientRequest)
  /// An op code ZooKeeper does not define or does not accept from clients: answer
  /// `unimplemented` with the header's xid and keep the connection.
  case unsupported(RequestHeader)
  /// The header was read but the body is malformed: answer `marshallingError` with the
  /// header's xid (as ZooKeeper's request processors do); the server may then close.
  case malformed(RequestHeader, JuteError)

  /// The header common to every outcome.
  public var header: RequestHeader {
    switch self {
    case .request(let h, _), .unsupported(let h), .malformed(let h, _): return h
    }
  }

  /// The error code to answer with when the request cannot be served, nil when it can.
  public var errorReply: ErrorCode? {
    switch self {
    case .request: return nil
    case .unsupported: return .unimplemented
    case .malformed: return .marshallingError
    }
  }
}
