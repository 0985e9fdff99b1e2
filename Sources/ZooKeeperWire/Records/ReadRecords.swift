/// Stats a node and optionally arms an exist watch (`proto.ExistsRequest`), op exists (3).
public struct ExistsRequest: Hashable, Sendable, JuteRecord {
  /// The node to look at.
  public var path: String
  /// Arm a one-shot exist watch (even when the node is absent).
  public var watch: Bool

  /// A request with every field given.
  public init(path: String, watch: Bool = false) {
    self.path = path
    self.watch = watch
  }

  public init(from r: inout JuteReader) throws(JuteError) {
    path = try r.readString()
    watch = try r.readBool()
  }

  public func encode(to w: inout JuteWriter) {
    w.writeString(path)
    w.writeBool(watch)
  }
}

/// The reply to exists (`proto.ExistsResponse`); an absent node is `noNode` with no body.
public struct ExistsResponse: Hashable, Sendable, JuteRecord {
  /// The node's Stat.
  public var stat: Stat

  /// A response carrying `stat`.
  public init(stat: Stat) { self.stat = stat }

  public init(from r: inout JuteReader) throws(JuteError) { stat = try r.read(Stat.self) }
  public func encode(to w: inout JuteWriter) { stat.encode(to: &w) }
}

/// Reads a node's data and optionally arms a data watch (`proto.GetDataRequest`), op 4.
public struct GetDataRequest: Hashable, Sendable, JuteRecord {
  /// The node to read.
  public var path: String
  /// Arm a one-shot data watch.
  public var watch: Bool

  /// A request with every field given.
  public init(path: String, watch: Bool = false) {
    self.path = path
    self.watch = watch
  }

  public init(from r: inout JuteReader) throws(JuteError) {
    path = try r.readString()
    watch = try r.readBool()
  }

  public func encode(to w: inout JuteWriter) {
    w.writeString(path)
    w.writeBool(watch)
  }
}

/// The reply to getData and reconfig (`proto.GetDataResponse`).
public struct GetDataResponse: Hashable, Sendable, JuteRecord {
  /// The node's data; nil when the node holds a null buffer (ZooKeeper sends length -1).
  public var data: [UInt8]?
  /// The node's Stat.
  public var stat: Stat

  /// A response with every field given.
  public init(data: [UInt8]?, stat: Stat) {
    self.data = data
    self.stat = stat
  }

  public init(from r: inout JuteReader) throws(JuteError) {
    data = try r.readOptionalBuffer()
    stat = try r.read(Stat.self)
  }

  public func encode(to w: inout JuteWriter) {
    w.writeBuffer(data)
    stat.encode(to: &w)
  }
}

/// Reads a node's ACL (`proto.GetACLRequest`), op getACL (6).
public struct GetACLRequest: Hashable, Sendable, JuteRecord {
  /// The node to read.
  public var path: String

  /// A request for `path`.
  public init(path: String) { self.path = path }

  public init(from r: inout JuteReader) throws(JuteError) { path = try r.readString() }
  public func encode(to w: inout JuteWriter) { w.writeString(path) }
}

/// The reply to getACL (`proto.GetACLResponse`).
public struct GetACLResponse: Hashable, Sendable, JuteRecord {
  /// The node's ACL.
  public var acl: [ACL]
  /// The node's Stat.
  public var stat: Stat

  /// A response with every field given.
  public init(acl: [ACL], stat: Stat) {
    self.acl = acl
    self.stat = stat
  }

  public init(from r: inout JuteReader) throws(JuteError) {
    acl = try r.readVector(of: ACL.self, minElementBytes: ACL.minEncodedBytes)
    stat = try r.read(Stat.self)
  }

  public func encode(to w: inout JuteWriter) {
    w.writeVector(acl)
    stat.encode(to: &w)
  }
}

/// Lists a node's children and optionally arms a child watch (`proto.GetChildrenRequest`), op 8.
public struct GetChildrenRequest: Hashable, Sendable, JuteRecord {
  /// The parent node.
  public var path: String
  /// Arm a one-shot child watch.
  public var watch: Bool

  /// A request with every field given.
  public init(path: String, watch: Bool = false) {
    self.path = path
    self.watch = watch
  }

  public init(from r: inout JuteReader) throws(JuteError) {
    path = try r.readString()
    watch = try r.readBool()
  }

  public func encode(to w: inout JuteWriter) {
    w.writeString(path)
    w.writeBool(watch)
  }
}

/// The reply to getChildren (`proto.GetChildrenResponse`): child names, not full paths.
public struct GetChildrenResponse: Hashable, Sendable, JuteRecord {
  /// The children's names, in no promised order.
  public var children: [String]

  /// A response listing `children`.
  public init(children: [String]) { self.children = children }

  public init(from r: inout JuteReader) throws(JuteError) { children = try r.readStrings() }
  public func encode(to w: inout JuteWriter) { w.writeStrings(children) }
}

/// As getChildren, with the parent's Stat in the reply (`proto.GetChildren2Request`), op 12.
public struct GetChildren2Request: Hashable, Sendable, JuteRecord {
  /// The parent node.
  public var path: String
  /// Arm a one-shot child watch.
  public var watch: Bool

  /// A request with every field given.
  public init(path: String, watch: Bool = false) {
    self.path = path
    self.watch = watch
  }

  public init(from r: inout JuteReader) throws(JuteError) {
    path = try r.readString()
    watch = try r.readBool()
  }

  public func encode(to w: inout JuteWriter) {
    w.writeString(path)
    w.writeBool(watch)
  }
}

/// The reply to getChildren2 (`proto.GetChildren2Response`).
public struct GetChildren2Response: Hashable, Sendable, JuteRecord {
  /// The children's names, in no promised order.
  public var children: [String]
  /// The parent's Stat.
  public var stat: Stat

  /// A response with every field given.
  public init(children: [String], stat: Stat) {
    self.children = children
    self.stat = stat
  }

  public init(from r: inout JuteReader) throws(JuteError) {
    children = try r.readStrings()
    stat = try r.read(Stat.self)
  }

  public func encode(to w: inout JuteWriter) {
    w.writeStrings(children)
    stat.encode(to: &w)
  }
}

/// Waits until the server has caught up with the leader (`proto.SyncRequest`), op sync (9).
public struct SyncRequest: Hashable, Sendable, JuteRecord {
  /// The path the client names (echoed back).
  public var path: String

  /// A request for `path`.
  public init(path: String) { self.path = path }

  public init(from r: inout JuteReader) throws(JuteError) { path = try r.readString() }
  public func encode(to w: inout JuteWriter) { w.writeString(path) }
}

/// The reply to sync (`proto.SyncResponse`).
public struct SyncResponse: Hashable, Sendable, JuteRecord {
  /// The request's path, echoed.
  public var path: String

  /// A response echoing `path`.
  public init(path: String) { self.path = path }

  public init(from r: inout JuteReader) throws(JuteError) { path = try r.readString() }
  public func encode(to w: inout JuteWriter) { w.writeString(path) }
}

/// Lists the session's ephemerals under a prefix (`proto.GetEphemeralsRequest`), op 103.
public struct GetEphemeralsRequest: Hashable, Sendable, JuteRecord {
  /// A path prefix (string prefix, not only subtree); "/" lists all.
  public var prefixPath: String

  /// A request for `prefixPath`.
  public init(prefixPath: String) { self.prefixPath = prefixPath }

  public init(from r: inout JuteReader) throws(JuteError) { prefixPath = try r.readString() }
  public func encode(to w: inout JuteWriter) { w.writeString(prefixPath) }
}

/// The reply to getEphemerals (`proto.GetEphemeralsResponse`): full paths.
public struct GetEphemeralsResponse: Hashable, Sendable, JuteRecord {
  /// The ephemerals' full paths.
  public var ephemerals: [String]

  /// A response listing `ephemerals`.
  public init(ephemerals: [String]) { self.ephemerals = ephemerals }

  public init(from r: inout JuteReader) throws(JuteError) { ephemerals = try r.readStrings() }
  public func encode(to w: inout JuteWriter) { w.writeStrings(ephemerals) }
}

/// Counts all descendants of a node (`proto.GetAllChildrenNumberRequest`), op 104.
public struct GetAllChildrenNumberRequest: Hashable, Sendable, JuteRecord {
  /// The subtree's root.
  public var path: String

  /// A request for `path`.
  public init(path: String) { self.path = path }

  public init(from r: inout JuteReader) throws(JuteError) { path = try r.readString() }
  public func encode(to w: inout JuteWriter) { w.writeString(path) }
}

/// The reply to getAllChildrenNumber (`proto.GetAllChildrenNumberResponse`).
public struct GetAllChildrenNumberResponse: Hashable, Sendable, JuteRecord {
  /// Number of descendants (the node itself excluded).
  public var totalNumber: Int32

  /// A response carrying `totalNumber`.
  public init(totalNumber: Int32) { self.totalNumber = totalNumber }

  public init(from r: inout JuteReader) throws(JuteError) { totalNumber = try r.readInt32() }
  public func encode(to w: inout JuteWriter) { w.writeInt32(totalNumber) }
}

/// One authenticated identity of the session (`data.ClientInfo`, 3.7+).
public struct ClientInfo: Hashable, Sendable, JuteRecord {
  /// The scheme, e.g. `ip` or `digest`.
  public var authScheme: String
  /// The identity under that scheme.
  public var user: String

  /// Smallest encoding: two empty strings.
  public static let minEncodedBytes = 8

  /// An identity with every field given.
  public init(authScheme: String, user: String) {
    self.authScheme = authScheme
    self.user = user
  }

  public init(from r: inout JuteReader) throws(JuteError) {
    authScheme = try r.readString()
    user = try r.readString()
  }

  public func encode(to w: inout JuteWriter) {
    w.writeString(authScheme)
    w.writeString(user)
  }
}

/// The reply to whoAmI (107) (`proto.WhoAmIResponse`); the request has no body.
public struct WhoAmIResponse: Hashable, Sendable, JuteRecord {
  /// The session's authenticated identities.
  public var clientInfo: [ClientInfo]

  /// A response listing `clientInfo`.
  public init(clientInfo: [ClientInfo]) { self.clientInfo = clientInfo }

  public init(from r: inout JuteReader) throws(JuteError) {
    clientInfo = try r.readVector(of: ClientInfo.self, minElementBytes: ClientInfo.minEncodedBytes)
  }

  public func encode(to w: inout JuteWriter) { w.writeVector(clientInfo) }
}

/// Changes the ensemble's membership (`proto.ReconfigRequest`), op reconfig (16); the reply is
/// a GetDataResponse with the new config. The Java client sends null (-1) for absent lists,
/// kept as nil so re-encoding is byte-identical.
public struct ReconfigRequest: Hashable, Sendable, JuteRecord {
  /// Servers to add (incremental mode), comma-separated `server.N=...` specs.
  public var joiningServers: String?
  /// Server ids to remove (incremental mode), comma-separated.
  public var leavingServers: String?
  /// The complete new membership (non-incremental mode).
  public var newMembers: String?
  /// The config version the change applies to; -1 = don't check.
  public var curConfigId: Int64

  /// A request with every field given.
  public init(
    joiningServers: String?, leavingServers: String?, newMembers: String?, curConfigId: Int64
  ) {
    self.joiningServers = joiningServers
    self.leavingServers = leavingServers
    self.newMembers = newMembers
    self.curConfigId = curConfigId
  }

  public init(from r: inout JuteReader) throws(JuteError) {
    joiningServers = try r.readOptionalString()
    leavingServers = try r.readOptionalString()
    newMembers = try r.readOptionalString()
    curConfigId = try r.readInt64()
  }

  public func encode(to w: inout JuteWriter) {
    w.writeString(joiningServers)
    w.writeString(leavingServers)
    w.writeString(newMembers)
    w.writeInt64(curConfigId)
  }
}

/// A SASL token from the client (`proto.GetSASLRequest`), op sasl (102).
public struct GetSASLRequest: Hashable, Sendable, JuteRecord {
  /// The client's SASL token; nil for a null buffer.
  public var token: [UInt8]?

  /// A request carrying `token`.
  public init(token: [UInt8]?) { self.token = token }

  public init(from r: inout JuteReader) throws(JuteError) { token = try r.readOptionalBuffer() }
  public func encode(to w: inout JuteWriter) { w.writeBuffer(token) }
}

/// The server's SASL challenge (`proto.SetSASLResponse`), the reply to sasl (102).
/// ZooKeeper 3.8 without a SASL configuration answers with a null token (length -1).
public struct SetSASLResponse: Hashable, Sendable, JuteRecord {
  /// The server's SASL token; nil for a null buffer.
  public var token: [UInt8]?

  /// A response carrying `token`.
  public init(token: [UInt8]?) { self.token = token }

  public init(from r: inout JuteReader) throws(JuteError) { token = try r.readOptionalBuffer() }
  public func encode(to w: inout JuteWriter) { w.writeBuffer(token) }
}
