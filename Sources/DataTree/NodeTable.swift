/// The tree's node table, laid out like a compact hash map: nodes stored densely in fixed-size
/// chunks, and a separate open-addressing index of 4-byte positions (linear probing, at most half
/// full) found by the path bytes each node carries, so no key is stored.
///
/// Compared with `[String: ZNode]` this saves the 16-byte key and the empty-bucket slack per node
/// (the index costs 8–16 bytes per node; only the last chunk has free slots) and the path
/// string's own heap allocation (the path lives in the node's buffer with its data). Paths
/// compare by bytes, as ZooKeeper's Java strings.
///
/// A value: copying the table shares everything until one side writes (copy-on-write), which
/// point-in-time snapshots rely on. Chunks are why that stays cheap: the first write after a copy
/// duplicates the list of chunks and the one chunk it touches (a few hundred kilobytes), not
/// every node of the tree, which for a million znodes was a stall of tens of milliseconds on the
/// request loop. Iteration order depends on the history of inserts and removals, so callers sort
/// before anything reaches an output.
struct NodeTable: Sendable, Sequence {
  /// Nodes in chunks of `chunkSize`; every chunk but the last is full.
  private var chunks: [[ZNode]] = []
  private(set) var count = 0
  /// Positions of nodes, or -1 for an empty slot; the count is a power of two.
  private var index = [Int32](repeating: -1, count: 16)
  /// Each node's path hash (its low 32 bits), by position: growing or closing a gap in the index
  /// then needs no node's bytes, and a probe skips non-matching nodes without reading them.
  /// Without it, growing the index of a million-node table re-hashed every path on the request
  /// loop (70 ms).
  private var hashes: [UInt32] = []

  private static let chunkShift = 10
  private static let chunkSize = 1 << chunkShift
  private static let chunkMask = chunkSize - 1

  init() {}

  private var mask: Int { index.count - 1 }

  private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
    var hasher = Hasher()
    hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
    return UInt32(truncatingIfNeeded: hasher.finalize())
  }

  private func home(of position: Int, mask: Int) -> Int { Int(hashes[position]) & mask }

  /// The node at `position`.
  private subscript(position position: Int) -> ZNode {
    get { chunks[position >> NodeTable.chunkShift][position & NodeTable.chunkMask] }
    _modify { yield &chunks[position >> NodeTable.chunkShift][position & NodeTable.chunkMask] }
  }

  /// The index slot of `path` and its position, or the empty slot where it would go, and the
  /// path's hash.
  private func find(_ path: String) -> (slot: Int, entry: Int?, hash: UInt32) {
    var path = path
    return path.withUTF8 { find(bytes: $0) }
  }

  private func find(bytes: UnsafeBufferPointer<UInt8>) -> (slot: Int, entry: Int?, hash: UInt32) {
    let hash = NodeTable.hash(bytes)
    var slot = Int(hash) & mask
    while index[slot] >= 0 {
      let entry = Int(index[slot])
      if hashes[entry] == hash && self[position: entry].hasPath(bytes) { return (slot, entry, hash) }
      slot = (slot + 1) & mask
    }
    return (slot, nil, hash)
  }

  /// The position of the node whose path is `bytes`; positions stay put until a removal.
  func position(ofPath bytes: UnsafeBufferPointer<UInt8>) -> Int? { find(bytes: bytes).entry }

  /// Adds a node whose path is not in the table yet and returns its position.
  mutating func insertNew(_ node: ZNode) -> Int {
    let slot = node.withPathBytes { find(bytes: $0) }
    precondition(slot.entry == nil, "\(node.path) inserted twice")
    insert(node, at: slot.slot, hash: slot.hash)
    return count - 1
  }

  /// Runs `body` on the node at `position` in place.
  @discardableResult
  mutating func modifyNode<R>(at position: Int, _ body: (inout ZNode) -> R) -> R {
    body(&self[position: position])
  }

  subscript(path: String) -> ZNode? {
    get {
      guard let entry = find(path).entry else { return nil }
      return self[position: entry]
    }
    set {
      let (slot, entry, hash) = find(path)
      switch (entry, newValue) {
      case (let entry?, let node?): self[position: entry] = node
      case (let entry?, nil): remove(slot: slot, entry: entry)
      case (nil, let node?): insert(node, at: slot, hash: hash)
      case (nil, nil): break
      }
    }
    _modify {
      let (slot, entry, hash) = find(path)
      if let entry {
        // Move the node out rather than copy it, so that mutating its children set or data
        // through the yielded value does not find them shared and copy them.
        var value: ZNode? = ZNode.placeholder
        swap(&value!, &self[position: entry])
        yield &value
        if let value {
          self[position: entry] = value
        } else {
          remove(slot: slot, entry: entry)
        }
      } else {
        var added: ZNode? = nil
        yield &added
        if let added { insert(added, at: slot, hash: hash) }
      }
    }
  }

  /// Removes and returns the node at `path`.
  @discardableResult
  mutating func removeValue(forKey path: String) -> ZNode? {
    let (slot, entry, _) = find(path)
    guard let entry else { return nil }
    let node = self[position: entry]
    remove(slot: slot, entry: entry)
    return node
  }

  /// Every path, in no particular order.
  var paths: [String] { map(\.path) }

  func makeIterator() -> some IteratorProtocol<(path: String, node: ZNode)> {
    chunks.lazy.joined().map { (path: $0.path, node: $0) }.makeIterator()
  }

  /// The positions of every node ordered by path bytes, so a parent comes before its
  /// descendants: the order snapshots are written in. Sorts 4-byte positions by comparing the
  /// path bytes in place, rather than making and sorting a `String` per node.
  func positionsInPathOrder() -> [Int32] {
    var order = Array(0..<Int32(count))
    order.sort { a, b in
      self[position: Int(a)].withPathBytes { pa in
        self[position: Int(b)].withPathBytes { pb in PathRules.precedes(bytes: pa, pb) }
      }
    }
    return order
  }

  /// The node at `position`, one of `positionsInPathOrder()`'s.
  func node(at position: Int32) -> ZNode { self[position: Int(position)] }

  private mutating func insert(_ node: ZNode, at slot: Int, hash: UInt32) {
    if count & NodeTable.chunkMask == 0 {
      var chunk: [ZNode] = []
      chunk.reserveCapacity(NodeTable.chunkSize)
      chunks.append(chunk)
    }
    chunks[chunks.count - 1].append(node)
    hashes.append(hash)
    count += 1
    if (count * 2) > index.count {
      rebuildIndex(slots: index.count * 2)
    } else {
      index[slot] = Int32(count - 1)
    }
  }

  private mutating func remove(slot: Int, entry: Int) {
    closeGap(at: slot)
    let last = count - 1
    if entry != last {
      // Move the last node into the freed position and repoint its slot.
      var moved = home(of: last, mask: mask)
      while index[moved] != Int32(last) { moved = (moved + 1) & mask }
      index[moved] = Int32(entry)
      self[position: entry] = self[position: last]
      hashes[entry] = hashes[last]
    }
    hashes.removeLast()
    chunks[chunks.count - 1].removeLast()
    if chunks[chunks.count - 1].isEmpty { chunks.removeLast() }
    count -= 1
  }

  /// Backward-shift deletion: empties `start` and moves later members of the probe run into
  /// the hole, so every node stays reachable from its home slot without tombstones.
  private mutating func closeGap(at start: Int) {
    var hole = start
    index[hole] = -1
    var slot = (start + 1) & mask
    while index[slot] >= 0 {
      let home = home(of: Int(index[slot]), mask: mask)
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

  /// Traps unless every node is found under its own path at its position, with its hash stored,
  /// the index holds each position once, and every chunk but the last is full.
  func checkInvariants() {
    precondition(hashes.count == count, "\(hashes.count) hashes for \(count) nodes")
    precondition(chunks.dropLast().allSatisfy { $0.count == NodeTable.chunkSize }, "a chunk before the last is not full")
    precondition(chunks.reduce(0) { $0 + $1.count } == count, "chunks hold a different count")
    precondition(index.filter { $0 >= 0 }.count == count, "the index holds \(index.filter { $0 >= 0 }.count) of \(count)")
    for position in 0..<count {
      let found = self[position: position].withPathBytes { find(bytes: $0) }
      precondition(found.entry == position, "node at \(position) is found at \(String(describing: found.entry))")
      precondition(found.hash == hashes[position], "node at \(position) has a stale hash")
    }
  }

  private mutating func rebuildIndex(slots: Int) {
    index = [Int32](repeating: -1, count: slots)
    let mask = slots - 1
    for position in 0..<count {
      var slot = home(of: position, mask: mask)
      while index[slot] >= 0 { slot = (slot + 1) & mask }
      index[slot] = Int32(position)
    }
  }
}
