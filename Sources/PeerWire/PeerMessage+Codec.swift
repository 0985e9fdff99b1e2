import RaftCore

extension PeerMessage {
  /// Bytes of a frame's length prefix.
  public static let frameHeaderBytes = 4

  /// The default bound on a frame (kind byte plus body): 64 MiB, above the largest Raft append or
  /// snapshot chunk Grove sends.
  public static let defaultFrameBytesMax = 64 << 20

  /// This message as one frame: length, kind byte, body.
  public func encodedFrame() -> [UInt8] {
    var writer = PeerWireWriter(capacity: 64 + approximateBodyBytes)
    encode(into: &writer)
    return writer.bytes
  }

  /// Appends this message as one frame to `writer`.
  public func encode(into writer: inout PeerWireWriter) {
    writer.writeFrame(kind: kind) { body in
      switch self {
      case .hello(let hello): hello.encodeBody(into: &body)
      case .raft(let message): message.encodePeerWireBody(into: &body)
      case .forward(let forwarded):
        body.writeUInt64(forwarded.from.rawValue)
        body.writeBytes(forwarded.payload)
      case .sessionActivity(let sessionIDs):
        body.writeCount(sessionIDs.count)
        for sessionID in sessionIDs { body.writeInt64(sessionID) }
      }
    }
  }

  /// Decodes the body of a frame of kind byte `kind`, which must fill the reader exactly.
  /// - Throws: `PeerWireError` for an unknown kind, a truncated or overlong body, or a bad field.
  public static func decode(
    kind: UInt8, body reader: inout PeerWireReader
  ) throws(PeerWireError) -> PeerMessage {
    guard let kind = PeerMessageKind(rawValue: kind) else { throw .unknownMessageKind(kind) }
    let message: PeerMessage
    switch kind {
    case .hello:
      message = .hello(try PeerHello(decodingBody: &reader))
    case .raft:
      message = .raft(try Message(decodingPeerWireBody: &reader))
    case .forward:
      let from = NodeID(try reader.readUInt64())
      message = .forward(ForwardedCommands(from: from, payload: try reader.readBytes(field: "payload")))
    case .sessionActivity:
      let count = try reader.readCount(elementBytesMin: 8, field: "sessionActivity")
      var sessionIDs: [Int64] = []
      sessionIDs.reserveCapacity(count)
      for _ in 0..<count { sessionIDs.append(try reader.readInt64()) }
      message = .sessionActivity(sessionIDs)
    }
    try reader.expectEnd()
    return message
  }

  /// Decodes `bytes`, which must hold exactly one whole frame.
  /// - Throws: `PeerWireError` as `PeerFrameDecoder` does, or `trailingBytes`/`truncated` when
  ///   `bytes` is not exactly one frame.
  public static func decodeFrame(
    _ bytes: [UInt8], frameBytesMax: Int = PeerMessage.defaultFrameBytesMax
  ) throws(PeerWireError) -> PeerMessage {
    var decoder = PeerFrameDecoder(frameBytesMax: frameBytesMax)
    decoder.append(bytes)
    guard let message = try decoder.next() else {
      throw .truncated(needed: decoder.bytesWanted, available: bytes.count)
    }
    if decoder.bufferedBytes > 0 { throw .trailingBytes(count: decoder.bufferedBytes) }
    return message
  }

  /// An estimate of the body's size, for reserving buffers and for size bounds.
  public var approximateBodyBytes: Int {
    switch self {
    case .hello: 22
    case .raft(let message): message.sizeBytes
    case .forward(let forwarded): 12 + forwarded.payload.count
    case .sessionActivity(let sessionIDs): 4 + 8 * sessionIDs.count
    }
  }
}

extension PeerHello {
  /// Bytes of a version-1 hello body.
  static let bodyBytes = 4 + 2 + 8 + 8

  func encodeBody(into writer: inout PeerWireWriter) {
    for byte in PeerHello.magic { writer.writeUInt8(byte) }
    writer.writeUInt16(protocolVersion)
    writer.writeUInt64(clusterID)
    writer.writeUInt64(nodeID.rawValue)
  }

  /// Reads a hello body; fields a later version appended are skipped (see the type's comment).
  init(decodingBody reader: inout PeerWireReader) throws(PeerWireError) {
    for byte in PeerHello.magic {
      guard try reader.readUInt8() == byte else { throw .badMagic }
    }
    let version = try reader.readUInt16()
    guard version != 0 else { throw .invalidProtocolVersion(version) }
    let clusterID = try reader.readUInt64()
    let nodeID = NodeID(try reader.readUInt64())
    // Version 1 bodies end here; a later version's extra fields are not ours to judge.
    if version > PeerHello.currentProtocolVersion { try reader.skip(reader.remaining) }
    self.init(protocolVersion: version, clusterID: clusterID, nodeID: nodeID)
  }
}
