/// A znode's metadata, as ZooKeeper's `data.Stat` (68 bytes on the wire).
public struct Stat: Hashable, Sendable, JuteRecord {
  /// Zxid of the change that created the node.
  public var czxid: Zxid
  /// Zxid of the last setData (the create's zxid until then).
  public var mzxid: Zxid
  /// Leader's wall-clock milliseconds when the node was created.
  public var ctime: Int64
  /// Leader's wall-clock milliseconds of the last setData.
  public var mtime: Int64
  /// Data version: 0 at create, +1 per setData.
  public var version: Int32
  /// Child version: +1 per child created or deleted.
  public var cversion: Int32
  /// ACL version: +1 per setACL.
  public var aversion: Int32
  /// Owning session for ephemerals; 0 for persistent; special values for containers and TTL nodes.
  public var ephemeralOwner: Int64
  public var dataLength: Int32
  public var numChildren: Int32
  /// Zxid of the last child create or delete (the create's zxid until then).
  public var pzxid: Zxid

  public static let encodedBytes = 68

  public init(
    czxid: Zxid = .zero, mzxid: Zxid = .zero, ctime: Int64 = 0, mtime: Int64 = 0,
    version: Int32 = 0, cversion: Int32 = 0, aversion: Int32 = 0, ephemeralOwner: Int64 = 0,
    dataLength: Int32 = 0, numChildren: Int32 = 0, pzxid: Zxid = .zero
  ) {
    self.czxid = czxid
    self.mzxid = mzxid
    self.ctime = ctime
    self.mtime = mtime
    self.version = version
    self.cversion = cversion
    self.aversion = aversion
    self.ephemeralOwner = ephemeralOwner
    self.dataLength = dataLength
    self.numChildren = numChildren
    self.pzxid = pzxid
  }

  public init(from r: inout JuteReader) throws(JuteError) {
    czxid = Zxid(try r.readInt64())
    mzxid = Zxid(try r.readInt64())
    ctime = try r.readInt64()
    mtime = try r.readInt64()
    version = try r.readInt32()
    cversion = try r.readInt32()
    aversion = try r.readInt32()
    ephemeralOwner = try r.readInt64()
    dataLength = try r.readInt32()
    numChildren = try r.readInt32()
    pzxid = Zxid(try r.readInt64())
  }

  public func encode(to w: inout JuteWriter) {
    w.writeInt64(czxid.rawValue)
    w.writeInt64(mzxid.rawValue)
    w.writeInt64(ctime)
    w.writeInt64(mtime)
    w.writeInt32(version)
    w.writeInt32(cversion)
    w.writeInt32(aversion)
    w.writeInt64(ephemeralOwner)
    w.writeInt32(dataLength)
    w.writeInt32(numChildren)
    w.writeInt64(pzxid.rawValue)
  }
}
