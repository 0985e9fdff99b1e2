import ZooKeeperWire

/// What a znode's `ephemeralOwner` says it is (ZooKeeper's `EphemeralType`).
public enum NodeKind: Hashable, Sendable {
  /// ephemeralOwner 0.
  case persistent
  /// Owned by a session; deleted when it closes.
  case ephemeral(SessionID)
  /// ephemeralOwner `Int64.min`; reaped when empty after having had children.
  case container
  /// Top byte 0xFF, time to live in the low 40 bits; reaped when empty and unmodified for that long.
  case ttl(ms: Int64)

  /// `ephemeralOwner` of a container, as ZooKeeper (`0x8000000000000000`).
  public static let containerOwner = Int64.min
  /// ZooKeeper's largest TTL: 2^40 - 1 ms.
  public static let ttlMsMax: Int64 = (1 << 40) - 1
  private static let extendedMask: UInt64 = 0xFF00_0000_0000_0000

  /// Decodes an `ephemeralOwner`. TTL encoding is recognised only when extended types are
  /// enabled, as ZooKeeper: otherwise such a value is an ordinary session id.
  public init(ephemeralOwner owner: Int64, extendedTypesEnabled: Bool) {
    if owner == 0 {
      self = .persistent
    } else if owner == NodeKind.containerOwner {
      self = .container
    } else if extendedTypesEnabled && UInt64(bitPattern: owner) & NodeKind.extendedMask == NodeKind.extendedMask {
      self = .ttl(ms: owner & NodeKind.ttlMsMax)
    } else {
      self = .ephemeral(SessionID(owner))
    }
  }

  /// The `ephemeralOwner` value that encodes this kind.
  public var ephemeralOwner: Int64 {
    switch self {
    case .persistent: return 0
    case .ephemeral(let session): return session.rawValue
    case .container: return NodeKind.containerOwner
    case .ttl(let ms): return Int64(bitPattern: NodeKind.extendedMask | UInt64(ms & NodeKind.ttlMsMax))
    }
  }

  /// Whether a TTL is in ZooKeeper's accepted range (1 ... 2^40 - 1 ms).
  public static func isValidTTL(_ ms: Int64) -> Bool { ms > 0 && ms <= ttlMsMax }
}
