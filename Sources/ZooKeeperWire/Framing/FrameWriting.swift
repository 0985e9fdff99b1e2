/// Framed output: each message is a 4-byte big-endian length followed by its payload.
///
/// Every frame is built in place in the writer's one buffer: a placeholder length is written,
/// then the payload, then the length is patched. Many frames can be appended to one writer
/// and handed to a socket in one write.
extension JuteWriter {
  /// Appends one frame whose payload is whatever `payload` writes.
  public mutating func writeFrame(_ payload: (inout JuteWriter) -> Void) {
    let start = count
    writeInt32(0)
    payload(&self)
    let length = count - start - 4
    precondition(length <= Int32.max, "frame payload over 2 GiB")
    patchInt32(Int32(length), at: start)
  }

  /// Appends a frame holding one bare record: a ConnectRequest or ConnectResponse.
  public mutating func writeFrame(record: some JuteEncodable) {
    writeFrame { w in record.encode(to: &w) }
  }

  /// Appends a reply frame: the header, then `response` (write it only when `header.err` is
  /// `.ok`, or for multi results).
  public mutating func writeReplyFrame(_ header: ReplyHeader, _ response: some JuteEncodable) {
    writeFrame { w in
      header.encode(to: &w)
      response.encode(to: &w)
    }
  }

  /// Appends a reply frame with no record: errors, delete, ping, auth, setWatches, ...
  public mutating func writeReplyFrame(_ header: ReplyHeader) {
    writeFrame { w in header.encode(to: &w) }
  }

  /// Appends a watch notification: ReplyHeader(xid -1, `zxid`, ok) and the event.
  /// ZooKeeper 3.8 sends zxid -1; 3.9 the zxid of the change that fired the watch.
  public mutating func writeNotificationFrame(_ event: WatcherEvent, zxid: Zxid) {
    writeReplyFrame(ReplyHeader(xid: .notification, zxid: zxid, err: .ok), event)
  }

  /// Appends a request frame: RequestHeader(`xid`, the request's op code) and its body.
  public mutating func writeRequestFrame(xid: Xid, _ request: ClientRequest) {
    writeFrame { w in
      RequestHeader(xid: xid, opCode: request.opCode).encode(to: &w)
      request.encode(to: &w)
    }
  }
}

/// One-frame conveniences over `JuteWriter`'s framing.
public enum Frame {
  /// The framed bytes of a bare record (connect request or response).
  public static func record(_ record: some JuteEncodable) -> [UInt8] {
    var w = JuteWriter()
    w.writeFrame(record: record)
    return w.takeBytes()
  }

  /// The framed bytes of a reply with a record.
  public static func reply(_ header: ReplyHeader, _ response: some JuteEncodable) -> [UInt8] {
    var w = JuteWriter(reservingCapacity: 128)
    w.writeReplyFrame(header, response)
    return w.takeBytes()
  }

  /// The framed bytes of a reply without a record.
  public static func reply(_ header: ReplyHeader) -> [UInt8] {
    var w = JuteWriter(reservingCapacity: 20)
    w.writeReplyFrame(header)
    return w.takeBytes()
  }

  /// The framed bytes of a watch notification.
  public static func notification(_ event: WatcherEvent, zxid: Zxid) -> [UInt8] {
    var w = JuteWriter(reservingCapacity: 32 + event.path.utf8.count)
    w.writeNotificationFrame(event, zxid: zxid)
    return w.takeBytes()
  }

  /// The framed bytes of a request.
  public static func request(xid: Xid, _ request: ClientRequest) -> [UInt8] {
    var w = JuteWriter(reservingCapacity: 64)
    w.writeRequestFrame(xid: xid, request)
    return w.takeBytes()
  }
}
