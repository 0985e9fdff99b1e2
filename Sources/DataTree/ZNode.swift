import ZooKeeperWire

/// One znode as stored: data, child names and the persisted Stat fields, packed.
///
/// A value, not a class: the tree holds it in a dictionary keyed by full path, so a node costs
/// its dictionary slot (this struct, 80 bytes), its data array and its children set (empty sets
/// allocate nothing; names of up to 15 UTF-8 bytes live inline in the set's storage). The ACL is
/// an index into the tree's interned ACL table, as ZooKeeper's `ReferenceCountedACLCache`.
/// `dataLength` and `numChildren` are derived, never stored.
struct ZNode: Sendable, Equatable {
  var data: [UInt8]
  var children: PathSet
  var czxid: Int64
  var mzxid: Int64
  var pzxid: Int64
  var ctime: Int64
  var mtime: Int64
  var ephemeralOwner: Int64
  var version: Int32
  var cversion: Int32
  var aversion: Int32
  var aclIndex: UInt32

  /// A new node as ZooKeeper's `DataTree.createStat`: czxid = mzxid = pzxid = the zxid,
  /// ctime = mtime = the command's time, versions 0.
  init(data: [UInt8], aclIndex: UInt32, zxid: Zxid, timeMs: Int64, ephemeralOwner: Int64) {
    self.data = data
    self.children = []
    self.czxid = zxid.rawValue
    self.mzxid = zxid.rawValue
    self.pzxid = zxid.rawValue
    self.ctime = timeMs
    self.mtime = timeMs
    self.ephemeralOwner = ephemeralOwner
    self.version = 0
    self.cversion = 0
    self.aversion = 0
    self.aclIndex = aclIndex
  }

  /// The wire Stat, with the derived fields filled in.
  var stat: Stat {
    Stat(
      czxid: Zxid(czxid), mzxid: Zxid(mzxid), ctime: ctime, mtime: mtime, version: version,
      cversion: cversion, aversion: aversion, ephemeralOwner: ephemeralOwner,
      dataLength: Int32(truncatingIfNeeded: data.count),
      numChildren: Int32(truncatingIfNeeded: children.count), pzxid: Zxid(pzxid))
  }
}

/// ZooKeeper's version step (`checkAndIncVersion`): Java int overflow, and -1 is skipped
/// (ZOOKEEPER-4743) because -1 means "any version" in requests.
func nextVersion(after current: Int32) -> Int32 {
  let next = current &+ 1
  return next == -1 ? 0 : next
}

/// Whether `expected` (-1 = any) matches `current`, as ZooKeeper's `checkAndIncVersion`.
func versionMatches(expected: Int32, current: Int32) -> Bool {
  expected == -1 || expected == current
}

/// The scalar fields of a node, read without retaining its data or children: holding a copy of
/// a whole `ZNode` while mutating the same node in the dictionary would make the next
/// `children.insert` copy the entire child set (copy-on-write), turning every create under a
/// large parent into O(children).
struct NodeHeader {
  var aclIndex: UInt32
  var version: Int32
  var cversion: Int32
  var aversion: Int32
  var pzxid: Int64
  var ephemeralOwner: Int64
  var childCount: Int
}

extension DataTree {
  /// The scalar fields of the node at `path`, or nil.
  func header(_ path: String) -> NodeHeader? {
    guard let node = nodes[path] else { return nil }
    return NodeHeader(
      aclIndex: node.aclIndex, version: node.version, cversion: node.cversion, aversion: node.aversion,
      pzxid: node.pzxid, ephemeralOwner: node.ephemeralOwner, childCount: node.children.count)
  }
}
