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
    let bytes = r.bytes
    let outcome: Result<Void, DataTreeError> = bytes.withUnsafeBufferPointer { all in
      Result { () throws(DataTreeError) in try decodeNodes(nodeCount, &r, all, aclLists) }
    }
    try outcome.get()
    guard nodes["/"] != nil else { throw .inconsistentSnapshot("no root") }
  }

  /// The nodes, in path order, each checked as `apply` would have made it (valid path, in order,
  /// parent present and not ephemeral, owner an open session, ACL in range and not empty).
  /// Works on the snapshot's bytes in place: paths are compared, split and looked up as bytes,
  /// and a node's buffer is filled straight from them, so loading a node allocates its buffer
  /// and little else.
  private mutating func decodeNodes(
    _ nodeCount: Int, _ r: inout JuteReader, _ all: UnsafeBufferPointer<UInt8>, _ aclLists: [[ACL]]
  ) throws(DataTreeError) {
    func slice(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: all[range]) }
    func text(_ range: Range<Int>) -> String { String(decoding: slice(range), as: UTF8.self) }
    var aclSlots = [UInt32?](repeating: nil, count: aclLists.count)
    var previous: Range<Int>?
    // Siblings are mostly adjacent in path order: remember the last parent found.
    var lastParent: (path: Range<Int>, position: Int)?
    for _ in 0..<nodeCount {
      let (pathRange, dataRange, aclRef, fields) = try DataTree.jute { () throws(JuteError) in
        let path = try r.readBufferRange()
        let data = try r.readBufferRange()
        let aclRef = try r.readInt32()
        var node = ZNode.placeholder
        node.czxid = try r.readInt64()
        node.mzxid = try r.readInt64()
        node.pzxid = try r.readInt64()
        node.ctime = try r.readInt64()
        node.mtime = try r.readInt64()
        node.ephemeralOwner = try r.readInt64()
        node.version = try r.readInt32()
        node.cversion = try r.readInt32()
        node.aversion = try r.readInt32()
        return (path, data, aclRef, node)
      }
      let path = slice(pathRange)
      guard PathRules.isValid(utf8: path) else { throw .inconsistentSnapshot("invalid path \(text(pathRange))") }
      if let previous {
        guard PathRules.precedes(bytes: slice(previous), path) else {
          throw .inconsistentSnapshot("nodes out of order at \(text(pathRange))")
        }
      } else if path.count != 1 {
        throw .inconsistentSnapshot("the first node is \(text(pathRange)), not the root")
      }
      previous = pathRange
      guard aclRef >= 0, Int(aclRef) < aclLists.count else {
        throw .inconsistentSnapshot("\(text(pathRange)): ACL \(aclRef) out of range")
      }
      // No node can get an empty ACL through apply (INVALIDACL), and an empty ACL allows everyone.
      guard !aclLists[Int(aclRef)].isEmpty else { throw .inconsistentSnapshot("\(text(pathRange)): empty ACL") }
      var node = ZNode(pathBytes: path, dataBytes: slice(dataRange))
      node.czxid = fields.czxid
      node.mzxid = fields.mzxid
      node.pzxid = fields.pzxid
      node.ctime = fields.ctime
      node.mtime = fields.mtime
      node.ephemeralOwner = fields.ephemeralOwner
      node.version = fields.version
      node.cversion = fields.cversion
      node.aversion = fields.aversion
      if let slot = aclSlots[Int(aclRef)] {
        acls.retain(index: slot)
        node.aclIndex = slot
      } else {
        node.aclIndex = acls.retain(aclLists[Int(aclRef)])
        aclSlots[Int(aclRef)] = node.aclIndex
      }
      approximateDataSize += path.count + node.dataCount
      if path.count == 1 {
        _ = nodes.insertNew(node)
        continue
      }
      // Valid paths other than the root have a `/` after the first byte or are `/name`.
      let slash = pathRange.lowerBound + path.lastIndex(of: UInt8(ascii: "/"))!
      let parentRange = pathRange.lowerBound..<max(slash, pathRange.lowerBound + 1)
      let parentPosition: Int
      if let lastParent, slice(lastParent.path).elementsEqual(slice(parentRange)) {
        parentPosition = lastParent.position
      } else {
        guard let found = nodes.position(ofPath: slice(parentRange)) else {
          throw .inconsistentSnapshot("\(text(pathRange)): parent missing")
        }
        parentPosition = found
        lastParent = (parentRange, found)
      }
      if case .ephemeral = kind(ofOwner: nodes.node(at: Int32(parentPosition)).ephemeralOwner) {
        throw .inconsistentSnapshot("\(text(pathRange)): child of an ephemeral")
      }
      switch kind(ofOwner: node.ephemeralOwner) {
      case .ephemeral(let owner):
        guard sessionTable[owner] != nil else {
          throw .inconsistentSnapshot("\(text(pathRange)): owner \(owner) is not an open session")
        }
        sessionTable[owner]!.ephemerals.insert(text(pathRange))
      case .container: containers.insert(text(pathRange))
      case .ttl: ttlNodes.insert(text(pathRange))
      case .persistent: break
      }
      _ = nodes.insertNew(node)
      let name = String(decoding: slice(slash + 1..<pathRange.upperBound), as: UTF8.self)
      nodes.modifyNode(at: parentPosition) { $0.children.insert(name) }
    }
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
