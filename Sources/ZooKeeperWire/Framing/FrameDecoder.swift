/// Cuts a byte stream into frames: feed arbitrary chunks, take complete payloads.
///
/// Each frame is a 4-byte big-endian signed length N and N payload bytes. As ZooKeeper's
/// server, N < 0 or N > `frameBytesMax` (`jute.maxbuffer`, default 0xfffff) is an error, and
/// the connection must be closed; the error is sticky, so later calls throw it again.
///
/// Memory: the decoder holds at most what was fed and not yet taken. Take every available
/// frame after each `append` and at most one frame (plus one chunk) stays buffered.
public struct FrameDecoder: Sendable {
  /// ZooKeeper's default `jute.maxbuffer`.
  public static let defaultFrameBytesMax = 0xfffff

  /// The largest payload accepted.
  public let frameBytesMax: Int

  private var buffer: [UInt8] = []
  private var readOffset = 0
  private var failure: JuteError?

  /// Buffers above this capacity are released once drained, so one large frame does not pin
  /// memory on an otherwise idle connection.
  private static let retainedCapacityMax = 64 * 1024

  /// A decoder accepting payloads up to `frameBytesMax` bytes.
  public init(frameBytesMax: Int = FrameDecoder.defaultFrameBytesMax) {
    precondition(frameBytesMax >= 0, "negative frame bound")
    self.frameBytesMax = frameBytesMax
  }

  /// Bytes fed and not yet returned in a frame.
  public var bufferedBytes: Int { buffer.count - readOffset }

  /// Feeds bytes as they arrived from the socket, in any split.
  public mutating func append(_ chunk: some Sequence<UInt8>) {
    buffer.append(contentsOf: chunk)
  }

  /// Feeds bytes straight from a read buffer (one copy, no per-byte generic calls).
  public mutating func append(_ chunk: UnsafeRawBufferPointer) {
    buffer.append(contentsOf: chunk)
  }

  /// Feeds bytes from an array.
  public mutating func append(_ chunk: [UInt8]) {
    buffer.append(contentsOf: chunk)
  }

  /// Feeds bytes from an array slice.
  public mutating func append(_ chunk: ArraySlice<UInt8>) {
    buffer.append(contentsOf: chunk)
  }

  /// The next four buffered bytes as a big-endian int, if four are buffered, without
  /// consuming them: the length prefix, or on a fresh connection a four-letter word.
  public func peekInt32() -> Int32? {
    guard bufferedBytes >= 4 else { return nil }
    return Self.int32(buffer, at: readOffset)
  }

  /// The next complete frame's payload, or nil until more bytes arrive.
  ///
  /// Throws `frameLengthNegative` or `frameLengthOverBound` when the length prefix is hostile.
  public mutating func nextFrame() throws(JuteError) -> [UInt8]? {
    if let failure { throw failure }
    guard let rawLength = peekInt32() else { return nil }
    if rawLength < 0 {
      failure = .frameLengthNegative(rawLength)
      throw .frameLengthNegative(rawLength)
    }
    let length = Int(rawLength)
    if length > frameBytesMax {
      failure = .frameLengthOverBound(length: length, bound: frameBytesMax)
      throw .frameLengthOverBound(length: length, bound: frameBytesMax)
    }
    guard bufferedBytes - 4 >= length else { return nil }
    let start = readOffset + 4
    let payload = Array(buffer[start..<start + length])
    readOffset = start + length
    compact()
    return payload
  }

  /// Drops consumed bytes: all at once when drained, else when they are most of the buffer
  /// (so each byte is moved at most a constant number of times).
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

  private static func int32(_ bytes: [UInt8], at offset: Int) -> Int32 {
    var v: UInt32 = 0
    for i in 0..<4 { v = v << 8 | UInt32(bytes[offset + i]) }
    return Int32(bitPattern: v)
  }
}
