import ZooKeeperWire

/// Interned ACL lists with reference counts, as ZooKeeper's `ReferenceCountedACLCache`: most
/// trees use a handful of distinct ACL lists, so each node stores a 4-byte index instead of a list.
///
/// Slots whose count drops to zero are kept until `collect()` (called at the end of every apply),
/// so a multi that deletes the last user of a list can still be rolled back onto that slot.
/// Slot reuse follows a sorted free list, so indexes are the same on every replica.
struct ACLTable: Sendable, Equatable {
  private(set) var lists: [[ACL]] = []
  private(set) var counts: [Int32] = []
  private var indexByList: [[ACL]: UInt32] = [:]
  private var free: [UInt32] = []
  /// Slots whose count reached zero since the last `collect()`.
  private var unused: [UInt32] = []

  /// Returns the slot for `acl`, creating it if needed, and counts one more user.
  mutating func retain(_ acl: [ACL]) -> UInt32 {
    if let index = indexByList[acl] {
      counts[Int(index)] += 1
      return index
    }
    let index: UInt32
    if let reused = free.popLast() {
      index = reused
      lists[Int(index)] = acl
      counts[Int(index)] = 1
    } else {
      index = UInt32(lists.count)
      lists.append(acl)
      counts.append(1)
    }
    indexByList[acl] = index
    return index
  }

  /// Counts one more user of an existing slot (a rolled-back delete putting a node back).
  mutating func retain(index: UInt32) {
    precondition(Int(index) < lists.count, "ACL slot \(index) out of range")
    counts[Int(index)] += 1
  }

  /// Counts one user fewer; the slot stays readable until `collect()`.
  mutating func release(_ index: UInt32) {
    precondition(Int(index) < counts.count && counts[Int(index)] > 0, "ACL slot \(index) released too often")
    counts[Int(index)] -= 1
    if counts[Int(index)] == 0 { unused.append(index) }
  }

  /// The list in slot `index`.
  subscript(index: UInt32) -> [ACL] { lists[Int(index)] }

  /// Frees the slots nobody uses any more (only those released since the last call are
  /// examined, so this costs nothing when no ACL list lost its last user).
  mutating func collect() {
    guard !unused.isEmpty else { return }
    for index in unused where counts[Int(index)] == 0 && !lists[Int(index)].isEmpty {
      indexByList[lists[Int(index)]] = nil
      lists[Int(index)] = []
      free.append(index)
    }
    unused = []
    free.sort(by: >)
  }

  /// Number of distinct ACL lists in use.
  var liveCount: Int { counts.reduce(0) { $0 + ($1 > 0 ? 1 : 0) } }
}
