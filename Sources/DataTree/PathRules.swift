#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// ZooKeeper's path rules (`PathUtils.validatePath`), applied where ZooKeeper's server applies them.
///
/// This helper should move to ZooKeeperWire once that target exposes a public path-validation
/// function; it is internal here so that nothing outside DataTree depends on its spelling.
enum PathRules {
  /// Whether `path` is a valid znode path, exactly as ZooKeeper's `PathUtils.validatePath`:
  /// starts with `/`, no trailing `/` except the root, no empty component, no `.` or `..`
  /// component, and none of the characters ZooKeeper forbids (examined per UTF-16 code unit, as
  /// Java does, so characters outside the BMP are refused as surrogates).
  static func isValid(_ path: String) -> Bool {
    var path = path
    // Nearly every path is ASCII, whose UTF-8 bytes are its UTF-16 code units: check those in
    // place rather than transcoding into a new array.
    let ascii = path.withUTF8 { bytes -> Bool? in
      bytes.allSatisfy { $0 < 0x80 } ? isValid(units: bytes) : nil
    }
    return ascii ?? isValid(units: Array(path.utf16))
  }

  /// `isValid` of a path given as UTF-8 bytes, which must also be valid UTF-8.
  static func isValid(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    if bytes.allSatisfy({ $0 < 0x80 }) { return isValid(units: bytes) }
    guard let path = String(validating: bytes, as: UTF8.self) else { return false }
    return isValid(path)
  }

  private static func isValid<Units: RandomAccessCollection>(units: Units) -> Bool
  where Units.Element: FixedWidthInteger, Units.Index == Int {
    guard let first = units.first, UInt16(first) == slash else { return false }
    let count = units.count
    let start = units.startIndex
    if count == 1 { return true }
    func unit(_ i: Int) -> UInt16 { UInt16(units[start + i]) }
    if unit(count - 1) == slash { return false }
    var last = slash
    var i = 1
    while i < count {
      let c = unit(i)
      defer {
        last = c
        i += 1
      }
      if c == 0 { return false }
      if c == slash && last == slash { return false }
      if c == dot && last == dot {
        if unit(i - 2) == slash && (i + 1 == count || unit(i + 1) == slash) { return false }
      } else if c == dot {
        if unit(i - 1) == slash && (i + 1 == count || unit(i + 1) == slash) { return false }
      } else if (c > 0 && c <= 0x1F) || (c >= 0x7F && c <= 0x9F) || (c >= 0xD800 && c <= 0xF8FF)
        || c >= 0xFFF0
      {
        return false
      }
    }
    return true
  }

  /// The parent of `path` as ZooKeeper computes it (`path.substring(0, lastIndexOf('/'))`), with
  /// the root spelled `/` rather than ZooKeeper's internal empty key. Nil when `path` has no `/`
  /// or holds a NUL character, which ZooKeeper refuses with BADARGUMENTS before any lookup.
  static func parent(of path: String) -> String? {
    let utf8 = path.utf8
    if utf8.contains(0) { return nil }
    guard let lastSlash = utf8.lastIndex(of: UInt8(ascii: "/")) else { return nil }
    if lastSlash == utf8.startIndex { return "/" }
    return String(path[path.startIndex..<lastSlash])
  }

  /// The last component of `path` (the child name under its parent).
  static func name(of path: String) -> Substring {
    guard let lastSlash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return Substring(path) }
    return path[path.utf8.index(after: lastSlash)...]
  }

  /// `parent + "/" + name`, minding the root.
  static func join(_ parent: String, _ name: some StringProtocol) -> String {
    parent == "/" ? "/" + name : parent + "/" + name
  }

  /// Paths ZooKeeper will not let a client delete (`ZKDatabase.isSpecialPath`).
  static func isSpecial(_ path: String) -> Bool {
    path == "/" || path == "/zookeeper" || path == "/zookeeper/quota" || path == "/zookeeper/config"
  }

  /// Byte-wise order of paths: the same on every replica and every Swift version, and a parent
  /// always sorts before its descendants.
  static func precedes(_ a: String, _ b: String) -> Bool {
    // Native Swift strings are contiguous UTF-8, so this compares raw bytes; the fallback covers
    // bridged or lazily decoded strings.
    let fast = a.utf8.withContiguousStorageIfAvailable { pa in
      b.utf8.withContiguousStorageIfAvailable { pb in precedes(bytes: pa, pb) }
    }
    if let result = fast ?? nil { return result }
    return a.utf8.lexicographicallyPrecedes(b.utf8)
  }

  /// `precedes` for paths given as UTF-8 bytes.
  static func precedes(bytes a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
    let common = min(a.count, b.count)
    if common > 0, let ba = a.baseAddress, let bb = b.baseAddress {
      let order = memcmp(ba, bb, common)
      if order != 0 { return order < 0 }
    }
    return a.count < b.count
  }

  private static let slash = UInt16(UInt8(ascii: "/"))
  private static let dot = UInt16(UInt8(ascii: "."))
}
