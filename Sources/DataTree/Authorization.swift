import ZooKeeperWire

/// ZooKeeper's ACL rules: which ids an ACL grants to, how a new ACL list is checked and expanded
/// (`PrepRequestProcessor.fixupACL`), and the `digest` and `ip` schemes' matching.
///
/// Authentication itself (turning an auth packet into ids) is per-connection state the server
/// keeps; the leader stamps the requester's ids into each `Command`, and reads pass them in.
public enum Authorization {
  /// The `digest` scheme's id for clear-text credentials `user:password`, as ZooKeeper's
  /// `DigestAuthenticationProvider.generateDigest`: `user:` + base64(SHA-1(`user:password`)).
  public static func digest(_ credentials: String) -> String {
    let user = credentials.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)[0]
    return user + ":" + Base64.encode(SHA1.hash(Array(credentials.utf8)))
  }

  /// The id that grants every permission (`super:`), which ZooKeeper adds to a connection whose
  /// digest credentials match the configured super digest.
  public static let superId = Id(scheme: "super", id: "")

  /// Whether ids of this scheme count as "authenticated" for the `auth` ACL scheme, as each
  /// ZooKeeper provider's `isAuthenticated()` (ip does not; digest, sasl and x509 do).
  public static func isAuthenticatedScheme(_ scheme: String) -> Bool {
    scheme == "digest" || scheme == "sasl" || scheme == "x509"
  }

  /// Whether `ids` may do any of `perms` on a node with `acl`, as ZooKeeper's
  /// `ZooKeeperServer.checkACL`: an empty ACL allows all, `super` allows all, `world:anyone`
  /// matches everyone, otherwise an id of the ACL's scheme must match under that scheme's rule.
  public static func isAllowed(_ perms: Perms, acl: [ACL], ids: [Id]) -> Bool {
    if acl.isEmpty { return true }
    if ids.contains(where: { $0.scheme == "super" }) { return true }
    for entry in acl where !entry.perms.intersection(perms).isEmpty {
      let id = entry.id
      if id.scheme == "world" && id.id == "anyone" { return true }
      for candidate in ids where candidate.scheme == id.scheme {
        if matches(scheme: id.scheme, candidate: candidate.id, aclExpression: id.id) { return true }
      }
    }
    return false
  }

  /// Whether `id` is a well-formed id of a scheme this server knows, as the providers'
  /// `isValid`: `world` only `anyone`, `digest` exactly two `:`-separated parts (Java
  /// `split(":")` semantics), `ip` an address with an optional `/bits` prefix length.
  public static func isValidACLId(_ id: Id) -> Bool {
    switch id.scheme {
    case "world": return id.id == "anyone"
    case "digest": return javaSplitCount(id.id, separator: ":") == 2
    case "ip": return IPAddress.parsePattern(id.id) != nil
    default: return false
    }
  }

  /// `fixupACL`: removes duplicates, refuses an empty list or an invalid id (INVALIDACL), and
  /// expands each `auth` entry into one entry per authenticated id of the requester (INVALIDACL
  /// when it has none).
  static func fixup(_ acl: [ACL], ids: [Id]) -> Result<[ACL], ErrorCode> {
    var unique: [ACL] = []
    for entry in acl where !unique.contains(entry) { unique.append(entry) }
    if unique.isEmpty { return .failure(.invalidACL) }
    var result: [ACL] = []
    for entry in unique {
      if entry.id.scheme == "world" && entry.id.id == "anyone" {
        result.append(entry)
      } else if entry.id.scheme == "auth" {
        var expanded = false
        for id in ids where isAuthenticatedScheme(id.scheme) {
          expanded = true
          result.append(ACL(perms: entry.perms, id: id))
        }
        if !expanded { return .failure(.invalidACL) }
      } else {
        if !isValidACLId(entry.id) { return .failure(.invalidACL) }
        result.append(entry)
      }
    }
    return .success(result)
  }

  /// The ACL as `getACL` shows it to a reader without ADMIN: digest hashes replaced by `x`, as
  /// ZooKeeper's FinalRequestProcessor (`user:x`).
  static func redacted(_ acl: [ACL]) -> [ACL] {
    acl.map { entry in
      guard entry.id.scheme == "digest" else { return entry }
      let user = entry.id.id.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)[0]
      return ACL(perms: entry.perms, id: Id(scheme: "digest", id: user + ":x"))
    }
  }

  private static func matches(scheme: String, candidate: String, aclExpression: String) -> Bool {
    switch scheme {
    case "ip": return IPAddress.matches(address: candidate, pattern: aclExpression)
    default: return candidate.utf8.elementsEqual(aclExpression.utf8)  // Java equals, not canonical equivalence
    }
  }

  /// The number of parts Java's `String.split(sep)` returns (trailing empty parts dropped).
  private static func javaSplitCount(_ s: String, separator: Character) -> Int {
    var parts = s.split(separator: separator, omittingEmptySubsequences: false)
    while parts.count > 1, parts.last?.isEmpty == true { parts.removeLast() }
    if parts.count == 1 && parts[0].isEmpty { return 1 }
    return parts.count
  }
}

/// The `ip` scheme: IPv4 and IPv6 addresses with prefix masks, as `IPAuthenticationProvider`.
enum IPAddress {
  /// Parses `addr` or `addr/bits`; nil when the address or the prefix length is invalid.
  static func parsePattern(_ pattern: String) -> (bytes: [UInt8], bits: Int)? {
    let parts = pattern.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
    guard let bytes = parse(String(parts[0])) else { return nil }
    var bits = bytes.count * 8
    if parts.count == 2 {
      guard let b = Int(parts[1]), b >= 0, b <= bytes.count * 8 else { return nil }
      bits = b
    }
    return (bytes, bits)
  }

  /// Whether `address` lies within `pattern` (`addr/bits`).
  static func matches(address: String, pattern: String) -> Bool {
    guard let (aclBytes, bits) = parsePattern(pattern), let remote = parse(address),
      remote.count == aclBytes.count
    else { return false }
    return mask(remote, bits) == mask(aclBytes, bits)
  }

  static func parse(_ text: String) -> [UInt8]? {
    text.contains(":") ? parseV6(text) : parseV4(text)
  }

  private static func mask(_ bytes: [UInt8], _ bits: Int) -> [UInt8] {
    var out = bytes
    for i in out.indices {
      let keep = max(0, min(8, bits - i * 8))
      out[i] &= keep == 8 ? 0xFF : ~(UInt8(0xFF) >> UInt8(keep))
    }
    return out
  }

  /// `text` split at every `::`, without Foundation.
  private static func splitOnDoubleColon(_ text: String) -> [String] {
    let chars = Array(text.utf8)
    var parts: [String] = []
    var start = 0
    var i = 0
    while i + 1 < chars.count {
      if chars[i] == UInt8(ascii: ":") && chars[i + 1] == UInt8(ascii: ":") {
        parts.append(String(decoding: chars[start..<i], as: UTF8.self))
        i += 2
        start = i
      } else {
        i += 1
      }
    }
    parts.append(String(decoding: chars[start...], as: UTF8.self))
    return parts
  }

  private static func parseV4(_ text: String) -> [UInt8]? {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 4 else { return nil }
    var out: [UInt8] = []
    for part in parts {
      guard let v = Int(part), v >= 0, v <= 255 else { return nil }
      out.append(UInt8(v))
    }
    return out
  }

  private static func parseV6(_ text: String) -> [UInt8]? {
    let halves = splitOnDoubleColon(text)
    guard halves.count <= 2 else { return nil }
    func groups(_ s: String) -> [UInt16]? {
      if s.isEmpty { return [] }
      var out: [UInt16] = []
      for g in s.split(separator: ":", omittingEmptySubsequences: false) {
        guard g.count >= 1, g.count <= 4, let v = UInt16(g, radix: 16) else { return nil }
        out.append(v)
      }
      return out
    }
    guard let head = groups(halves[0]) else { return nil }
    var words = head
    if halves.count == 2 {
      guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return nil }
      words += [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
    }
    guard words.count == 8 else { return nil }
    return words.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
  }
}
