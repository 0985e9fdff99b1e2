/// Appends jute's binary encoding (big-endian, length-prefixed) to a byte array.
///
/// As ZooKeeper's `BinaryOutputArchive`: ints and longs are big-endian two's complement,
/// strings and buffers carry an int32 length (-1 for null), vectors an int32 count.
public struct JuteWriter: Sendable {
  public private(set) var bytes: [UInt8]

  public init(reservingCapacity capacity: Int = 64) {
    bytes = []
    bytes.reserveCapacity(capacity)
  }

  public mutating func writeByte(_ value: UInt8) { bytes.append(value) }

  public mutating func writeBool(_ value: Bool) { bytes.append(value ? 1 : 0) }

  public mutating func writeInt32(_ value: Int32) {
    let v = UInt32(bitPattern: value)
    bytes.append(UInt8(truncatingIfNeeded: v >> 24))
    bytes.append(UInt8(truncatingIfNeeded: v >> 16))
    bytes.append(UInt8(truncatingIfNeeded: v >> 8))
    bytes.append(UInt8(truncatingIfNeeded: v))
  }

  public mutating func writeInt64(_ value: Int64) {
    let v = UInt64(bitPattern: value)
    var shift: UInt64 = 56
    while true {
      bytes.append(UInt8(truncatingIfNeeded: v >> shift))
      if shift == 0 { break }
      shift -= 8
    }
  }

  /// A jute `buffer`; nil is written as length -1.
  public mutating func writeBuffer(_ value: [UInt8]?) {
    guard let value else { return writeInt32(-1) }
    writeInt32(Int32(value.count))
    bytes.append(contentsOf: value)
  }

  /// A jute `ustring`; nil is written as length -1.
  public mutating func writeString(_ value: String?) {
    guard var text = value else { return writeInt32(-1) }
    text.withUTF8 { utf8 in
      writeInt32(Int32(utf8.count))
      bytes.append(contentsOf: utf8)
    }
  }

  /// A jute `vector<ustring>`; nil is written as count -1.
  public mutating func writeStrings(_ values: [String]?) {
    guard let values else { return writeInt32(-1) }
    writeInt32(Int32(values.count))
    for value in values { writeString(value) }
  }

  /// A jute `vector<T>` of records.
  public mutating func writeVector<T: JuteEncodable>(_ values: [T]?) {
    guard let values else { return writeInt32(-1) }
    writeInt32(Int32(values.count))
    for value in values { value.encode(to: &self) }
  }

  public mutating func write<T: JuteEncodable>(_ record: T) { record.encode(to: &self) }

  /// Overwrites four bytes at `offset` with a big-endian int32: used to patch a frame length.
  public mutating func patchInt32(_ value: Int32, at offset: Int) {
    precondition(offset >= 0 && offset + 4 <= bytes.count, "patch outside the written bytes")
    let v = UInt32(bitPattern: value)
    bytes[offset] = UInt8(truncatingIfNeeded: v >> 24)
    bytes[offset + 1] = UInt8(truncatingIfNeeded: v >> 16)
    bytes[offset + 2] = UInt8(truncatingIfNeeded: v >> 8)
    bytes[offset + 3] = UInt8(truncatingIfNeeded: v)
  }
}

/// A value with a jute binary encoding.
public protocol JuteEncodable {
  func encode(to writer: inout JuteWriter)
}

/// A value decodable from jute binary encoding, never trapping on hostile bytes.
public protocol JuteDecodable {
  init(from reader: inout JuteReader) throws(JuteError)
}

public typealias JuteRecord = JuteEncodable & JuteDecodable

extension JuteEncodable {
  /// The record's encoding alone, without a frame length.
  public func juteBytes() -> [UInt8] {
    var writer = JuteWriter()
    encode(to: &writer)
    return writer.bytes
  }
}
