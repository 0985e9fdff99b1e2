import RaftCore
import Simulation
import Testing

/// Hand-written fault scenarios, each naming the moment the fault strikes.
@Suite("Hand-written fault scenarios")
struct HandWrittenScenarioTests {
  func elected() -> InteractionHarness {
    let h = InteractionHarness()
    h.addFounders(3)
    h.with(1) { $0.campaign() }
    h.stabilize()
    return h
  }

  /// Every node's applied entries are a prefix of the longest node's.
  func appliedSequencesAgree(_ h: InteractionHarness) -> Bool {
    let sequences = h.nodes.keys.sorted().map { h.applied[$0] ?? [] }
    let longest = sequences.max { $0.count < $1.count } ?? []
    return sequences.allSatisfy { Array(longest.prefix($0.count)) == $0 }
  }

  @Test("a leader that crashes after persisting an entry, before sending it, loses nothing acknowledged")
  func leaderCrashesBeforeSending() {
    let h = elected()
    h.with(1) { _ = try! $0.propose(Array("orphan".utf8)) }
    h.isolated = [1]
    h.processReady()  // persisted on node 1 only; its appends are lost
    h.deliverAll()
    h.restart(1)
    h.isolated = []
    // Nodes 2 and 3 elect a new leader, which commits a proposal of its own.
    for _ in 0..<100 where ![NodeID(2), NodeID(3)].contains(where: { h.status($0).role == .leader }) {
      for id: UInt64 in [2, 3] { h.with(NodeID(id)) { $0.tick() } }
      h.stabilize()
    }
    let leader = [NodeID(2), NodeID(3)].first { h.status($0).role == .leader }
    #expect(leader != nil)
    if let leader {
      h.with(leader) { _ = try! $0.propose(Array("after".utf8)) }
      h.with(leader) { $0.tick() }
      h.stabilize()
      #expect(h.status(1).commit == h.status(leader).commit)
    }
    #expect(appliedSequencesAgree(h))
  }

  @Test("a follower that crashes after acknowledging keeps what it acknowledged")
  func followerCrashesAfterAcknowledging() {
    let h = elected()
    h.with(1) { _ = try! $0.propose(Array("kept".utf8)) }
    h.processReady()
    h.deliverAll()  // followers persist, then acknowledge
    h.processReady()
    let acknowledged = h.status(2).lastIndex
    h.restart(2)
    #expect(h.status(2).lastIndex == acknowledged)
    h.stabilize()
    #expect(h.status(1).commit == acknowledged)
    #expect(appliedSequencesAgree(h))
  }

  @Test("a leader partitioned into the minority cannot commit, and its entries are replaced after healing")
  func minorityLeaderEntriesReplaced() {
    let h = elected()
    h.isolated = [1]
    h.with(1) { _ = try! $0.propose(Array("lost".utf8)) }
    h.stabilize()
    #expect(h.status(1).commit < h.status(1).lastIndex)
    for _ in 0..<100 where ![NodeID(2), NodeID(3)].contains(where: { h.status($0).role == .leader }) {
      for id: UInt64 in [2, 3] { h.with(NodeID(id)) { $0.tick() } }
      h.stabilize()
    }
    guard let leader = [NodeID(2), NodeID(3)].first(where: { h.status($0).role == .leader }) else {
      Issue.record("no leader among 2 and 3: \(h.describeCluster())")
      return
    }
    h.with(leader) { _ = try! $0.propose(Array("won".utf8)) }
    h.stabilize()
    h.isolated = []
    h.with(leader) { $0.tick() }
    h.stabilize()
    #expect(h.status(1).lead == leader)
    #expect(!(h.applied[1] ?? []).contains { $0.data == Array("lost".utf8) })
    #expect(appliedSequencesAgree(h))
  }
}

extension NodeID: ExpressibleByIntegerLiteral {
  public init(integerLiteral value: UInt64) { self.init(value) }
}
