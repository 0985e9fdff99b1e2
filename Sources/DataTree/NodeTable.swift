/// The tree's node table, laid out like a compact hash map: nodes stored densely in one array,
/// and a separate open-addressing index of 4-byte positions (linear probing, at most half full)
/// found by the path bytes each node carries, so no key is stored.
///
/// Compared with `[String: ZNode]` this saves the 16-byte key and the empty-bucket slack per node
/// (the index costs 8–16 bytes per node, the dense array grows by half rather than doubling) and
/// the path string's own heap allocation (the path lives in the node's buffer with its data).
/// Paths compare by bytes, as ZooKeeper's Java strings. A value: copying the tree shares both
/// arrays until one side writes (copy-on-write), which point-in-time snapshots rely on.
/// Iteration order depends on the history of inserts and removals, so callers sort before
/// anything reaches an output.
struct NodeTable: Sendable, Sequence {
  private var entries: [ZNode] = []
  /// Positions in `entries`, or -1 for an empty slot; the count is a power of two.
  private var index = [Int32](repeating: -1, count: 16)

  init() {}

  var count: Int { entries.count }

  private var mask: Int { index.count - 1 }

  private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
    var hasher = Hasher()
    hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
    return hasher.finalize()
  }

  private static func home(of node: ZNode, mask: Int) -> Int {
    node.withPathBytes { NodeTable.hash($0) } & mask
  }

  /// The index slot of `path` and its entry, or the empty slot where it would go.
  private func find(_ path: String) -> (slot: Int, entry: Int?) {
    var path = path
    return path.withUTF8 { bytes in
      var slot = NodeTable.hash(bytes) & mask
      while index[slot] >= 0 {
        let entry = Int(index[slot])
        if entries[entry].hasPath(bytes) { return (slot, entry) }
        slot = (slot + 1) & mask
      }
      return (slot, nil)
    }
  }

  subscript(path: String) -> ZNode? {
    get {
      guard let entry = find(path).entry else { return nil }
      return entries[entry]
    }
    set {
      let (slot, entry) = find(path)
      switch (entry, newValue) {
      case (let entry?, let node?): entries[entry] = node
      case (let entry?, nil): remove(slot: slot, entry: entry)
      case (nil, let node?): insert(node, at: slot)
      case (nil, nil): break
      }
    }
    _modify {
      let (slot, entry) = find(path)
      if let entry {
        // Move the node out rather than copy it, so that mutating its children set or data
        // through the yielded value does not find them shared and copy them.
        var value: ZNode? = ZNode.placeholder
        swap(&value!, &entries[entry])
        yield &value
        if let value {
          entries[entry] = value
        } else {
          remove(slot: slot, entry: entry)
        }
      } else {
        var added: ZNode? = nil
        yield &added
        if let added { insert(added, at: slot) }
      }
    }
  }

  /// Removes and returns the node at `path`.
  @discardableResult
  mutating func removeValue(forKey path: String) -> ZNode? {
    let (slot, entry) = find(path)
    guard let entry else { return nil }
    let node = entries[entry]
    remove(slot: slot, entry: entry)
    return node
  }

  /// Every path, in no particular order.
  var paths: [String] { entries.map(\.path) }

  func makeIterator() -> some IteratorProtocol<(path: String, node: ZNode)> {
    entries.lazy.map { (path: $0.path, node: $0) }.makeIterator()
  }

  private mutating func insert(_ node: ZNode, at slot: Int) {
    if entries.count == entries.capacity {
      // Grow by half rather than doubling: less slack in the largest array of the tree.
      entries.reserveCapacity(Swift.max(16, entries.count + entries.count / 2))
    }
    entries.append(node)
    if (entries.count * 2) > index.count {
      rebuildIndex(slots: index.count * 2)
    } else {
      index[slot] = Int32(entries.count - 1)
    }
  }

  private mutating func remove(slot: Int, entry: Int) {
    closeGap(at: slot)
    let last = entries.count - 1
    if entry != last {
      // Move the last node into the freed position and repoint its slot.
      var moved = NodeTable.home(of: entries[last], mask: mask)
      while index[moved] != Int32(last) { moved = (moved + 1) & mask }
      index[moved] = Int32(entry)
      entries.swapAt(entry, last)
    }
    entries.removeLast()
  }

  /// Backward-shift deletion: empties `start` and moves later members of the probe run into
  /// the hole, so every node stays reachable from its home slot without tombstones.
  private mutating func closeGap(at start: Int) {
    var hole = start
    index[hole] = -1
    var slot = (start + 1) & mask
    while index[slot] >= 0 {
      let home = NodeTable.home(of: entries[Int(index[slot])], mask: mask)
      // The member may move to the hole if its home is not cyclically within (hole, slot].
      let between = hole <= slot ? (home > hole && home <= slot) : (home > hole || home <= slot)
      if !between {
        index[hole] = index[slot]
        index[slot] = -1
        hole = slot
      }
      slot = (slot + 1) & mask
    }
  }

  private mutating func rebuildIndex(slots: Int) {
    index = [Int32](repeating: -1, count: slots)
    let mask = slots - 1
    for (position, node) in entries.enumerated() {
      var slot = NodeTable.home(of: node, mask: mask)
      while index[slot] >= 0 { slot = (slot + 1) & mask }
      index[slot] = Int32(position)
    }
  }
}
