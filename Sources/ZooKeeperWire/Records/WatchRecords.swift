/// Re-arms one-shot watches after a reconnect (`proto.SetWatches`), op 101 with xid -8.
///
/// For each path the server fires at once what changed after `relativeZxid` and re-arms the
/// rest (rules in the wire reference, §8.7). The reply has no body.
public struct SetWatches: Hashable, Sendable, JuteRecord {
  /// The client's lastZxidSeen.
  public var relativeZxid: Zxid
  /// Paths with a data watch.
  public var dataWatches: [String]
  /// Paths with an exist watch.
  public var existWatches: [String]
  /// Paths with a child watch.
  public var childWatches: [String]

  /// A request with every field given.
  public init(
    relativeZxid: Zxid, dataWatches: [String], existWatches: [String], childWatches: [String]
  ) {
    self.relativeZxid = relativeZxid
    self.dataWatches = dataWatches
    self.existWatches = existWatches
    self.childWatches = childWatches
  }

  public init(from r: inout JuteReader) throws(JuteError) {
    relativeZxid = Zxid(try r.readInt64())
    dataWatches = try r.readStrings()
    existWatches = try r.readStrings()
    childWatches = try r.readStrings()
  }

  public func encode(to w: inout JuteWriter) {
    w.writeInt64(relativeZxid.rawValue)
    w.writeStrings(dataWatches)
    w.writeStrings(existWatches)
    w.writeStrings(childWatches)
  }
}

/// As SetWatches, plus persistent watches (`proto.SetWatches2`), op 105 with xid -8.
/// Persistent and persistent-recursive watches are re-armed without catch-up events.
public struct SetWatches2: Hashable, Sendable, JuteRecord {
  /// The client's lastZxidSeen.
  public var relativeZxid: Zxid
  /// Paths with a data watch.
  public var dataWatches: [String]
  /// Paths with an exist watch.
  public var existWatches: [String]
  /// Paths with a child watch.
  public var childWatches: [String]
  /// Paths with a persistent watch.
  public var persistentWatches: [String]
  /// Paths with a persistent-recursive watch.
  public var persistentRecursiveWatches: [String]

  /// A request with every field given.
  public init(
    relativeZxid: Zxid, dataWatches: [String], existWatches: [String], childWatches: [String],
    persistentWatches: [String], persistentRecursiveWatches: [String]
  ) {
    self.relativeZxid = relativeZxid
    self.dataWatches = dataWatches
    self.existWatches = existWatches
    self.childWatches = childWatches
    self.persistentWatches = persistentWatches
    self.persistentRecursiveWatches = persistentRecursiveWatches
  }

  public init(from r: inout JuteReader) throws(JuteError) {
    relativeZxid = Zxid(try r.readInt64())
    dataWatches = try r.readStrings()
    existWatches = try r.readStrings()
    childWatches = try r.readStrings()
    persistentWatches = try r.readStrings()
    persistentRecursiveWatches = try r.readStrings()
  }

  public func encode(to w: inout JuteWriter) {
    w.writeInt64(relativeZxid.rawValue)
    w.writeStrings(dataWatches)
    w.writeStrings(existWatches)
    w.writeStrings(childWatches)
    w.writeStrings(persistentWatches)
    w.writeStrings(persistentRecursiveWatches)
  }
}

/// Arms a persistent or persistent-recursive watch (`proto.AddWatchRequest`), op 106.
/// The reply body is an ErrorResponse carrying `.ok`.
public struct AddWatchRequest: Hashable, Sendable, JuteRecord {
  /// The watched path (need not exist).
  public var path: String
  /// Persistent or persistent-recursive.
  public var mode: AddWatchMode

  /// A request with every field given.
  public init(path: String, mode: AddWatchMode) {
    self.path = path
    self.mode = mode
  }

  public init(from r: inout JuteReader) throws(JuteError) {
    path = try r.readString()
    let raw = try r.readInt32()
    guard let mode = AddWatchMode(rawValue: raw) else {
      throw .invalidEnumValue(field: "AddWatchRequest.mode", value: raw)
    }
    self.mode = mode
  }

  public func encode(to w: inout JuteWriter) {
    w.writeString(path)
    w.writeInt32(mode.rawValue)
  }
}

/// Asks whether the session holds a watch of a type on a path (`proto.CheckWatchesRequest`),
/// op 17; the Java client sends it before removing a specific watcher. No body in the reply;
/// `noWatcher` if there is none.
public struct CheckWatchesRequest: Hashable, Sendable, JuteRecord {
  /// The watched path.
  public var path: String
  /// Which watches to look for.
  public var type: WatcherType

  /// A request with every field given.
  public init(path: String, type: WatcherType) {
    self.path = path
    self.type = type
  }

  public init(from r: inout JuteReader) throws(JuteError) {
    path = try r.readString()
    type = try WatcherType(wire: try r.readInt32(), field: "CheckWatchesRequest.type")
  }

  public func encode(to w: inout JuteWriter) {
    w.writeString(path)
    w.writeInt32(type.rawValue)
  }
}

/// Removes the session's watches of a type on a path (`proto.RemoveWatchesRequest`), op 18.
/// No body in the reply; `noWatcher` if there was none.
public struct RemoveWatchesRequest: Hashable, Sendable, JuteRecord {
  /// The watched path.
  public var path: String
  /// Which watches to remove.
  public var type: WatcherType

  /// A request with every field given.
  public init(path: String, type: WatcherType) {
    self.path = path
    self.type = type
  }

  public init(from r: inout JuteReader) throws(JuteError) {
    path = try r.readString()
    type = try WatcherType(wire: try r.readInt32(), field: "RemoveWatchesRequest.type")
  }

  public func encode(to w: inout JuteWriter) {
    w.writeString(path)
    w.writeInt32(type.rawValue)
  }
}

extension WatcherType {
  /// The type for a wire value; a value ZooKeeper does not define is a decoding error.
  public init(wire value: Int32, field: String) throws(JuteError) {
    guard let type = WatcherType(rawValue: value) else {
      throw .invalidEnumValue(field: field, value: value)
    }
    self = type
  }
}
