import Checksums
import Persistence
import Testing

@Suite("CRC-32C")
struct CRC32CTests {
  @Test("matches the published check value for \"123456789\"")
  func checkValue() {
    #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
  }

  @Test("matches the RFC 3720 (iSCSI) test vectors")
  func iscsiVectors() {
    #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
    #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
    #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
    #expect(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }) == 0x113F_DB5C)
  }

  @Test("the CPU instruction and the tables agree, at every length and alignment")
  func hardwareMatchesTables() {
    let bytes = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
    bytes.withUnsafeBytes { raw in
      for start in 0..<9 {
        for end in stride(from: start, through: raw.count, by: 7) {
          let slice = UnsafeRawBufferPointer(rebasing: raw[start..<end])
          #expect(CRC32C.checksum(slice, seed: 0x1234_5678) == CRC32C.tableChecksum(slice, seed: 0x1234_5678))
        }
      }
    }
  }

  @Test("of nothing is zero")
  func empty() {
    #expect(CRC32C.checksum([]) == 0)
  }

  @Test("continues across pieces: crc(a + b) == crc(b, seed: crc(a)), at every split")
  func incremental() {
    let bytes = (0..<100).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
    let whole = CRC32C.checksum(bytes)
    for split in 0...bytes.count {
      let first = CRC32C.checksum(Array(bytes[..<split]))
      #expect(CRC32C.checksum(Array(bytes[split...]), seed: first) == whole)
    }
  }
}
