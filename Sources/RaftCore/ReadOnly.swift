/// Pending ReadIndex requests at the leader (Raft dissertation §6.4), confirmed by a heartbeat
/// round: a request received when the commit index was `index` may be served at `index` once a
/// majority acknowledged a heartbeat sent after the request arrived, which proves no newer leader
/// existed at that moment.
struct ReadOnly {
  struct Request {
    var context: [UInt8]
    var index: LogIndex
    /// Who asked: the leader itself or a follower that forwarded it.
    var from: NodeID
    var acks: Set<NodeID>
  }

  /// In arrival order; confirming one confirms every earlier one.
  private(set) var queue: [Request] = []

  var isEmpty: Bool { queue.isEmpty }

  func contains(_ context: [UInt8]) -> Bool { queue.contains { $0.context == context } }

  mutating func add(context: [UInt8], index: LogIndex, from: NodeID, me: NodeID) {
    queue.append(Request(context: context, index: index, from: from, acks: [me]))
  }

  /// Records `from`'s acknowledgement of the heartbeat tagged `context`; returns how many
  /// distinct voters have acknowledged it (nil if unknown).
  mutating func recordAck(_ context: [UInt8], from: NodeID) -> Set<NodeID>? {
    guard let i = queue.firstIndex(where: { $0.context == context }) else { return nil }
    queue[i].acks.insert(from)
    return queue[i].acks
  }

  /// Removes and returns every request up to and including the one tagged `context`.
  mutating func release(through context: [UInt8]) -> [Request] {
    guard let i = queue.firstIndex(where: { $0.context == context }) else { return [] }
    let done = Array(queue[...i])
    queue.removeFirst(i + 1)
    return done
  }

  /// The newest pending context, carried by the next heartbeat round.
  var lastContext: [UInt8]? { queue.last?.context }

  mutating func reset() { queue.removeAll() }
}
