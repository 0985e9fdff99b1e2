import ZooKeeperWire

/// Bytes from a hex string; whitespace is ignored. Test input only: traps on bad hex.
func hexBytes(_ hex: String) -> [UInt8] {
  let digits = hex.filter { !$0.isWhitespace }.utf8.map { c -> UInt8 in
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
    default: preconditionFailure("not a hex digit: \(c)")
    }
  }
  precondition(digits.count % 2 == 0, "odd number of hex digits")
  return stride(from: 0, to: digits.count, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
}

/// Lower-case hex of bytes.
func hexString(_ bytes: some Sequence<UInt8>) -> String {
  let digits = Array("0123456789abcdef".utf8)
  var out: [UInt8] = []
  for b in bytes {
    out.append(digits[Int(b >> 4)])
    out.append(digits[Int(b & 0xf)])
  }
  return String(decoding: out, as: UTF8.self)
}

/// Decodes a record that must fill `bytes` exactly.
func decodeExactly<T: JuteDecodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> T {
  var reader = JuteReader(bytes)
  let value = try T(from: &reader)
  try reader.expectEnd()
  return value
}

/// A Stat whose every field differs, so a field swap cannot go unnoticed.
let sampleStat = Stat(
  czxid: Zxid(0x0102_0304_0506_0708), mzxid: Zxid(2), ctime: 1_700_000_000_123,
  mtime: 1_700_000_000_456, version: 3, cversion: 4, aversion: 5,
  ephemeralOwner: 0x7fff_0000_0000_0001, dataLength: 6, numChildren: 7, pzxid: Zxid(8))
