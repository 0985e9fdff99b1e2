import DataTree
import Testing
import ZooKeeperWire

/// Bytes written by format version 1, kept so that later versions must still read them.
@Suite("Format version 1 fixtures")
struct FixtureTests {
  static let command = Command(
    timeMs: 0x0102_0304_0506, origin: Origin(session: SessionID(0x42), connection: 0x0001_0000_0000_0003, xid: Xid(7), authIds: [Id(scheme: "ip", id: "127.0.0.1")]),
    operation: .multi([
      .create(CreateOperation(path: "/f", data: [0xAB], acl: ACL.openUnsafe, flags: 1, ttlMs: -1, opCode: .create)),
      .check(path: "/f", version: 0),
    ]))

  static let commandHex =
    "01" + "0000010203040506" + "0000000000000042" + "01" + "0001000000000003" + "01" + "00000007"
    + "00000001" + "00000002" + "6970" + "00000009" + "3132372e302e302e31"
    + "08" + "00000002"
    + "01" + "00000002" + "2f66" + "00000001" + "ab" + "00000001" + "0000001f" + "00000005" + "776f726c64"
    + "00000006" + "616e796f6e65" + "00000001" + "ffffffffffffffff" + "00000001"
    + "04" + "00000002" + "2f66" + "00000000"

  @Test("a version 1 command encodes to and decodes from its fixture bytes")
  func commandFixture() throws {
    let bytes = try #require(FixtureTests.bytes(hex: FixtureTests.commandHex))
    #expect(FixtureTests.command.encoded() == bytes)
    #expect(try Command(decoding: bytes) == FixtureTests.command)
  }

  @Test("a fresh tree's version 1 snapshot matches its fixture bytes, which decode to a fresh tree")
  func freshSnapshot() throws {
    let fixture = try #require(FixtureTests.bytes(hex: FixtureTests.freshSnapshotHex))
    #expect(DataTree().snapshot() == fixture)
    let restored = try DataTree(snapshot: fixture)
    restored.checkInvariants()
    #expect(restored.digest() == DataTree().digest())
    #expect(restored.digest().description == "8bd63912efd699e944825d2cc710d36d2e5fd677")
  }

  /// `DataTree().snapshot()` as format version 1 writes it.
  static let freshSnapshotHex = "4752565300000001000000000000000000000002000000010000001f00000005776f726c6400000006616e796f6e6500" +
    "0000010000000100000005776f726c6400000006616e796f6e650000000000000004000000012f000000000000000000" +
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" +
    "00000000000000000000000000000a2f7a6f6f6b65657065720000000000000000000000000000000000000000000000" +
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" +
    "112f7a6f6f6b65657065722f636f6e666967000000000000000100000000000000000000000000000000000000000000" +
    "00000000000000000000000000000000000000000000000000000000000000000000ffffffff000000102f7a6f6f6b65" +
    "657065722f71756f74610000000000000000000000000000000000000000000000000000000000000000000000000000" +
    "000000000000000000000000000000000000000000000000000000000000ee5d474a"

  static func bytes(hex: String) -> [UInt8]? {
    let chars = Array(hex.utf8)
    guard chars.count % 2 == 0 else { return nil }
    var out: [UInt8] = []
    for i in stride(from: 0, to: chars.count, by: 2) {
      guard let byte = UInt8(String(decoding: chars[i...i + 1], as: UTF8.self), radix: 16) else { return nil }
      out.append(byte)
    }
    return out
  }
}
