#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ZooKeeperWire

/// One znode as stored: its path and data in one buffer, child names and the persisted Stat
/// fields, packed.
///
/// A value, not a class. The tree's `NodeTable` holds these inline in an open-addressing array,
/// so a node costs its slot (this struct, 80 bytes), one heap buffer holding its path and its
/// data (one allocation instead of a key string plus a data array), and its name in the
/// parent's children set (empty sets allocate nothing; names of up to 15 UTF-8 bytes live inline
/// in the set's storage). The ACL is an index into the tree's interned ACL table, as ZooKeeper's
/// `ReferenceCountedACLCache`. `dataLength` and `numChildren` are derived, never stored.
struct ZNode: Sendable, Equatable {
  /// Path length (4 bytes, big-endian), path bytes (UTF-8), data bytes.
  private(set) var storage: [UInt8]
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

  /// A new node at `path` as ZooKeeper's `DataTree.createStat`: czxid = mzxid = pzxid = the
  /// zxid, ctime = mtime = the command's time, versions 0.
  init(path: String, data: [UInt8], aclIndex: UInt32, zxid: Zxid, timeMs: Int64, ephemeralOwner: Int64) {
    self.storage = ZNode.storage(path: path.utf8, data: data)
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

  /// A node from its path and data bytes as a snapshot holds them (one copy, into its buffer);
  /// the caller sets the Stat fields.
  init(pathBytes: UnsafeBufferPointer<UInt8>, dataBytes: UnsafeBufferPointer<UInt8>) {
    self.init(storage: ZNode.storage(path: pathBytes, data: dataBytes), aclIndex: 0)
  }

  /// An empty node that allocates nothing, for moving a node out of a table slot in place.
  static let placeholder = ZNode(storage: [], aclIndex: 0)

  private init(storage: [UInt8], aclIndex: UInt32) {
    self.storage = storage
    self.children = []
    self.czxid = 0
    self.mzxid = 0
    self.pzxid = 0
    self.ctime = 0
    self.mtime = 0
    self.ephemeralOwner = 0
    self.version = 0
    self.cversion = 0
    self.aversion = 0
    self.aclIndex = aclIndex
  }

  private static func storage(path: some Collection<UInt8>, data: some Collection<UInt8>) -> [UInt8] {
    let length = UInt32(path.count)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(4 + path.count + data.count)
    bytes.append(UInt8(truncatingIfNeeded: length >> 24))
    bytes.append(UInt8(truncatingIfNeeded: length >> 16))
    bytes.append(UInt8(truncatingIfNeeded: length >> 8))
    bytes.append(UInt8(truncatingIfNeeded: length))
    bytes.append(contentsOf: path)
    bytes.append(contentsOf: data)
    return bytes
  }

  private var pathEnd: Int {
    4 + (Int(storage[0]) << 24 | Int(storage[1]) << 16 | Int(storage[2]) << 8 | Int(storage[3]))
  }

  /// The node's full path.
  var path: String { String(decoding: storage[4..<pathEnd], as: UTF8.self) }

  /// The node's data (a copy).
  var data: [UInt8] { Array(storage[pathEnd...]) }

  /// The number of data bytes.
  var dataCount: Int { storage.count - pathEnd }

  /// Replaces the data, keeping the path: a new exactly-sized buffer.
  mutating func setData(_ data: [UInt8]) {
    storage = ZNode.storage(path: storage[4..<pathEnd], data: data)
  }

  /// Whether this node's path is exactly `bytes`.
  func hasPath(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    let end = pathEnd
    guard end - 4 == bytes.count else { return false }
    return storage.withUnsafeBufferPointer { own in
      bytes.isEmpty || memcmp(own.baseAddress! + 4, bytes.baseAddress!, bytes.count) == 0
    }
  }

  /// Runs `body` over the path bytes and the data bytes, in place.
  func withPathAndData<R>(_ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> R) -> R {
    let end = pathEnd
    return storage.withUnsafeBufferPointer {
      body(UnsafeBufferPointer(rebasing: $0[4..<end]), UnsafeBufferPointer(rebasing: $0[end...]))
    }
  }

  /// The bytes of path and data together.
  var storedBytes: Int { storage.count - 4 }

  /// Runs `body` over the path bytes.
  func withPathBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    let end = pathEnd
    return storage.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[4..<end])) }
  }

  /// A session id as clients see it: 0 for the container marker and TTL encodings.
  static func clientOwner(_ owner: Int64) -> Int64 {
    if owner == NodeKind.containerOwner { return 0 }
    let bits = UInt64(bitPattern: owner)
    // TTL: 0xFF in the top byte, bits 40-55 zero (ZooKeeper's EphemeralType.TTL).
    if bits >> 56 == 0xFF && (bits >> 40) & 0xFFFF == 0 { return 0 }
    return owner
  }

  /// The wire Stat, with the derived fields filled in. As ZooKeeper's
  /// `DataNode.getClientEphemeralOwner`, clients see 0 as the owner of containers and TTL nodes;
  /// the special values stay inside the tree (and its snapshots).
  var stat: Stat {
    Stat(
      czxid: Zxid(czxid), mzxid: Zxid(mzxid), ctime: ctime, mtime: mtime, version: version,
      cversion: cversion, aversion: aversion, ephemeralOwner: ZNode.clientOwner(ephemeralOwner),
      dataLength: Int32(truncatingIfNeeded: dataCount),
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
