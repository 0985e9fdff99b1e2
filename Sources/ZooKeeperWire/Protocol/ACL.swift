/// Permission bits of an ACL entry (`ZooDefs.Perms`).
public struct Perms: OptionSet, Hashable, Sendable {
  public var rawValue: Int32
  public init(rawValue: Int32) { self.rawValue = rawValue }
  public static let read = Perms(rawValue: 1)
  public static let write = Perms(rawValue: 2)
  public static let create = Perms(rawValue: 4)
  public static let delete = Perms(rawValue: 8)
  public static let admin = Perms(rawValue: 16)
  public static let all: Perms = [.read, .write, .create, .delete, .admin]
}

/// An identity under a scheme: `world:anyone`, `digest:user:base64(sha1)`, `ip:10.0.0.0/8`, ...
public struct Id: Hashable, Sendable, JuteRecord, CustomStringConvertible {
  public var scheme: String
  public var id: String
  public init(scheme: String, id: String) {
    self.scheme = scheme
    self.id = id
  }
  public static let anyone = Id(scheme: "world", id: "anyone")
  /// Expands to the creator's authenticated ids when the ACL is set.
  public static let authIds = Id(scheme: "auth", id: "")

  public init(from r: inout JuteReader) throws(JuteError) {
    scheme = try r.readString()
    id = try r.readString()
  }
  public func encode(to w: inout JuteWriter) {
    w.writeString(scheme)
    w.writeString(id)
  }
  public var description: String { "\(scheme):\(id)" }
}

/// One ACL entry: who (`id`) may do what (`perms`).
public struct ACL: Hashable, Sendable, JuteRecord {
  public var perms: Perms
  public var id: Id
  public init(perms: Perms, id: Id) {
    self.perms = perms
    self.id = id
  }
  /// Smallest encoding: perms plus two empty strings.
  public static let minEncodedBytes = 12

  /// `ZooDefs.Ids.OPEN_ACL_UNSAFE`.
  public static let openUnsafe = [ACL(perms: .all, id: .anyone)]
  /// `ZooDefs.Ids.CREATOR_ALL_ACL`.
  public static let creatorAll = [ACL(perms: .all, id: .authIds)]
  /// `ZooDefs.Ids.READ_ACL_UNSAFE`.
  public static let readUnsafe = [ACL(perms: .read, id: .anyone)]

  public init(from r: inout JuteReader) throws(JuteError) {
    perms = Perms(rawValue: try r.readInt32())
    id = try r.read(Id.self)
  }
  public func encode(to w: inout JuteWriter) {
    w.writeInt32(perms.rawValue)
    id.encode(to: &w)
  }
}
