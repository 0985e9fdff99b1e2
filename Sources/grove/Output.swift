import Foundation
import ZooKeeperWire

/// Formats results for people (default) or scripts (`--json`).
struct Output {
  var json: Bool

  func emit(_ object: [String: Any], human: String) {
    if json {
      let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
      print(String(decoding: data, as: UTF8.self))
    } else if !human.isEmpty {
      print(human)
    }
  }

  static func stat(_ stat: Stat) -> [String: Any] {
    [
      "czxid": stat.czxid.rawValue, "mzxid": stat.mzxid.rawValue, "ctime": stat.ctime, "mtime": stat.mtime,
      "version": stat.version, "cversion": stat.cversion, "aversion": stat.aversion,
      "ephemeralOwner": stat.ephemeralOwner, "dataLength": stat.dataLength, "numChildren": stat.numChildren,
      "pzxid": stat.pzxid.rawValue,
    ]
  }

  static func statText(_ stat: Stat) -> String {
    """
    czxid = \(stat.czxid)
    ctime = \(date(stat.ctime))
    mzxid = \(stat.mzxid)
    mtime = \(date(stat.mtime))
    pzxid = \(stat.pzxid)
    cversion = \(stat.cversion)
    dataVersion = \(stat.version)
    aclVersion = \(stat.aversion)
    ephemeralOwner = 0x\(String(UInt64(bitPattern: stat.ephemeralOwner), radix: 16))
    dataLength = \(stat.dataLength)
    numChildren = \(stat.numChildren)
    """
  }

  static func date(_ ms: Int64) -> String {
    let formatter = ISO8601DateFormatter()
    return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
  }

  /// Data as a JSON field: text when it is UTF-8, else base64.
  static func data(_ bytes: [UInt8]) -> [String: Any] {
    if let text = String(validating: bytes, as: UTF8.self) { return ["data": text] }
    return ["dataBase64": Data(bytes).base64EncodedString()]
  }
}
