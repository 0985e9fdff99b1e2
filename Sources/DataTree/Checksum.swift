/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the snapshot's checksum.
enum CRC32C {
  private static let table: [UInt32] = (0..<256).map { (n: UInt32) -> UInt32 in
    var c = n
    for _ in 0..<8 { c = c & 1 != 0 ? 0x82F6_3B78 ^ (c >> 1) : c >> 1 }
    return c
  }

  /// The CRC-32C of `bytes`.
  static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    let table = CRC32C.table
    for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
    return crc ^ 0xFFFF_FFFF
  }
}

/// A deterministic hash of a tree's content (nodes with data, ACLs and Stat, and sessions), the
/// same on every replica that applied the same commands: SHA-1 of the canonical encoding.
public struct TreeDigest: Hashable, Sendable, CustomStringConvertible {
  /// The 20 digest bytes.
  public let bytes: [UInt8]

  /// Lowercase hex.
  public var description: String {
    let hex = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for b in bytes {
      out.append(hex[Int(b >> 4)])
      out.append(hex[Int(b & 15)])
    }
    return String(decoding: out, as: UTF8.self)
  }
}
