@_spi(Testing) import RaftCore
import Simulation

/// Helpers shared by the rule tests.
enum Support {
  static let voters3 = ConfState(voters: [NodeID(1), NodeID(2), NodeID(3)])

  /// A single RawNode (id 1 unless told) of a three-voter cluster, optionally with extra log
  /// entries and a hard state, without pre-vote unless asked.
  static func node(
    _ id: UInt64 = 1, entries: [Entry] = [], hardState: HardState? = nil, preVote: Bool = false,
    checkQuorum: Bool = false
  ) -> (RawNode, MemoryStorage) {
    let storage = MemoryStorage.bootstrap(voters3)
    storage.append(entries)
    if let hardState { storage.setHardState(hardState) }
    var config = RaftConfig(id: NodeID(id))
    config.preVote = preVote
    config.checkQuorum = checkQuorum
    config.applied = LogIndex(1)
    return (try! RawNode(config: config, storage: storage), storage)
  }

  /// Persists a ready into `storage` and advances; returns it.
  @discardableResult
  static func handle(_ raw: inout RawNode, _ storage: MemoryStorage) -> Ready {
    let rd = raw.ready()
    if let snap = rd.snapshot { storage.applySnapshot(snap) }
    storage.append(rd.entries)
    if let hs = rd.hardState { storage.setHardState(hs) }
    raw.advance(rd)
    return rd
  }

  static func harness(_ count: Int, preVote: Bool = true, checkQuorum: Bool = true) -> InteractionHarness {
    let h = InteractionHarness()
    h.preVote = preVote
    h.checkQuorum = checkQuorum
    h.addFounders(count)
    return h
  }

  /// A cluster of `count` with node 1 elected.
  static func elected(_ count: Int = 3, preVote: Bool = true, checkQuorum: Bool = true) -> InteractionHarness {
    let h = harness(count, preVote: preVote, checkQuorum: checkQuorum)
    h.with(NodeID(1)) { $0.campaign() }
    h.stabilize()
    return h
  }

  static func e(_ term: UInt64, _ index: UInt64, _ data: String = "x") -> Entry {
    Entry(term: Term(term), index: LogIndex(index), data: Array(data.utf8))
  }

  static func msg(
    _ kind: MessageKind, from: UInt64, to: UInt64 = 1, term: UInt64, logTerm: UInt64 = 0,
    index: UInt64 = 0, entries: [Entry] = [], commit: UInt64 = 0, reject: Bool = false
  ) -> Message {
    Message(
      kind: kind, from: NodeID(from), to: NodeID(to), term: Term(term), logTerm: Term(logTerm),
      index: LogIndex(index), entries: entries, commit: LogIndex(commit), reject: reject)
  }
}

extension NodeID: ExpressibleByIntegerLiteral {
  public init(integerLiteral value: UInt64) { self.init(value) }
}
