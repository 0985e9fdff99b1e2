/// SHA-1 (FIPS 180-4), for ZooKeeper's digest scheme and the tree digest. Pure Swift, no state.
enum SHA1 {
  /// The 20-byte SHA-1 hash of `message`.
  static func hash(_ message: some Collection<UInt8>) -> [UInt8] {
    let bytes = message as? [UInt8] ?? Array(message)
    var state: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0]
    var w = [UInt32](repeating: 0, count: 80)
    let wholeBlocks = bytes.count / 64
    bytes.withUnsafeBufferPointer { input in
      for block in 0..<wholeBlocks {
        compress(UnsafeBufferPointer(rebasing: input[block * 64..<block * 64 + 64]), &state, &w)
      }
    }
    // The tail, the 0x80 marker and the 64-bit bit length, in one or two final blocks.
    var tail = Array(bytes[(wholeBlocks * 64)...])
    tail.append(0x80)
    while tail.count % 64 != 56 { tail.append(0) }
    let bitLength = UInt64(bytes.count) &* 8
    for shift in stride(from: 56, through: 0, by: -8) {
      tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
    }
    tail.withUnsafeBufferPointer { input in
      for block in 0..<(tail.count / 64) {
        compress(UnsafeBufferPointer(rebasing: input[block * 64..<block * 64 + 64]), &state, &w)
      }
    }
    var out: [UInt8] = []
    out.reserveCapacity(20)
    for word in state {
      out.append(UInt8(truncatingIfNeeded: word >> 24))
      out.append(UInt8(truncatingIfNeeded: word >> 16))
      out.append(UInt8(truncatingIfNeeded: word >> 8))
      out.append(UInt8(truncatingIfNeeded: word))
    }
    return out
  }

  /// One 64-byte block into the five-word state (FIPS 180-4 §6.1.2).
  private static func compress(_ block: UnsafeBufferPointer<UInt8>, _ state: inout [UInt32], _ w: inout [UInt32]) {
    for i in 0..<16 {
      let b = i * 4
      w[i] = UInt32(block[b]) << 24 | UInt32(block[b + 1]) << 16 | UInt32(block[b + 2]) << 8 | UInt32(block[b + 3])
    }
    for i in 16..<80 { w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1) }
    var a = state[0], b = state[1], c = state[2], d = state[3], e = state[4]
    for i in 0..<80 {
      let f: UInt32
      let k: UInt32
      if i < 20 {
        (f, k) = ((b & c) | (~b & d), 0x5A82_7999)
      } else if i < 40 {
        (f, k) = (b ^ c ^ d, 0x6ED9_EBA1)
      } else if i < 60 {
        (f, k) = ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC)
      } else {
        (f, k) = (b ^ c ^ d, 0xCA62_C1D6)
      }
      let t = rotl(a, 5) &+ f &+ e &+ k &+ w[i]
      e = d
      d = c
      c = rotl(b, 30)
      b = a
      a = t
    }
    state[0] &+= a
    state[1] &+= b
    state[2] &+= c
    state[3] &+= d
    state[4] &+= e
  }

  private static func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { x << n | x >> (32 - n) }
}

/// Standard base64 with padding (RFC 4648 §4), as Java's `Base64.getEncoder()`.
enum Base64 {
  static func encode(_ bytes: [UInt8]) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var out: [UInt8] = []
    out.reserveCapacity((bytes.count + 2) / 3 * 4)
    var i = 0
    while i < bytes.count {
      let b0 = UInt32(bytes[i])
      let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
      let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
      let v = b0 << 16 | b1 << 8 | b2
      out.append(alphabet[Int(v >> 18 & 63)])
      out.append(alphabet[Int(v >> 12 & 63)])
      out.append(i + 1 < bytes.count ? alphabet[Int(v >> 6 & 63)] : UInt8(ascii: "="))
      out.append(i + 2 < bytes.count ? alphabet[Int(v & 63)] : UInt8(ascii: "="))
      i += 3
    }
    return String(decoding: out, as: UTF8.self)
  }
}
