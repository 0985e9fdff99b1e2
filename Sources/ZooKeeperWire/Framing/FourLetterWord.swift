/// ZooKeeper's four-letter-word admin commands, recognised on a connection's first 4 bytes.
///
/// As ZooKeeper's NIOServerCnxn: before the handshake, the first four bytes read as a
/// big-endian int are compared with these codes (the ASCII of the word, e.g. `ruok` =
/// 0x72756F6B); on a match the server writes plain text and closes. Raw values are the codes.
public enum FourLetterWord: Int32, Sendable, CaseIterable, CustomStringConvertible {
  case conf = 0x636f_6e66
  case cons = 0x636f_6e73
  case crst = 0x6372_7374
  case dirs = 0x6469_7273
  case dump = 0x6475_6d70
  case envi = 0x656e_7669
  case gtmk = 0x6774_6d6b
  case ruok = 0x7275_6f6b
  case stmk = 0x7374_6d6b
  case srvr = 0x7372_7672
  case srst = 0x7372_7374
  case stat = 0x7374_6174
  case wchc = 0x7763_6863
  case wchp = 0x7763_6870
  case wchs = 0x7763_6873
  case mntr = 0x6d6e_7472
  case isro = 0x6973_726f
  case hash = 0x6861_7368

  /// The telnet "interrupt process" sequence (IAC IP IAC DO) that ZooKeeper also recognises
  /// on a fresh connection: it closes the connection without an answer.
  public static let telnetCloseCode: Int32 = Int32(bitPattern: 0xfff4_fffd)

  /// The word for a connection's first four bytes, or nil if they are not a known word.
  public init?(firstBytes: some Collection<UInt8>) {
    guard firstBytes.count >= 4 else { return nil }
    var v: UInt32 = 0
    for byte in firstBytes.prefix(4) { v = v << 8 | UInt32(byte) }
    self.init(rawValue: Int32(bitPattern: v))
  }

  /// The word as text, e.g. "ruok".
  public var description: String {
    let v = UInt32(bitPattern: rawValue)
    let bytes = [UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)]
    return String(decoding: bytes, as: UTF8.self)
  }
}
