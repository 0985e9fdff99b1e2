/// Creates a znode (`proto.CreateRequest`): the body of create (1), create2 (15) and
/// createContainer (19).
///
/// `flags` stays raw: an undefined mode is not a decoding error but a `badArguments` answer,
/// as ZooKeeper. `data` is nil when the client sent a null buffer (length -1, as the Java
/// client and zkCli do for a node created without data); ZooKeeper keeps that null.
public struct CreateRequest: Hashable, Sendable, JuteRecord {
  /// The path to create (the prefix, for sequential modes).
  public var path: String
  /// The node's data; nil for a null buffer.
  public var data: [UInt8]?
  /// The node's ACL.
  public var acl: [ACL]
  /// The raw `CreateMode` value.
  public var flags: Int32

  /// A request with every field given.
  public init(path: String, data: [UInt8]?, acl: [ACL], flags: Int32) {
    self.path = path
    self.data = data
    self.acl = acl
    self.flags = flags
  }

  /// A request for a known mode.
  public init(path: String, data: [UInt8]?, acl: [ACL], mode: CreateMode) {
    self.init(path: path, data: data, acl: acl, flags: mode.rawValue)
  }

  /// The mode, or nil if `flags` is not one ZooKeeper defines (answer `badArguments`).
  public var createMode: CreateMode? { CreateMode(rawValue: flags) }

  public init(from r: inout JuteReader) throws(JuteError) {
    path = try r.readString()
    data = try r.readOptionalBuffer()
    acl = try r.readVector(of: ACL.self, minElementBytes: ACL.minEncodedBytes)
    flags = try r.readInt32()
  }

  public func encode(to w: inout JuteWriter) {
    w.writeString(path)
    w.writeBuffer(data)
    w.writeVector(acl)
    w.writeInt32(flags)
  }
}

/// Creates a TTL znode (`proto.CreateTTLRequest`), op createTTL (21).
///
/// Needs `zookeeper.extendedTypesEnabled`; ZooKeeper answers `badArguments` for a TTL that is
/// not in 1...2^40-1 ms or a mode that is not a TTL mode.
public struct CreateTTLRequest: Hashable, Sendable, JuteRecord {
  /// The path to create (the prefix, for the sequential mode).
  public var path: String
  /// The node's data; nil for a null buffer.
  public var data: [UInt8]?
  /// The node's ACL.
  public var acl: [ACL]
  /// The raw `CreateMode` value (5 or 6 are valid).
  public var flags: Int32
  /// Time to live in milliseconds after the last change while childless.
  public var ttlMs: Int64

  /// A request with every field given.
  public init(path: String, data: [UInt8]?, acl: [ACL], flags: Int32, ttlMs: Int64) {
    self.path = path
    self.data = data
    self.acl = acl
    self.flags = flags
    self.ttlMs = ttlMs
  }

  /// The mode, or nil if `flags` is not one ZooKeeper defines.
  public var createMode: CreateMode? { CreateMode(rawValue: flags) }

  public init(from r: inout JuteReader) throws(JuteError) {
    path = try r.readString()
    data = try r.readOptionalBuffer()
    acl = try r.readVector(of: ACL.self, minElementBytes: ACL.minEncodedBytes)
    flags = try r.readInt32()
    ttlMs = try r.readInt64()
  }

  public func encode(to w: inout JuteWriter) {
    w.writeString(path)
    w.writeBuffer(data)
    w.writeVector(acl)
    w.writeInt32(flags)
    w.writeInt64(ttlMs)
  }
}

/// The reply to create (1) (`proto.CreateResponse`).
public struct CreateResponse: Hashable, Sendable, JuteRecord {
  /// The path actually created, including any sequence suffix.
  public var path: String

  /// A response naming the created path.
  public init(path: String) { self.path = path }

  public init(from r: inout JuteReader) throws(JuteError) { path = try r.readString() }
  public func encode(to w: inout JuteWriter) { w.writeString(path) }
}

/// The reply to create2, createContainer and createTTL (`proto.Create2Response`).
public struct Create2Response: Hashable, Sendable, JuteRecord {
  /// The path actually created, including any sequence suffix.
  public var path: String
  /// The new node's Stat.
  public var stat: Stat

  /// A response with every field given.
  public init(path: String, stat: Stat) {
    self.path = path
    self.stat = stat
  }

  public init(from r: inout JuteReader) throws(JuteError) {
    path = try r.readString()
    stat = try r.read(Stat.self)
  }

  public func encode(to w: inout JuteWriter) {
    w.writeString(path)
    stat.encode(to: &w)
  }
}

/// Deletes a znode (`proto.DeleteRequest`), op delete (2).
public struct DeleteRequest: Hashable, Sendable, JuteRecord {
  /// The node to delete.
  public var path: String
  /// The expected data version; -1 matches any.
  public var version: Int32

  /// A request with every field given.
  public init(path: String, version: Int32 = -1) {
    self.path = path
    self.version = version
  }

  public init(from r: inout JuteReader) throws(JuteError) {
    path = try r.readString()
    version = try r.readInt32()
  }

  public func encode(to w: inout JuteWriter) {
    w.writeString(path)
    w.writeInt32(version)
  }
}

/// Checks a node's data version, normally inside a multi (`proto.CheckVersionRequest`), op 13.
public struct CheckVersionRequest: Hashable, Sendable, JuteRecord {
  /// The node to check.
  public var path: String
  /// The expected data version; -1 matches any.
  public var version: Int32

  /// A request with every field given.
  public init(path: String, version: Int32) {
    self.path = path
    self.version = version
  }

  public init(from r: inout JuteReader) throws(JuteError) {
    path = try r.readString()
    version = try r.readInt32()
  }

  public func encode(to w: inout JuteWriter) {
    w.writeString(path)
    w.writeInt32(version)
  }
}

/// Replaces a node's data (`proto.SetDataRequest`), op setData (5).
public struct SetDataRequest: Hashable, Sendable, JuteRecord {
  /// The node to change.
  public var path: String
  /// The new data; nil for a null buffer (ZooKeeper keeps the null).
  public var data: [UInt8]?
  /// The expected data version; -1 matches any.
  public var version: Int32

  /// A request with every field given.
  public init(path: String, data: [UInt8]?, version: Int32 = -1) {
    self.path = path
    self.data = data
    self.version = version
  }

  public init(from r: inout JuteReader) throws(JuteError) {
    path = try r.readString()
    data = try r.readOptionalBuffer()
    version = try r.readInt32()
  }

  public func encode(to w: inout JuteWriter) {
    w.writeString(path)
    w.writeBuffer(data)
    w.writeInt32(version)
  }
}

/// Replaces a node's ACL (`proto.SetACLRequest`), op setACL (7).
public struct SetACLRequest: Hashable, Sendable, JuteRecord {
  /// The node to change.
  public var path: String
  /// The new ACL.
  public var acl: [ACL]
  /// The expected ACL version (`aversion`); -1 matches any.
  public var version: Int32

  /// A request with every field given.
  public init(path: String, acl: [ACL], version: Int32 = -1) {
    self.path = path
    self.acl = acl
    self.version = version
  }

  public init(from r: inout JuteReader) throws(JuteError) {
    path = try r.readString()
    acl = try r.readVector(of: ACL.self, minElementBytes: ACL.minEncodedBytes)
    version = try r.readInt32()
  }

  public func encode(to w: inout JuteWriter) {
    w.writeString(path)
    w.writeVector(acl)
    w.writeInt32(version)
  }
}

/// A Stat alone: the reply to setData (`proto.SetDataResponse`), also check (13) standalone.
public struct SetDataResponse: Hashable, Sendable, JuteRecord {
  /// The node's Stat after the change.
  public var stat: Stat

  /// A response carrying `stat`.
  public init(stat: Stat) { self.stat = stat }

  public init(from r: inout JuteReader) throws(JuteError) { stat = try r.read(Stat.self) }
  public func encode(to w: inout JuteWriter) { stat.encode(to: &w) }
}

/// The reply to setACL (`proto.SetACLResponse`).
public struct SetACLResponse: Hashable, Sendable, JuteRecord {
  /// The node's Stat after the change.
  public var stat: Stat

  /// A response carrying `stat`.
  public init(stat: Stat) { self.stat = stat }

  public init(from r: inout JuteReader) throws(JuteError) { stat = try r.read(Stat.self) }
  public func encode(to w: inout JuteWriter) { stat.encode(to: &w) }
}
