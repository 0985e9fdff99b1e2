/// The first frame a client sends on a new connection (`proto.ConnectRequest`), without a
/// RequestHeader.
///
/// The trailing `readOnly` byte is optional on the wire (44 or 45 bytes): ZooKeeper 3.8 reads
/// it only if present, and pre-3.4 clients omit it. `readOnly == nil` records its absence, so
/// a decoded request re-encodes byte for byte. Decode it from its own frame only: the flag is
/// read when any byte is left (later bytes are ignored, as ZooKeeper does).
public struct ConnectRequest: Hashable, Sendable, JuteRecord {
  /// Always 0 for ZooKeeper clients.
  public var protocolVersion: Int32
  /// The highest zxid this client has seen (0 for a brand-new client).
  public var lastZxidSeen: Zxid
  /// Requested session timeout in milliseconds (the server clamps it).
  public var timeOutMs: Int32
  /// 0 to create a new session, otherwise the session to resume.
  public var sessionID: SessionID
  /// Session password; new sessions send 16 zero bytes.
  public var passwd: [UInt8]
  /// "I accept a read-only server"; nil when the byte was absent.
  public var readOnly: Bool?

  /// Encoded size without the trailing read-only byte.
  public static let encodedBytesWithoutReadOnly = 44

  /// A request with every field given; `readOnly: nil` omits the trailing byte.
  public init(
    protocolVersion: Int32 = 0, lastZxidSeen: Zxid, timeOutMs: Int32, sessionID: SessionID,
    passwd: [UInt8], readOnly: Bool?
  ) {
    self.protocolVersion = protocolVersion
    self.lastZxidSeen = lastZxidSeen
    self.timeOutMs = timeOutMs
    self.sessionID = sessionID
    self.passwd = passwd
    self.readOnly = readOnly
  }

  public init(from r: inout JuteReader) throws(JuteError) {
    protocolVersion = try r.readInt32()
    lastZxidSeen = Zxid(try r.readInt64())
    timeOutMs = try r.readInt32()
    sessionID = SessionID(try r.readInt64())
    passwd = try r.readBuffer()
    readOnly = r.isAtEnd ? nil : try r.readBool()
  }

  public func encode(to w: inout JuteWriter) {
    w.writeInt32(protocolVersion)
    w.writeInt64(lastZxidSeen.rawValue)
    w.writeInt32(timeOutMs)
    w.writeInt64(sessionID.rawValue)
    w.writeBuffer(passwd)
    if let readOnly { w.writeBool(readOnly) }
  }
}

/// The first frame the server sends back (`proto.ConnectResponse`), without a ReplyHeader.
///
/// `timeOutMs == 0` means the session is invalid or expired (the client turns it into
/// `KeeperState.expired`). The trailing `readOnly` byte is sent only if the client's request
/// carried one; `nil` records its absence so re-encoding is byte-identical.
public struct ConnectResponse: Hashable, Sendable, JuteRecord {
  /// Always 0.
  public var protocolVersion: Int32
  /// The negotiated session timeout in milliseconds; 0 when the session is invalid.
  public var timeOutMs: Int32
  /// The assigned or resumed session; 0 when invalid.
  public var sessionID: SessionID
  /// The session's 16-byte password (16 zero bytes when invalid).
  public var passwd: [UInt8]
  /// Whether this server is read-only; nil when the byte is omitted.
  public var readOnly: Bool?

  /// Encoded size without the trailing read-only byte.
  public static let encodedBytesWithoutReadOnly = 36

  /// A response with every field given; `readOnly: nil` omits the trailing byte.
  public init(
    protocolVersion: Int32 = 0, timeOutMs: Int32, sessionID: SessionID, passwd: [UInt8],
    readOnly: Bool?
  ) {
    self.protocolVersion = protocolVersion
    self.timeOutMs = timeOutMs
    self.sessionID = sessionID
    self.passwd = passwd
    self.readOnly = readOnly
  }

  /// As ZooKeeper answers a resume that failed: timeout 0, session 0, 16 zero bytes.
  public static func invalidSession(readOnly: Bool?) -> ConnectResponse {
    ConnectResponse(
      timeOutMs: 0, sessionID: .none, passwd: [UInt8](repeating: 0, count: 16),
      readOnly: readOnly.map { _ in false })
  }

  public init(from r: inout JuteReader) throws(JuteError) {
    protocolVersion = try r.readInt32()
    timeOutMs = try r.readInt32()
    sessionID = SessionID(try r.readInt64())
    passwd = try r.readBuffer()
    readOnly = r.isAtEnd ? nil : try r.readBool()
  }

  public func encode(to w: inout JuteWriter) {
    w.writeInt32(protocolVersion)
    w.writeInt32(timeOutMs)
    w.writeInt64(sessionID.rawValue)
    w.writeBuffer(passwd)
    if let readOnly { w.writeBool(readOnly) }
  }
}
