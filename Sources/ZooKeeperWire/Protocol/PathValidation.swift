/// Checks a znode path as ZooKeeper's `PathUtils.validatePath`; throws `invalidPath` with
/// ZooKeeper's wording (the server answers `badArguments`, the Java client throws).
///
/// Rules: starts with "/"; does not end with "/" (except the root); no empty component; no
/// "." or ".." component; no character in U+0000–U+001F, U+007F–U+009F, U+D800–U+F8FF or
/// U+FFF0–U+FFFF. ZooKeeper checks UTF-16 code units, so a character outside the BMP (a
/// surrogate pair) is rejected too. Positions in messages count UTF-16 code units, as Java.
/// For a sequential create pass `isSequential: true`: as ZooKeeper, the path is checked with
/// a suffix appended, so a prefix ending in "/" is allowed.
public func validatePath(_ path: String, isSequential: Bool = false) throws(JuteError) {
  if isSequential {
    return try validatePathUnits(path, checked: path + "1")
  }
  try validatePathUnits(path, checked: path)
}

private func validatePathUnits(_ original: String, checked path: String) throws(JuteError) {
  func reject(_ reason: String) -> JuteError { .invalidPath(path: original, reason: reason) }
  var scalars = path.unicodeScalars.makeIterator()
  guard let first = scalars.next() else { throw reject("Path length must be > 0") }
  guard first == "/" else { throw reject("Path must start with / character") }
  var position = 1
  var componentLength = 0
  var componentIsDots = true
  var last: Unicode.Scalar = first
  while let scalar = scalars.next() {
    defer {
      position += scalar.utf16.count
      last = scalar
    }
    if scalar == "/" {
      if componentLength == 0 { throw reject("empty node name specified @\(position)") }
      if componentIsDots && componentLength <= 2 {
        throw reject("relative paths not allowed @\(position - 1)")
      }
      componentLength = 0
      componentIsDots = true
      continue
    }
    let v = scalar.value
    if v == 0 { throw reject("null character not allowed @\(position)") }
    if v <= 0x1f || (0x7f...0x9f).contains(v) || (0xd800...0xf8ff).contains(v)
      || (0xfff0...0xffff).contains(v) || v > 0xffff
    {
      throw reject("invalid character @\(position)")
    }
    componentLength += 1
    if scalar != "." { componentIsDots = false }
  }
  if position == 1 { return }
  if last == "/" { throw reject("Path must not end with / character") }
  if componentIsDots && componentLength <= 2 {
    throw reject("relative paths not allowed @\(position - 1)")
  }
}
