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
