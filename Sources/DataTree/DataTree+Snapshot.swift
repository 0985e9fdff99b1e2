import Checksums
import ZooKeeperWire

/// Snapshots: the whole tree and session table in sorted order, versioned and checksummed.
///
/// Layout: magic `GRVS`, format version (int, 1), last applied zxid (long), then the content
/// (ACL lists in order of first use, sessions by id, nodes by path bytes; jute primitives),
/// then the CRC-32C of everything before it. Children lists, numChildren, dataLength and the
/// side indexes are not stored: they are rebuilt, so a snapshot cannot contradict itself there.
extension DataTree {
  /// The format version `snapshot()` writes.
  public static let snapshotVersion: UInt32 = 1
  static let snapshotMagic: Int32 = 0x4752_5653  // "GRVS"

  /// The snapshot bytes of this tree.
  public func snapshot() -> [UInt8] {
    let order = nodes.positionsInPathOrder()
    var w = JuteWriter(reservingCapacity: 24 + encodedContentBound(order))
    w.writeInt32(DataTree.snapshotMagic)
    w.writeInt32(Int32(bitPattern: DataTree.snapshotVersion))
    w.writeInt64(lastAppliedZxid.rawValue)
    encodeContent(order, to: &w)
    let crc = CRC32C.checksum(w.bytes)
    w.writeInt32(Int32(bitPattern: crc))
    return w.bytes
  }

  /// The tree digest: SHA-1 of the canonical content encoding (not the zxid), so two replicas
  /// that applied the same commands have the same digest.
  public func digest() -> TreeDigest {
    let order = nodes.positionsInPathOrder()
    var w = JuteWriter(reservingCapacity: encodedContentBound(order))
    encodeContent(order, to: &w)
    return TreeDigest(bytes: SHA1.hash(w.bytes))
  }

  /// Bytes enough for the nodes' part of the content, so the writer never regrows (a regrowth
  /// of a buffer of hundreds of megabytes copies it all).
  private func encodedContentBound(_ order: [Int32]) -> Int {
    var bytes = 4096
    for position in order { bytes += DataTree.encodedNodeFixedBytes + nodes.node(at: position).storedBytes }
    for record in sessionTable.values { bytes += 32 + record.password.count }
    return bytes
  }

  /// Per node: path and data lengths, ACL reference, six longs, three ints.
  private static let encodedNodeFixedBytes = 4 + 4 + 4 + 6 * 8 + 3 * 4

  private func encodeContent(_ order: [Int32], to w: inout JuteWriter) {
    var aclOrder: [UInt32: Int32] = [:]
    var aclLists: [[ACL]] = []
    for position in order {
      let index = nodes.node(at: position).aclIndex
      if aclOrder[index] == nil {
        aclOrder[index] = Int32(aclLists.count)
        aclLists.append(acls[index])
      }
    }
    w.writeInt32(Int32(aclLists.count))
    for list in aclLists { w.writeVector(list) }
    let ids = sessionTable.keys.sorted()
    w.writeInt32(Int32(ids.count))
    for id in ids {
      let record = sessionTable[id]!
      w.writeInt64(id.rawValue)
      w.writeInt32(record.timeoutMs)
      w.writeBuffer(record.password)
      w.writeBool(record.lastRequest != nil)
      w.writeInt64(Int64(bitPattern: record.lastRequest?.connection ?? 0))
      w.writeInt32(record.lastRequest?.xid ?? 0)
    }
    w.writeInt32(Int32(order.count))
    for position in order {
      let node = nodes.node(at: position)
      // The path as a jute string and the data as a jute buffer, straight from the node's bytes.
      node.withPathAndData { path, data in
        w.writeInt32(Int32(path.count))
        w.writeRaw(path)
        w.writeInt32(Int32(data.count))
        w.writeRaw(data)
      }
      w.writeInt32(aclOrder[node.aclIndex]!)
      w.writeInt64(node.czxid)
      w.writeInt64(node.mzxid)
      w.writeInt64(node.pzxid)
      w.writeInt64(node.ctime)
      w.writeInt64(node.mtime)
      w.writeInt64(node.ephemeralOwner)
      w.writeInt32(node.version)
      w.writeInt32(node.cversion)
      w.writeInt32(node.aversion)
    }
  }

  /// Rebuilds a tree from `snapshot()` bytes. Damaged or impossible input is refused with a
  /// typed error, never a trap and never half a tree.
  public init(snapshot bytes: [UInt8], configuration: Configuration = Configuration()) throws(DataTreeError) {
    guard bytes.count >= 20 else { throw .malformed(.truncated(needed: 20, available: bytes.count)) }
    var header = JuteReader(bytes, range: 0..<8)
    let magic = try DataTree.jute { () throws(JuteError) in try header.readInt32() }
    guard magic == DataTree.snapshotMagic else { throw .notASnapshot }
    let version = UInt32(bitPattern: try DataTree.jute { () throws(JuteError) in try header.readInt32() })
    guard version == DataTree.snapshotVersion else { throw .unsupportedSnapshotVersion(version) }
    let bodyEnd = bytes.count - 4
    var trailer = JuteReader(bytes, range: bodyEnd..<bytes.count)
    let stored = UInt32(bitPattern: try DataTree.jute { () throws(JuteError) in try trailer.readInt32() })
    let computed = bytes.withUnsafeBytes { CRC32C.checksum($0, range: 0..<bodyEnd) }
    guard stored == computed else { throw .snapshotChecksumMismatch(stored: stored, computed: computed) }

    // Bounded by the snapshot's own size: node data may exceed the default jute bound when
    // the cluster runs with a larger jute.maxbuffer, and every count is still checked against
    // the bytes left.
    var r = JuteReader(bytes, range: 8..<bodyEnd, lengthBound: bytes.count)
    self.init(configuration: configuration)
    nodes = NodeTable()
    approximateDataSize = 0
    acls = ACLTable()
    try DataTree.jute { () throws(JuteError) in
      lastAppliedZxid = Zxid(try r.readInt64())
    }
    try decodeContent(&r)
    if !r.isAtEnd { throw .trailingBytes(r.remaining) }
    acls.collect()
  }

  private mutating func decodeContent(_ r: inout JuteReader) throws(DataTreeError) {
    let aclLists = try DataTree.jute { () throws(JuteError) in
      let count = try r.readCount(minElementBytes: 4)
      var lists: [[ACL]] = []
      for _ in 0..<count { lists.append(try r.readVector(of: ACL.self, minElementBytes: ACL.minEncodedBytes)) }
      return lists
    }
    let sessionCount = try DataTree.jute { () throws(JuteError) in try r.readCount(minElementBytes: 29) }
    var previousSession: SessionID?
    for _ in 0..<sessionCount {
      let (id, record) = try DataTree.jute { () throws(JuteError) in
        let id = SessionID(try r.readInt64())
        let timeoutMs = try r.readInt32()
        let password = try r.readBuffer()
        let hasLast = try r.readBool()
        let connection = UInt64(bitPattern: try r.readInt64())
        let xid = try r.readInt32()
        let last = hasLast ? AppliedRequest(connection: connection, xid: xid) : nil
        return (id, SessionRecord(timeoutMs: timeoutMs, password: password, ephemerals: [], lastRequest: last))
      }
      if let previousSession, !(previousSession < id) { throw .inconsistentSnapshot("sessions out of order at \(id)") }
      previousSession = id
      sessionTable[id] = record
    }
    let nodeCount = try DataTree.jute { () throws(JuteError) in try r.readCount(minElementBytes: 72) }
    var previousPath: String?
    for _ in 0..<nodeCount {
      let (path, aclRef, node) = try DataTree.jute { () throws(JuteError) in
        let path = try r.readString()
        let data = try r.readBuffer()
        let aclRef = try r.readInt32()
        var node = ZNode(path: path, data: data, aclIndex: 0, zxid: .zero, timeMs: 0, ephemeralOwner: 0)
        node.czxid = try r.readInt64()
        node.mzxid = try r.readInt64()
        node.pzxid = try r.readInt64()
        node.ctime = try r.readInt64()
        node.mtime = try r.readInt64()
        node.ephemeralOwner = try r.readInt64()
        node.version = try r.readInt32()
        node.cversion = try r.readInt32()
        node.aversion = try r.readInt32()
        return (path, aclRef, node)
      }
      guard PathRules.isValid(path) else { throw .inconsistentSnapshot("invalid path \(path)") }
      if let previousPath {
        guard PathRules.precedes(previousPath, path) else { throw .inconsistentSnapshot("nodes out of order at \(path)") }
      } else if path != "/" {
        throw .inconsistentSnapshot("the first node is \(path), not the root")
      }
      previousPath = path
      guard aclRef >= 0, Int(aclRef) < aclLists.count else { throw .inconsistentSnapshot("\(path): ACL \(aclRef) out of range") }
      // No node can get an empty ACL through apply (INVALIDACL), and an empty ACL allows everyone.
      guard !aclLists[Int(aclRef)].isEmpty else { throw .inconsistentSnapshot("\(path): empty ACL") }
      var stored = node
      stored.aclIndex = acls.retain(aclLists[Int(aclRef)])
      if path == "/" {
        nodes[path] = stored
        approximateDataSize += path.utf8.count + stored.dataCount
        continue
      }
      guard let parentPath = PathRules.parent(of: path), let parent = nodes[parentPath] else {
        throw .inconsistentSnapshot("\(path): parent missing")
      }
      if case .ephemeral = kind(ofOwner: parent.ephemeralOwner) {
        throw .inconsistentSnapshot("\(path): child of an ephemeral")
      }
      if case .ephemeral(let owner) = kind(ofOwner: stored.ephemeralOwner), sessionTable[owner] == nil {
        throw .inconsistentSnapshot("\(path): owner \(owner) is not an open session")
      }
      link(path, stored)
    }
    guard nodes["/"] != nil else { throw .inconsistentSnapshot("no root") }
  }

  /// Runs a jute-decoding step, mapping its error into this module's.
  static func jute<T>(_ body: () throws(JuteError) -> T) throws(DataTreeError) -> T {
    do {
      return try body()
    } catch {
      throw .malformed(error)
    }
  }
}
