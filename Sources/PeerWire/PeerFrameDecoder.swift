/// Cuts a peer link's byte stream into messages: feed chunks as they arrive, take messages.
///
/// Each frame is a 4-byte big-endian length N, then N bytes: a kind byte and the kind's body.
/// The length is checked against `frameBytesMax` as soon as its four bytes are in, before the body
/// is awaited or anything is allocated for it, so a hostile length costs nothing. Errors are sticky:
/// once a stream is found bad, every later call throws the same error (the link must be closed).
///
/// Memory: the decoder holds what was fed and not yet taken. Taking every available message after
/// each `append` keeps at most one frame plus one chunk buffered.
public struct PeerFrameDecoder: Sendable {
  /// The largest frame accepted (kind byte plus body).
  public let frameBytesMax: Int

  private var buffer: [UInt8] = []
  private var readOffset = 0
  private var failure: PeerWireError?

  /// Drained buffers above this capacity are released, so one large frame does not pin memory on
  /// an otherwise idle link.
  private static let retainedCapacityMax = 256 * 1024

  /// A decoder accepting frames of up to `frameBytesMax` bytes.
  public init(frameBytesMax: Int = PeerMessage.defaultFrameBytesMax) {
    precondition(frameBytesMax > 0, "peer frame bound must be positive, got \(frameBytesMax)")
    self.frameBytesMax = frameBytesMax
  }

  /// Bytes fed and not yet returned in a message.
  public var bufferedBytes: Int { buffer.count - readOffset }

  /// The size (header included) of the next frame when its length is known, else the header's.
  public var bytesWanted: Int {
    guard let length = peekLength() else { return PeerMessage.frameHeaderBytes }
    return PeerMessage.frameHeaderBytes + Int(clamping: length)
  }

  /// The error that ended this stream, if one did.
  public var error: PeerWireError? { failure }

  /// Feeds bytes as they arrived, in any split.
  public mutating func append(_ chunk: some Sequence<UInt8>) {
    buffer.append(contentsOf: chunk)
  }

  /// The next complete message, or nil until more bytes arrive.
  /// - Throws: `PeerWireError` when the stream is bad (hostile length, unknown kind, malformed body);
  ///   the error is sticky.
  public mutating func next() throws(PeerWireError) -> PeerMessage? {
    if let failure { throw failure }
    do {
      return try decodeNext()
    } catch {
      failure = error
      throw error
    }
  }

  private mutating func decodeNext() throws(PeerWireError) -> PeerMessage? {
    guard let length = peekLength() else { return nil }
    if length == 0 { throw .frameEmpty }
    guard length <= UInt64(frameBytesMax) else {
      throw .frameLengthOverBound(length: length, bound: frameBytesMax)
    }
    let frameLength = Int(length)
    guard bufferedBytes - PeerMessage.frameHeaderBytes >= frameLength else { return nil }
    let kindOffset = readOffset + PeerMessage.frameHeaderBytes
    let end = kindOffset + frameLength
    let message = try Self.decodeFrame(buffer, kindOffset: kindOffset, end: end)
    readOffset = end
    compact()
    return message
  }

  /// Decodes one frame's kind and body in place. A separate function so that the reader's
  /// reference to `buffer` is gone before `compact()` mutates it (which would otherwise copy it).
  private static func decodeFrame(
    _ buffer: [UInt8], kindOffset: Int, end: Int
  ) throws(PeerWireError) -> PeerMessage {
    var reader = PeerWireReader(buffer, range: kindOffset + 1..<end)
    return try PeerMessage.decode(kind: buffer[kindOffset], body: &reader)
  }

  private func peekLength() -> UInt64? {
    guard bufferedBytes >= PeerMessage.frameHeaderBytes else { return nil }
    var value: UInt64 = 0
    for index in readOffset..<readOffset + PeerMessage.frameHeaderBytes {
      value = value << 8 | UInt64(buffer[index])
    }
    return value
  }

  /// Drops consumed bytes: all at once when drained, else when they are most of the buffer, so
  /// each byte is moved at most a constant number of times.
  private mutating func compact() {
    if readOffset == buffer.count {
      if buffer.capacity > Self.retainedCapacityMax {
        buffer = []
      } else {
        buffer.removeAll(keepingCapacity: true)
      }
      readOffset = 0
    } else if readOffset >= 4096 && readOffset * 2 >= buffer.count {
      buffer.removeFirst(readOffset)
      readOffset = 0
    }
  }
}
