/// Appends PeerWire's big-endian encoding to one growing buffer.
///
/// Many frames can be written into one writer and handed to a socket in one write; each frame's
/// length is patched in place once its body is written.
public struct PeerWireWriter: Sendable {
  /// The bytes written so far.
  public private(set) var bytes: [UInt8]

  /// An empty writer, reserving `capacity` bytes.
  public init(capacity: Int = 256) {
    bytes = []
    bytes.reserveCapacity(capacity)
  }

  /// Bytes written so far.
  public var count: Int { bytes.count }

  /// One byte.
  public mutating func writeUInt8(_ value: UInt8) { bytes.append(value) }

  /// A boolean as one byte, 0 or 1.
  public mutating func writeBool(_ value: Bool) { bytes.append(value ? 1 : 0) }

  /// Two bytes, big-endian.
  public mutating func writeUInt16(_ value: UInt16) {
    bytes.append(UInt8(truncatingIfNeeded: value >> 8))
    bytes.append(UInt8(truncatingIfNeeded: value))
  }

  /// Four bytes, big-endian.
  public mutating func writeUInt32(_ value: UInt32) {
    for shift in stride(from: 24, through: 0, by: -8) {
      bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
    }
  }

  /// Eight bytes, big-endian.
  public mutating func writeUInt64(_ value: UInt64) {
    for shift in stride(from: 56, through: 0, by: -8) {
      bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
    }
  }

  /// Eight bytes, big-endian two's complement.
  public mutating func writeInt64(_ value: Int64) { writeUInt64(UInt64(bitPattern: value)) }

  /// A 4-byte length, then the bytes. Traps past 4 GiB, which no frame bound allows.
  public mutating func writeBytes(_ value: [UInt8]) {
    writeCount(value.count)
    bytes.append(contentsOf: value)
  }

  /// A 4-byte count of the elements that follow.
  public mutating func writeCount(_ count: Int) {
    precondition(count <= Int(UInt32.max), "peer wire field of \(count) elements over 4 Gi")
    writeUInt32(UInt32(count))
  }

  /// Appends one frame whose kind is `kind` and whose body is whatever `body` writes.
  public mutating func writeFrame(kind: PeerMessageKind, _ body: (inout PeerWireWriter) -> Void) {
    let start = bytes.count
    writeUInt32(0)
    writeUInt8(kind.rawValue)
    body(&self)
    let length = bytes.count - start - 4
    precondition(length <= Int(UInt32.max), "peer frame of \(length) bytes over 4 GiB")
    let value = UInt32(length)
    bytes[start] = UInt8(truncatingIfNeeded: value >> 24)
    bytes[start + 1] = UInt8(truncatingIfNeeded: value >> 16)
    bytes[start + 2] = UInt8(truncatingIfNeeded: value >> 8)
    bytes[start + 3] = UInt8(truncatingIfNeeded: value)
  }
}
