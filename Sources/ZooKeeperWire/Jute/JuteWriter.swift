/// Appends jute's binary encoding (big-endian, length-prefixed) to a byte array.
///
/// As ZooKeeper's `BinaryOutputArchive`: ints and longs are big-endian two's complement,
/// strings and buffers carry an int32 length (-1 for null), vectors an int32 count.
public struct JuteWriter: Sendable {
  /// Everything written so far.
  public private(set) var bytes: [UInt8]

  /// Number of bytes written so far.
  public var count: Int { bytes.count }

  /// Hands out the bytes written so far and leaves the writer empty (no copy).
  public mutating func takeBytes() -> [UInt8] {
    let written = bytes
    bytes = []
    return written
  }

  /// Forgets the bytes written, keeping the buffer's capacity for the next batch.
  public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

  /// Appends bytes verbatim (a record encoded elsewhere).
  public mutating func writeRaw(_ raw: some Sequence<UInt8>) { bytes.append(contentsOf: raw) }

  /// An empty writer whose buffer can hold `capacity` bytes before growing.
  public init(reservingCapacity capacity: Int = 64) {
    bytes = []
    bytes.reserveCapacity(capacity)
  }

  /// A jute `byte`.
  public mutating func writeByte(_ value: UInt8) { bytes.append(value) }

  /// A jute `boolean`: 0x01 for true, 0x00 for false.
  public mutating func writeBool(_ value: Bool) { bytes.append(value ? 1 : 0) }

  /// A jute `int`: 4 bytes, big-endian two's complement.
  public mutating func writeInt32(_ value: Int32) {
    // Byte appends inline to a capacity check each; cheaper than a generic bulk append
    // for 4 bytes.
    let v = UInt32(bitPattern: value)
    bytes.append(UInt8(truncatingIfNeeded: v >> 24))
    bytes.append(UInt8(truncatingIfNeeded: v >> 16))
    bytes.append(UInt8(truncatingIfNeeded: v >> 8))
    bytes.append(UInt8(truncatingIfNeeded: v))
  }

  /// A jute `long`: 8 bytes, big-endian two's complement.
  public mutating func writeInt64(_ value: Int64) {
    writeInt32(Int32(truncatingIfNeeded: value >> 32))
    writeInt32(Int32(truncatingIfNeeded: value))
  }

  /// A jute `buffer`; nil is written as length -1.
  public mutating func writeBuffer(_ value: [UInt8]?) {
    guard let value else { return writeInt32(-1) }
    precondition(value.count <= Int32.max, "jute buffer over 2 GiB")
    writeInt32(Int32(value.count))
    bytes.append(contentsOf: value)
  }

  /// A jute `ustring`; nil is written as length -1.
  public mutating func writeString(_ value: String?) {
    guard var text = value else { return writeInt32(-1) }
    text.withUTF8 { utf8 in
      precondition(utf8.count <= Int32.max, "jute ustring over 2 GiB")
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

  /// A record, fields in declaration order.
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
  /// Appends the record's fields in wire order.
  func encode(to writer: inout JuteWriter)
}

/// A value decodable from jute binary encoding, never trapping on hostile bytes.
public protocol JuteDecodable {
  /// Reads the record's fields in wire order; throws a typed error on malformed bytes.
  init(from reader: inout JuteReader) throws(JuteError)
}

/// A record of ZooKeeper's jute schema: encodable and decodable.
public typealias JuteRecord = JuteEncodable & JuteDecodable

extension JuteEncodable {
  /// The record's encoding alone, without a frame length.
  public func juteBytes() -> [UInt8] {
    var writer = JuteWriter()
    encode(to: &writer)
    return writer.bytes
  }
}
