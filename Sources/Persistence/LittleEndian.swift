// Little-endian fixed-width integers in byte buffers: the only integer encoding on disk.

extension Array where Element == UInt8 {
  mutating func appendLittleEndian(_ value: UInt16) {
    append(UInt8(truncatingIfNeeded: value))
    append(UInt8(truncatingIfNeeded: value >> 8))
  }
  mutating func appendLittleEndian(_ value: UInt32) {
    append(UInt8(truncatingIfNeeded: value))
    append(UInt8(truncatingIfNeeded: value >> 8))
    append(UInt8(truncatingIfNeeded: value >> 16))
    append(UInt8(truncatingIfNeeded: value >> 24))
  }
  mutating func appendLittleEndian(_ value: UInt64) {
    appendLittleEndian(UInt32(truncatingIfNeeded: value))
    appendLittleEndian(UInt32(truncatingIfNeeded: value >> 32))
  }
  /// Overwrites four bytes at `offset` (used to fill in a checksum after the bytes it covers).
  mutating func storeLittleEndian(_ value: UInt32, at offset: Int) {
    self[offset] = UInt8(truncatingIfNeeded: value)
    self[offset + 1] = UInt8(truncatingIfNeeded: value >> 8)
    self[offset + 2] = UInt8(truncatingIfNeeded: value >> 16)
    self[offset + 3] = UInt8(truncatingIfNeeded: value >> 24)
  }
}

extension UnsafeRawBufferPointer {
  /// The little-endian integer at `offset`; the caller has checked the bounds.
  func littleEndianUInt16(at offset: Int) -> UInt16 {
    UInt16(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
  }
  func littleEndianUInt32(at offset: Int) -> UInt32 {
    UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
  }
  func littleEndianUInt64(at offset: Int) -> UInt64 {
    UInt64(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
  }

  /// The offset just past the last non-zero byte (0 if all bytes are zero). Pre-allocated segment
  /// space is zero, so this is where written data ends unless something wrote garbage after it.
  func endOfNonZero() -> Int {
    var end = count
    while end >= 8, loadUnaligned(fromByteOffset: end - 8, as: UInt64.self) == 0 { end -= 8 }
    while end > 0, self[end - 1] == 0 { end -= 1 }
    return end
  }
}

/// A bounds-checked cursor over bytes that never traps on short or hostile input.
struct ByteCursor {
  let bytes: UnsafeRawBufferPointer
  var offset: Int
  let end: Int

  init(_ bytes: UnsafeRawBufferPointer, from offset: Int, to end: Int) {
    self.bytes = bytes
    self.offset = offset
    self.end = end
  }

  var remaining: Int { end - offset }

  mutating func uint8() -> UInt8? {
    guard remaining >= 1 else { return nil }
    defer { offset += 1 }
    return bytes[offset]
  }
  mutating func uint16() -> UInt16? {
    guard remaining >= 2 else { return nil }
    defer { offset += 2 }
    return bytes.littleEndianUInt16(at: offset)
  }
  mutating func uint32() -> UInt32? {
    guard remaining >= 4 else { return nil }
    defer { offset += 4 }
    return bytes.littleEndianUInt32(at: offset)
  }
  mutating func uint64() -> UInt64? {
    guard remaining >= 8 else { return nil }
    defer { offset += 8 }
    return bytes.littleEndianUInt64(at: offset)
  }
  mutating func bytes(_ count: Int) -> [UInt8]? {
    guard count >= 0, remaining >= count else { return nil }
    defer { offset += count }
    return Array(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count]))
  }
}

extension Array where Element == UInt8 {
  /// `withUnsafeBytes` for a body with typed throws (the standard one only rethrows `any Error`).
  func withBytes<Result>(
    _ body: (UnsafeRawBufferPointer) throws(PersistenceError) -> Result
  ) throws(PersistenceError) -> Result {
    let outcome: Swift.Result<Result, PersistenceError> = withUnsafeBytes { raw in
      Swift.Result { () throws(PersistenceError) -> Result in try body(raw) }
    }
    return try outcome.get()
  }
}
