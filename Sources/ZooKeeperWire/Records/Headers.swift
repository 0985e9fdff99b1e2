/// Precedes every client request after the handshake (`proto.RequestHeader`, 8 bytes).
///
/// `type` stays a raw op code so a header with an unknown code can still be answered
/// (as ZooKeeper, with `unimplemented`).
public struct RequestHeader: Hashable, Sendable, JuteRecord {
  /// The request's id on its connection, echoed in the reply; negative values are special.
  public var xid: Xid
  /// The raw op code (`OpCode.rawValue`).
  public var type: Int32

  /// Encoded size.
  public static let encodedBytes = 8

  /// A header for a known operation.
  public init(xid: Xid, opCode: OpCode) {
    self.xid = xid
    self.type = opCode.rawValue
  }

  /// A header with a raw op code, known or not.
  public init(xid: Xid, type: Int32) {
    self.xid = xid
    self.type = type
  }

  /// The op code, or nil if ZooKeeper does not define this number.
  public var opCode: OpCode? { OpCode(rawValue: type) }

  public init(from r: inout JuteReader) throws(JuteError) {
    xid = Xid(try r.readInt32())
    type = try r.readInt32()
  }

  public func encode(to w: inout JuteWriter) {
    w.writeInt32(xid.rawValue)
    w.writeInt32(type)
  }
}

/// Precedes every server frame after the handshake (`proto.ReplyHeader`, 16 bytes).
///
/// If `err` is not `.ok` no response record follows (multi's partial failures come back with
/// `.ok` and per-op error results instead).
public struct ReplyHeader: Hashable, Sendable, JuteRecord {
  /// The request's xid, or a special xid (-1 notification, -2 ping, -4 auth, -8 setWatches).
  public var xid: Xid
  /// The server's last processed zxid when the reply was sent (0 for auth replies).
  public var zxid: Zxid
  /// The outcome.
  public var err: ErrorCode

  /// Encoded size.
  public static let encodedBytes = 16

  /// A header with every field given.
  public init(xid: Xid, zxid: Zxid, err: ErrorCode = .ok) {
    self.xid = xid
    self.zxid = zxid
    self.err = err
  }

  public init(from r: inout JuteReader) throws(JuteError) {
    xid = Xid(try r.readInt32())
    zxid = Zxid(try r.readInt64())
    err = try ErrorCode(wire: try r.readInt32(), field: "ReplyHeader.err")
  }

  public func encode(to w: inout JuteWriter) {
    w.writeInt32(xid.rawValue)
    w.writeInt64(zxid.rawValue)
    w.writeInt32(err.rawValue)
  }
}

/// Precedes each op and each result inside a multi (`proto.MultiHeader`, 9 bytes).
///
/// Requests: `{type: op code, done: false, err: -1}` per op, then `{-1, true, -1}`.
/// Responses: `{op code or -1, false, 0 or the error}` per result, then `{-1, true, -1}`.
public struct MultiHeader: Hashable, Sendable, JuteRecord {
  /// The op code of the record that follows, or -1 (error result / end marker).
  public var type: Int32
  /// True only on the end marker.
  public var done: Bool
  /// -1 in requests; 0 or an error code in responses.
  public var err: Int32

  /// Encoded size.
  public static let encodedBytes = 9
  /// The marker closing every multi request and response.
  public static let end = MultiHeader(type: -1, done: true, err: -1)

  /// A header with every field given.
  public init(type: Int32, done: Bool, err: Int32) {
    self.type = type
    self.done = done
    self.err = err
  }

  public init(from r: inout JuteReader) throws(JuteError) {
    type = try r.readInt32()
    done = try r.readBool()
    err = try r.readInt32()
  }

  public func encode(to w: inout JuteWriter) {
    w.writeInt32(type)
    w.writeBool(done)
    w.writeInt32(err)
  }
}

/// A bare error code (`proto.ErrorResponse`): the result of a failed op inside a multi, and
/// the body of a successful addWatch reply (with `.ok`).
public struct ErrorResponse: Hashable, Sendable, JuteRecord {
  /// The outcome.
  public var err: ErrorCode

  /// A response carrying `err`.
  public init(err: ErrorCode) { self.err = err }

  public init(from r: inout JuteReader) throws(JuteError) {
    err = try ErrorCode(wire: try r.readInt32(), field: "ErrorResponse.err")
  }

  public func encode(to w: inout JuteWriter) { w.writeInt32(err.rawValue) }
}

/// Credentials added to the session (`proto.AuthPacket`), sent with xid -4.
public struct AuthPacket: Hashable, Sendable, JuteRecord {
  /// Always 0.
  public var type: Int32
  /// The auth scheme: `digest`, `ip`, `sasl`, ...
  public var scheme: String
  /// Scheme-specific bytes (for `digest`: `user:password` in clear).
  public var auth: [UInt8]

  /// A packet with every field given.
  public init(type: Int32 = 0, scheme: String, auth: [UInt8]) {
    self.type = type
    self.scheme = scheme
    self.auth = auth
  }

  public init(from r: inout JuteReader) throws(JuteError) {
    type = try r.readInt32()
    scheme = try r.readString()
    auth = try r.readBuffer()
  }

  public func encode(to w: inout JuteWriter) {
    w.writeInt32(type)
    w.writeString(scheme)
    w.writeBuffer(auth)
  }
}

/// The body of a watch notification (`proto.WatcherEvent`), sent with xid -1.
public struct WatcherEvent: Hashable, Sendable, JuteRecord {
  /// What happened.
  public var type: EventType
  /// The session state; `.syncConnected` for node events.
  public var state: KeeperState
  /// The server-side path (the client strips its chroot).
  public var path: String

  /// An event with every field given.
  public init(type: EventType, state: KeeperState = .syncConnected, path: String) {
    self.type = type
    self.state = state
    self.path = path
  }

  public init(from r: inout JuteReader) throws(JuteError) {
    let rawType = try r.readInt32()
    guard let type = EventType(rawValue: rawType) else {
      throw .invalidEnumValue(field: "WatcherEvent.type", value: rawType)
    }
    let rawState = try r.readInt32()
    guard let state = KeeperState(rawValue: rawState) else {
      throw .invalidEnumValue(field: "WatcherEvent.state", value: rawState)
    }
    self.type = type
    self.state = state
    path = try r.readString()
  }

  public func encode(to w: inout JuteWriter) {
    w.writeInt32(type.rawValue)
    w.writeInt32(state.rawValue)
    w.writeString(path)
  }
}

extension ErrorCode {
  /// The code for a wire value; a value ZooKeeper does not define is a decoding error.
  public init(wire value: Int32, field: String) throws(JuteError) {
    guard let code = ErrorCode(rawValue: value) else {
      throw .invalidEnumValue(field: field, value: value)
    }
    self = code
  }
}
