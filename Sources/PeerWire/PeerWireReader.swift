/// Reads PeerWire's big-endian encoding from a range of a byte array, bounds-checked at every step.
///
/// Nothing is allocated before its length has been checked against the bytes actually left, so a
/// hostile count cannot make the reader reserve more memory than the frame it came in.
public struct PeerWireReader: Sendable {
  /// The bytes being read (only `offset..<end` is looked at).
  public let bytes: [UInt8]
  /// The next byte to read.
  public private(set) var offset: Int
  /// One past the last byte the reader may read.
  public let end: Int

  /// A reader over all of `bytes`.
  public init(_ bytes: [UInt8]) {
    self.init(bytes, range: 0..<bytes.count)
  }

  /// A reader over `range` of `bytes`, without copying them.
  public init(_ bytes: [UInt8], range: Range<Int>) {
    precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "reader range outside its bytes")
    self.bytes = bytes
    self.offset = range.lowerBound
    self.end = range.upperBound
  }

  /// Bytes left to read.
  public var remaining: Int { end - offset }

  /// Whether every byte has been read.
  public var isAtEnd: Bool { offset == end }

  private func require(_ count: Int) throws(PeerWireError) {
    if count > end - offset { throw .truncated(needed: count, available: end - offset) }
  }

  /// One byte.
  public mutating func readUInt8() throws(PeerWireError) -> UInt8 {
    try require(1)
    defer { offset += 1 }
    return bytes[offset]
  }

  /// A boolean: 0 or 1; any other byte is `invalidBoolean`.
  public mutating func readBool() throws(PeerWireError) -> Bool {
    let byte = try readUInt8()
    switch byte {
    case 0: return false
    case 1: return true
    default: throw .invalidBoolean(byte)
    }
  }

  /// Two bytes, big-endian.
  public mutating func readUInt16() throws(PeerWireError) -> UInt16 {
    UInt16(try readBigEndian(byteCount: 2))
  }

  /// Four bytes, big-endian.
  public mutating func readUInt32() throws(PeerWireError) -> UInt32 {
    UInt32(try readBigEndian(byteCount: 4))
  }

  /// Eight bytes, big-endian.
  public mutating func readUInt64() throws(PeerWireError) -> UInt64 {
    try readBigEndian(byteCount: 8)
  }

  /// Eight bytes, big-endian two's complement.
  public mutating func readInt64() throws(PeerWireError) -> Int64 {
    Int64(bitPattern: try readBigEndian(byteCount: 8))
  }

  /// A count of elements that each take at least `elementBytesMin` bytes; a count the remaining
  /// bytes cannot hold is `lengthOverRemaining` (`field` names it in the error).
  public mutating func readCount(
    elementBytesMin: Int, field: StaticString
  ) throws(PeerWireError) -> Int {
    precondition(elementBytesMin > 0, "an element takes at least one byte")
    let count = try readUInt32()
    guard UInt64(count) * UInt64(elementBytesMin) <= UInt64(remaining) else {
      throw .lengthOverRemaining(field: "\(field)", length: UInt64(count), remaining: remaining)
    }
    return Int(count)
  }

  /// A 4-byte length, then that many bytes.
  public mutating func readBytes(field: StaticString) throws(PeerWireError) -> [UInt8] {
    let count = try readCount(elementBytesMin: 1, field: field)
    defer { offset += count }
    return Array(bytes[offset..<offset + count])
  }

  /// Skips `count` bytes (`count` must be at most `remaining`).
  public mutating func skip(_ count: Int) throws(PeerWireError) {
    try require(count)
    offset += count
  }

  /// Throws `trailingBytes` unless every byte was read.
  public func expectEnd() throws(PeerWireError) {
    if !isAtEnd { throw .trailingBytes(count: remaining) }
  }

  private mutating func readBigEndian(byteCount: Int) throws(PeerWireError) -> UInt64 {
    try require(byteCount)
    var value: UInt64 = 0
    for index in offset..<offset + byteCount { value = value << 8 | UInt64(bytes[index]) }
    offset += byteCount
    return value
  }
}
