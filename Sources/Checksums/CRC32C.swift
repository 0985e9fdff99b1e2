import CChecksums

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): the CPU's instruction when it has one
/// (SSE 4.2, several times faster), slicing-by-8 tables otherwise.
///
/// Used for every write-ahead log record, segment header, snapshot file and tree snapshot. `checksum(b, seed: checksum(a))`
/// equals `checksum(a + b)`, so a record's checksum can be computed over discontiguous parts.
public enum CRC32C {
  /// Eight 256-entry tables, flat: table k at `k * 256`.
  static let tables: [UInt32] = {
    var t = [UInt32](repeating: 0, count: 8 * 256)
    for i in 0..<256 {
      var crc = UInt32(i)
      for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
      t[i] = crc
    }
    for k in 1..<8 {
      for i in 0..<256 {
        let previous = t[(k - 1) * 256 + i]
        t[k * 256 + i] = (previous >> 8) ^ t[Int(previous & 0xFF)]
      }
    }
    return t
  }()

  /// The CRC-32C of `bytes`, continuing from `seed` (the checksum of the bytes before them).
  /// Whether the CPU's CRC-32C instruction is used.
  public static let usesHardware = grove_crc32c_hardware_available() != 0

  public static func checksum(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
    guard let base = bytes.baseAddress else { return seed }
    if usesHardware { return ~grove_crc32c_update(~seed, base, bytes.count) }
    return tableChecksum(bytes, seed: seed)
  }

  /// The table-driven computation (also what tests compare the instruction against).
  public static func tableChecksum(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
    guard var p = bytes.baseAddress else { return seed }
    var crc = ~seed
    var n = bytes.count
    tables.withUnsafeBufferPointer { t in
      while n >= 8 {
        let word = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)) ^ UInt64(crc)
        crc =
          t[7 * 256 + Int(word & 0xFF)] ^ t[6 * 256 + Int((word >> 8) & 0xFF)]
          ^ t[5 * 256 + Int((word >> 16) & 0xFF)] ^ t[4 * 256 + Int((word >> 24) & 0xFF)]
          ^ t[3 * 256 + Int((word >> 32) & 0xFF)] ^ t[2 * 256 + Int((word >> 40) & 0xFF)]
          ^ t[1 * 256 + Int((word >> 48) & 0xFF)] ^ t[Int(word >> 56)]
        p += 8
        n -= 8
      }
      while n > 0 {
        crc = t[Int((crc ^ UInt32(p.load(as: UInt8.self))) & 0xFF)] ^ (crc >> 8)
        p += 1
        n -= 1
      }
    }
    return ~crc
  }

  /// The CRC-32C of `bytes`, continuing from `seed`.
  public static func checksum(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
    bytes.withUnsafeBytes { checksum($0, seed: seed) }
  }

  /// The CRC-32C of `bytes[range]`, continuing from `seed`.
  public static func checksum(_ bytes: UnsafeRawBufferPointer, range: Range<Int>, seed: UInt32 = 0) -> UInt32 {
    checksum(UnsafeRawBufferPointer(rebasing: bytes[range]), seed: seed)
  }
}
